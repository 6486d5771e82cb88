"""docs/deploy.md, run: its shell blocks marked `ci: yes` run verbatim in bash, in the
order of the document, with only the variables of its first block pointed elsewhere (a
temporary root, the suite's PostgreSQL and Redis, the wheel of this checkout). Then
`niis serve` starts as its systemd unit would, and the app answers.

The blocks marked `ci: no` need systemd, apt or a public name. As root (as on the server
and in CI) the `runuser` calls work; elsewhere the test skips."""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, REPO
from tests.served import call, fetch, free_port, serving

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (POSTGRES_URL and REDIS_URL), reason="needs NIIS_TEST_POSTGRES_URL and NIIS_TEST_REDIS_URL"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the recipe runs as root (runuser, chown root)"),
]

RECIPE = REPO / "docs" / "deploy.md"
STEP = re.compile(r"<!-- step: (?P<name>[\w-]+); ci: (?P<ci>yes|no)[^>]*-->\n```sh\n(?P<script>.*?)```", re.S)
STEPS = {m["name"]: (m["ci"] == "yes", m["script"]) for m in STEP.finditer(RECIPE.read_text(encoding="utf-8"))}
CLIENT = "198.51.100.77"  # a documentation address, so this test's sign-in count is its own in the shared Redis


def test_every_shell_block_of_the_recipe_is_a_marked_step() -> None:
    assert RECIPE.read_text(encoding="utf-8").count("```sh\n") == len(STEPS)
    assert [name for name, (ci, _) in STEPS.items() if ci] == [
        "variables", "user", "app", "env", "database", "admin", "check",
    ]  # fmt: skip


def run_steps(environment: dict[str, str], *names: str) -> str:
    """The variables block, then `names`, in one bash as if pasted; their output."""
    for name in names:
        assert STEPS[name][0], f"step {name} is not marked `ci: yes`"
    script = "\n".join(STEPS[name][1] for name in ("variables", *names))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], env=environment, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"steps {names} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines, read as systemd's EnvironmentFile= does for these plain values."""
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


async def _drop_database_and_role() -> None:
    import asyncpg

    assert POSTGRES_URL
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute("DROP DATABASE IF EXISTS niis")
        await connection.execute("DROP ROLE IF EXISTS niis")
    finally:
        await connection.close()


@dataclass
class Deployed:
    environment: dict[str, str]
    etc: Path
    base: str
    admin_password: str
    check_output: str


@pytest.fixture(scope="module")
async def deployed(niis_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployed]:
    assert POSTGRES_URL and REDIS_URL
    await _drop_database_and_role()
    root = tmp_path_factory.mktemp("server")
    postgres, redis = urlsplit(POSTGRES_URL), urlsplit(REDIS_URL)
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("NIIS_", "PG"))}
    environment |= {
        # The recipe's own variables (its first block), pointed at this test.
        "NIIS_SOURCE": str(niis_wheel),
        "NIIS_HOME": str(root / "opt" / "niis"),
        "NIIS_ETC": str(root / "etc" / "niis"),
        "NIIS_USER": getpass.getuser(),
        "NIIS_FIRST_PORT": str(free_port()),
        "NIIS_DB_PORT": str(postgres.port),
        "NIIS_REDIS_PORT": str(redis.port),
        "NIIS_PG_ADMIN": "",  # the suite's server trusts postgres over TCP: psql directly
        # libpq's defaults for that psql, and pip's: no byte-compiling keeps the install short.
        "PGHOST": "127.0.0.1",
        "PGUSER": "postgres",
        "PIP_NO_COMPILE": "1",
    }
    output = run_steps(environment, "user", "app", "env", "database", "admin")
    (admin_password,) = re.findall(r"Sign in as admin with the password: (\S+)", output)
    home, etc = Path(environment["NIIS_HOME"]), Path(environment["NIIS_ETC"])
    # As niis@.service runs it: the env file's settings only, from the app's directory.
    service_environment = {"PATH": "/usr/bin:/bin", **environment_file(etc / "env")}
    port = environment["NIIS_FIRST_PORT"]
    command = [str(home / ".venv" / "bin" / "niis"), "serve", "--host", "127.0.0.1", "--port", port]
    with serving(command, service_environment, home, int(port)) as base:
        yield Deployed(environment, etc, base, admin_password, run_steps(environment, "check"))


def test_the_installed_app_is_ready_serves_the_pwa_and_signs_the_admin_in(deployed: Deployed) -> None:
    assert '"database":"ok"' in deployed.check_output and '"redis":"ok"' in deployed.check_output
    status, kind, page = fetch(f"{deployed.base}/")
    assert status == 200 and kind.startswith("text/html") and b"<html" in page.lower()
    status, signed = call(
        f"{deployed.base}/api/auth/login",
        {"username": "admin", "password": deployed.admin_password},
        headers={"X-Forwarded-For": CLIENT},  # through the proxy the recipe trusts (loopback)
    )
    assert status == 200, signed
    status, me = call(f"{deployed.base}/api/auth/me", headers={"Authorization": f"Bearer {signed['token']}"})
    assert status == 200 and me["username"] == "admin" and me["role"] == "national_admin"
    # Certificates are signed with the key the recipe made; verifier apps find its public half.
    status, key_set = call(f"{deployed.base}/.well-known/jwks.json")
    assert status == 200 and [key["crv"] for key in key_set["keys"]] == ["P-256"]


def test_the_settings_file_is_roots_alone_and_pasting_the_steps_again_keeps_its_secret(deployed: Deployed) -> None:
    env_file = deployed.etc / "env"
    stat = env_file.stat()
    assert (stat.st_mode & 0o777, stat.st_uid) == (0o600, 0)
    settings = environment_file(env_file)
    assert settings["NIIS_ENV"] == "production" and len(settings["NIIS_SECRET_KEY"]) == 64
    key_file = Path(settings["NIIS_ISSUER_KEY_FILE"])
    assert key_file.stat().st_mode & 0o777 == 0o640  # readable by the app's group, not by others
    before = hashlib.sha256(env_file.read_bytes()).hexdigest()
    key_before = key_file.read_bytes()
    run_steps(deployed.environment, "user", "env", "database")
    assert hashlib.sha256(env_file.read_bytes()).hexdigest() == before
    assert key_file.read_bytes() == key_before  # every printed certificate stays valid
    # The database password was set again from the same file: a new connection still signs in.
    home = Path(deployed.environment["NIIS_HOME"])
    migrated = subprocess.run(
        [str(home / ".venv" / "bin" / "niis"), "migrate"],
        env={"PATH": "/usr/bin:/bin", **settings},
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0 and "up to date" in migrated.stdout, migrated.stderr

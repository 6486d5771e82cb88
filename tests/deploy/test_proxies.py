"""Which peers' X-Forwarded-For `niis serve` believes (NIIS_TRUSTED_PROXIES), through a real
process since uvicorn applies it: behind a trusted proxy the sign-in limit counts each real
client; from anyone else a forged header changes nothing."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.served import NIIS, call, free_port, niis_serve, serving

pytestmark = pytest.mark.slow

LIMIT = 3  # failed sign-ins per address before 429
_unknown = (f"nobody{n}" for n in count())  # a new name each time: the per-account limit stays out of it


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("proxies")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NIIS_", "FORWARDED_"))}
    env |= {
        "NIIS_DATABASE_URL": f"sqlite:///{var / 'niis.sqlite3'}",
        "NIIS_VAR_DIR": str(var),
        "NIIS_LOG_LEVEL": "WARNING",
        "NIIS_LOGIN_ATTEMPTS_PER_ADDRESS": str(LIMIT),
    }
    migrated = subprocess.run([*NIIS, "migrate"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    return env


@contextmanager
def served(environment: dict[str, str], trusted: str) -> Iterator[str]:
    # Each process counts in its own memory (no Redis): the two cases start from zero.
    port = free_port()
    env = {**environment, "NIIS_TRUSTED_PROXIES": trusted}
    with serving(niis_serve(port), env, REPO, port) as base:
        yield base


def failed_sign_in(base: str, forwarded_for: str) -> int:
    status, _ = call(
        f"{base}/api/auth/login",
        {"username": next(_unknown), "password": "not the password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return status


def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_limit(environment: dict[str, str]) -> None:
    # The test connects from 127.0.0.1: here it is the proxy, trusted as part of a network.
    with served(environment, "10.0.0.0/8, 127.0.0.0/8") as base:
        assert [failed_sign_in(base, "203.0.113.10") for _ in range(LIMIT)] == [401] * LIMIT
        assert failed_sign_in(base, "203.0.113.10") == 429
        assert failed_sign_in(base, "203.0.113.11") == 401  # another person behind the same proxy


def test_from_an_untrusted_peer_a_forged_forwarded_for_is_ignored(environment: dict[str, str]) -> None:
    with served(environment, "192.0.2.1") as base:
        forged = [failed_sign_in(base, f"203.0.113.{20 + n}") for n in range(LIMIT)]
        assert forged == [401] * LIMIT
        assert failed_sign_in(base, "203.0.113.99") == 429  # all counted for 127.0.0.1


def test_a_mistyped_trusted_proxy_stops_the_server_with_the_setting_named(
    environment: dict[str, str], tmp_path: Path
) -> None:
    env = {**environment, "NIIS_TRUSTED_PROXIES": "127.0.0.1,10.0.0.0/33"}
    result = subprocess.run(
        [*NIIS, "serve", "--port", str(free_port())], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "NIIS_TRUSTED_PROXIES" in result.stderr and "10.0.0.0/33" in result.stderr
    assert "Traceback" not in result.stderr

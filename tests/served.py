"""Running the app as a user does: `niis demo`, then `niis serve` in a real process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, per_worker

NIIS = [sys.executable, "-m", "api.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            kind = response.headers.get("content-type", "")
            return response.status, json.loads(raw) if "json" in kind else raw.decode()
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def _fresh_postgres_database(name: str, owner: str = "postgres", template: str | None = None) -> str:
    """A new database `name` (dropped first if it exists), empty or a copy of `template`."""
    import asyncpg

    assert POSTGRES_URL
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name}")
        copy = f" TEMPLATE {template}" if template else ""
        await connection.execute(f"CREATE DATABASE {name} OWNER {owner}{copy}")
    finally:
        await connection.close()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres_database(name: str) -> None:
    import asyncpg

    assert POSTGRES_URL
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await connection.close()


def app_environment(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    """Environment for a served app with its own database (default: SQLite in ``tmp_path``)."""
    database_url = database_url or f"sqlite:///{tmp_path / 'var' / 'niis.sqlite3'}"
    env = {
        **os.environ,
        "NIIS_DATABASE_URL": database_url,
        "NIIS_VAR_DIR": str(tmp_path / "var"),
        "NIIS_LOG_LEVEL": "WARNING",
    }
    env.pop("NIIS_REDIS_URL", None)
    if REDIS_URL:
        env["NIIS_REDIS_URL"] = REDIS_URL
    return env


async def demo_environment(engine: str, tmp_path: Path) -> dict[str, str]:
    """Environment for a served app on ``engine`` with its own fresh database."""
    if engine == "sqlite":
        return app_environment(tmp_path)
    return app_environment(tmp_path, await _fresh_postgres_database(per_worker("niis_served")))


def load_demo(env: dict[str, str]) -> None:
    demo = subprocess.run(
        [*NIIS, "demo", "--if-empty"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert demo.returncode == 0, demo.stderr
    assert "admin" in demo.stdout and "niis-demo-quantri" in demo.stdout


@contextmanager
def served_app(env: dict[str, str], cwd: Path, *, demo: bool = True) -> Iterator[str]:
    """Load the demo data (unless ``demo`` is false), start `niis serve` on a free port,
    yield its base URL."""
    if demo:
        load_demo(env)
    port = free_port()
    with serving(niis_serve(port), env, cwd, port) as base:
        yield base


def niis_serve(port: int) -> list[str]:
    return [*NIIS, "serve", "--port", str(port)]


@contextmanager
def serving(command: list[str], env: dict[str, str], cwd: Path, port: int) -> Iterator[str]:
    """Run `niis serve` (as `command`) until its /health answers; yield its base URL. Tests
    may stop and start it again on the same port: the browser's origin, and so its
    service worker and IndexedDB, stay."""
    # The server's output goes to a file, not a pipe: nobody reads a pipe while the server
    # runs, and once its buffer (64 KB) is full the server blocks on its next log line.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if call(f"{base}/health")[0] == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    output.seek(0)
                    pytest.fail(f"`{' '.join(command)}` did not come up:\n{output.read().decode()}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    """GET `url` as a browser would: status, content type and body, whatever the status."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read()

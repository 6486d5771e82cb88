"""Running the app as a user does: `niis demo`, then `niis serve` in a real process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL

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


async def _fresh_postgres_database(name: str) -> str:
    import asyncpg

    assert POSTGRES_URL
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name}")
        await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


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
    return app_environment(tmp_path, await _fresh_postgres_database("niis_served"))


@contextmanager
def served_app(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """Load the demo data, start `niis serve` on a free port, yield its base URL."""
    demo = subprocess.run(
        [*NIIS, "demo", "--if-empty"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert demo.returncode == 0, demo.stderr
    assert "admin" in demo.stdout and "niis-demo-quantri" in demo.stdout
    port = free_port()
    process = subprocess.Popen(
        [*NIIS, "serve", "--port", str(port)], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if call(f"{base}/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            process.kill()
            pytest.fail(f"niis serve did not come up: {process.stdout.read() if process.stdout else ''}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)

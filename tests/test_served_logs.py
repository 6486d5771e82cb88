"""What an operator's log collector reads from `niis serve`: every line on stderr is one
JSON object, uvicorn's own starting and stopping lines included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.served import call, free_port

pytestmark = pytest.mark.slow


def json_line(line: str, everything: str) -> dict[str, Any]:
    try:
        entry: dict[str, Any] = json.loads(line)
    except json.JSONDecodeError:
        pytest.fail(f"not a JSON line: {line!r}\nall of stderr:\n{everything}")
    return entry


def test_every_line_niis_serve_writes_is_json(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NIIS_DATABASE_URL": f"sqlite:///{tmp_path / 'niis.sqlite3'}",
        "NIIS_VAR_DIR": str(tmp_path / "var"),
        "NIIS_LOG_LEVEL": "INFO",
    }
    env.pop("NIIS_REDIS_URL", None)
    niis = [sys.executable, "-m", "api.cli"]
    migrated = subprocess.run([*niis, "migrate"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    server = subprocess.Popen(
        [*niis, "serve", "--port", str(port)], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert server.stderr is not None
    started: list[bytes] = []
    try:
        # Listening once its log says so (or its output ends: it died).
        for line in iter(server.stderr.readline, b""):
            started.append(line)
            if b"Uvicorn running on" in line:
                break
        assert started and b"Uvicorn running on" in started[-1], b"".join(started).decode()
        base = f"http://127.0.0.1:{port}"
        assert call(f"{base}/api/auth/login", {"username": "nobody", "password": "not it"})[0] == 401
        assert call(f"{base}/api/no-such-route")[0] == 404
        # uvicorn's errors too: a second server on the same port fails, in JSON.
        taken = subprocess.run(
            [*niis, "serve", "--port", str(port)], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
        )
        assert taken.returncode != 0
        errors = [json_line(line, taken.stderr) for line in taken.stderr.splitlines()]
        assert any(e["level"] == "error" and "address already in use" in e["message"] for e in errors), errors
    finally:
        server.send_signal(signal.SIGTERM)  # how systemd stops it
        rest = server.communicate(timeout=20)[1]
    output = (b"".join(started) + rest).decode()
    lines = output.splitlines()
    assert lines, "niis serve wrote nothing on stderr"
    entries = [json_line(line, output) for line in lines]
    messages = {entry["message"] for entry in entries}
    assert {"Application startup complete.", "Application shutdown complete."} <= messages
    assert any(m.startswith("Uvicorn running on") for m in messages)
    access = [e for e in entries if e["logger"] == "niis.access"]
    assert {(e["path"], e["status"]) for e in access} >= {("/api/auth/login", 401), ("/api/no-such-route", 404)}
    assert all(e["level"] in {"info", "warning", "error"} and e["time"] for e in entries)

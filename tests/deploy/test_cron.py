"""The cron lines of docs/operations.md, run as cron would (/bin/sh, cron's few variables,
the file's SHELL and PATH) with their paths pointed at a temporary /opt/niis, /etc/niis
and /var/log/niis: the nightly jobs use the database of the env file. (A plain
`. /etc/niis/env` exports nothing, and the jobs ran on a new SQLite file.)"""

from __future__ import annotations

import getpass
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.served import NIIS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="cron runs these as root (runuser)")]

OPERATIONS = REPO / "docs" / "operations.md"
CRON_FILE = re.compile(r"<!-- cron.d: niis -->\n```\n(?P<body>.*?)```", re.S)
JOB = re.compile(r"^(?:\S+\s+){5}root\s+(?P<command>.+)$")


def cron_file() -> tuple[dict[str, str], list[str]]:
    """The variables and the commands of the documented /etc/cron.d/niis."""
    found = CRON_FILE.search(OPERATIONS.read_text(encoding="utf-8"))
    assert found, "docs/operations.md has no <!-- cron.d: niis --> block"
    lines = [line for line in found["body"].splitlines() if line.strip()]
    variables = dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z]+=", line))
    commands = [match["command"] for line in lines if (match := JOB.match(line))]
    return variables, commands


def test_the_nightly_cron_jobs_use_the_database_of_the_env_file(tmp_path: Path) -> None:
    home, etc, logs = tmp_path / "opt" / "niis", tmp_path / "etc" / "niis", tmp_path / "var" / "log" / "niis"
    for folder in (home, etc, logs):
        folder.mkdir(parents=True)
    (home / ".venv").symlink_to(Path(sys.prefix))  # the test venv stands in for the installed one
    database = tmp_path / "production.sqlite3"
    settings = {
        "NIIS_ENV": "production",
        "NIIS_SECRET_KEY": "k" * 64,
        "NIIS_DATABASE_URL": f"sqlite:///{database}",
    }
    (etc / "env").write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    migrated = subprocess.run([*NIIS, "migrate"], env={**os.environ, **settings}, cwd=REPO, capture_output=True)
    assert migrated.returncode == 0, migrated.stderr

    variables, commands = cron_file()
    assert len(commands) == 4  # find-duplicates, prune-idempotency-keys, stock-alerts, stock-open-vials
    for command in commands:
        for documented, here in (("/opt/niis", home), ("/etc/niis", etc), ("/var/log/niis", logs)):
            command = command.replace(documented, str(here))
        command = command.replace("runuser -u niis ", f"runuser -u {getpass.getuser()} ")
        # What cron gives a job: its own few variables, then the file's.
        environment = {"HOME": "/root", "LOGNAME": "root", "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", **variables}
        done = subprocess.run([environment["SHELL"], "-c", command], env=environment, cwd="/", timeout=120)
        assert done.returncode == 0, (command, (logs / "duplicates.log").read_text() if done.returncode else "")

    report = json.loads((logs / "duplicates.log").read_text().strip().splitlines()[-1])
    assert report["checked"] == 0  # no subjects yet: it ran, on the migrated database
    assert "Forgot 0 idempotency keys" in (logs / "prune.log").read_text()
    assert "Discarded 0 open vials" in (logs / "stock-open-vials.log").read_text()
    with sqlite3.connect(database) as connection:
        runs = connection.execute("SELECT count(*) FROM audit_event WHERE action = 'duplicates.run'").fetchone()
    assert runs == (1,)
    assert not (home / "var").exists(), "a job fell back to the default SQLite file under the working directory"

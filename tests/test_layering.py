"""The import rules of the architecture hold (contracts in pyproject.toml, checked by
import-linter): schedule and scanning import nothing of ours, db nothing of the web app,
and below the outer layer (controllers, dependencies, app/cli/demo) the api packages
import each other in one direction only."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_import_contracts_are_kept() -> None:
    lint = REPO / ".venv" / "bin" / "lint-imports"
    command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    run = subprocess.run([*command, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout

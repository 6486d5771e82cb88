"""The wheel ships the web app: installed (not editable) into a fresh venv and started from
outside the repository, niis serves the PWA, its service worker and its manifest.

The venv gets the wheel alone (`--no-deps`) and borrows the dependencies from the test
venv through a .pth line, so this stays a few seconds; `test_recipe.py` installs the
dependencies from the registry as docs/deploy.md does."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.served import fetch, free_port, serving

pytestmark = pytest.mark.slow

PWA = REPO / "pwa"


def test_the_wheel_holds_every_file_of_the_web_app(niis_wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(niis_wheel).namelist())
    files = sorted(f"pwa/{path.relative_to(PWA).as_posix()}" for path in PWA.rglob("*") if path.is_file())
    assert {"pwa/index.html", "pwa/sw.js", "pwa/manifest.webmanifest"} <= set(files)
    assert [name for name in files if name not in shipped] == []


@pytest.fixture(scope="module")
def installed(niis_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel (not editable); returns its bin directory."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-compile"]
    subprocess.run([*pip, str(niis_wheel)], check=True, timeout=300, capture_output=True)
    (purelib,) = venv.glob("lib/python*/site-packages")
    # Only the dependencies: the test venv's own niis is an editable finder in a .pth file,
    # which a path added this way does not run.
    (purelib / "niis-test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv / "bin"


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    outside = tmp_path_factory.mktemp("elsewhere")
    env = {key: value for key, value in os.environ.items() if not key.startswith("NIIS_") and key != "PYTHONPATH"}
    env |= {"NIIS_DATABASE_URL": f"sqlite:///{outside / 'niis.sqlite3'}", "NIIS_VAR_DIR": str(outside / "var")}
    where = subprocess.run(
        [str(installed / "python"), "-c", "import api; print(api.__file__)"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(REPO) not in where, f"the venv imports the checkout, not the wheel: {where}"
    port = free_port()
    with serving([str(installed / "niis"), "serve", "--port", str(port)], env, outside, port) as base:
        yield base


@pytest.mark.parametrize(
    ("path", "content_type", "holds"),
    [
        ("/", "text/html", b"<html"),
        ("/index.html", "text/html", b"<html"),
        ("/sw.js", "text/javascript", b"self"),
        ("/manifest.webmanifest", "application/manifest+json", b'"start_url"'),
        ("/health", "application/json", b'"ok"'),
    ],
)
def test_the_installed_app_serves_the_pwa(served: str, path: str, content_type: str, holds: bytes) -> None:
    status, kind, body = fetch(served + path)
    assert status == 200, f"{path}: {status} {body[:200]!r}"
    assert kind.split(";")[0] == content_type
    assert holds in body.lower()

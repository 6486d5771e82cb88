"""Browser tests: the real PWA in Debian's headless Chromium, driven by Playwright."""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ENGINES
from tests.e2e.field_app import CHROMIUM, CHROMIUM_ARGS, Server, run_apart
from tests.served import _fresh_postgres_database, app_environment, drop_postgres_database, load_demo, served_app

_databases = itertools.count()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses `server` gets it on the engines its module or itself names
    with `ON_BOTH_ENGINES` (field_app.py), else on SQLite alone. One server per module
    and engine: pytest runs a module's tests engine by engine."""
    if "server_engine" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("server_engines")
    wanted = marker.args if marker else ("sqlite",)
    chosen = [e for e in ENGINES if (e if isinstance(e, str) else e.values[0]) in wanted]
    metafunc.parametrize("server_engine", chosen, indirect=True, scope="module")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: `bash scripts/test` installs Debian's chromium")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # Playwright gives each launch a fresh, empty profile directory of its own.
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture(scope="session")
def demo_app(sqlite_demo: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One served demo app (SQLite) for the browser tests: a copy of the demo loaded once
    (the database lies in the var directory), as `server` makes."""
    tmp_path = tmp_path_factory.mktemp("e2e")
    shutil.copytree(sqlite_demo["NIIS_VAR_DIR"], tmp_path / "var")
    with served_app(app_environment(tmp_path), tmp_path, demo=False) as base:
        yield base


@pytest.fixture(scope="module")
def site(server_engine: str, request: pytest.FixtureRequest) -> str:
    """Where `page` opens the app: on SQLite the session's shared demo app (no server of the
    module's own for tests that mostly read), on PostgreSQL the module's `server`."""
    if server_engine == "sqlite":
        return str(request.getfixturevalue("demo_app"))
    return str(request.getfixturevalue("server").base)


@pytest.fixture
async def page(browser: Any, site: str) -> AsyncIterator[Any]:
    context = await browser.new_context(base_url=site, viewport={"width": 412, "height": 915})
    yield await context.new_page()
    await context.close()


@pytest.fixture(scope="module")
def server_engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def loaded_demo(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    """`niis demo` run once into a database and a var directory that servers copy."""
    env = app_environment(tmp_path, database_url)
    load_demo(env)
    return env


# The demo loaded once per engine and copied for each server: `niis demo` takes 20-60 s
# on a loaded machine, a copy about a second (SQLite: the file; PostgreSQL: CREATE
# DATABASE … TEMPLATE). The var directory goes with it (the secret key signed the demo's
# parent links).
@pytest.fixture(scope="session")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return loaded_demo(tmp_path_factory.mktemp("sqlite-demo"))


@pytest.fixture(scope="session")
def postgres_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    name = f"niis_e2e_demo_{os.getpid()}"
    env = loaded_demo(tmp_path_factory.mktemp("postgres-demo"), run_apart(_fresh_postgres_database(name)))
    try:
        yield name, env
    finally:
        run_apart(drop_postgres_database(name))


@pytest.fixture(scope="module")
def server(
    server_engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A demo app of this module's own (on SQLite, or on PostgreSQL for the tests marked
    `ON_BOTH_ENGINES`: a fresh copy of the demo database), which a test may stop and start."""
    tmp_path = tmp_path_factory.mktemp(f"field-{server_engine}")
    database = None
    if server_engine == "postgres":
        template, demo = request.getfixturevalue("postgres_demo")
        started = time.monotonic()
        database = f"niis_e2e_{os.getpid()}_{next(_databases)}"
        url = run_apart(_fresh_postgres_database(database, template=template))
    else:
        demo = request.getfixturevalue("sqlite_demo")
        started = time.monotonic()
        url = None
    shutil.copytree(demo["NIIS_VAR_DIR"], tmp_path / "var")
    env = app_environment(tmp_path, url)
    running = Server(env, tmp_path)
    running.start()
    print(f"\n{server_engine} demo server ready in {time.monotonic() - started:.1f} s")
    try:
        yield running
    finally:
        running.stop()
        if database:
            run_apart(drop_postgres_database(database))

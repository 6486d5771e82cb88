"""Browser tests: the real PWA in Debian's headless Chromium, driven by Playwright."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.field_app import CHROMIUM, CHROMIUM_ARGS, Server
from tests.served import app_environment, load_demo, served_app


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
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One served demo app (SQLite) for the browser tests."""
    tmp_path = tmp_path_factory.mktemp("e2e")
    with served_app(app_environment(tmp_path), tmp_path) as base:
        yield base


@pytest.fixture
async def page(browser: Any, demo_app: str) -> AsyncIterator[Any]:
    context = await browser.new_context(base_url=demo_app, viewport={"width": 412, "height": 915})
    yield await context.new_page()
    await context.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo app on SQLite of this module's own, which a test may stop and start."""
    tmp_path = tmp_path_factory.mktemp("field")
    env = app_environment(tmp_path)
    load_demo(env)
    running = Server(env, tmp_path)
    running.start()
    try:
        yield running
    finally:
        running.stop()

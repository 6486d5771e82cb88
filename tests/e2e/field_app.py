"""What the field app's browser tests share: a server that can be stopped and started
again on the same port (the browser keeps its service worker and IndexedDB per origin),
signing in, queueing a real write, axe-core, screenshots."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.served import free_port, niis_serve, serving

CHROMIUM = os.environ.get("NIIS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network, as root, in a container (see the machine notes in docs/testing.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "test-artifacts" / "screens"
VIEWPORTS = {"phone": {"width": 360, "height": 640}, "tablet": {"width": 1280, "height": 800}}
VACCINATOR = ("tiem.minhxuan", "niis-demo-vaccinator")


@dataclass
class Server:
    env: dict[str, str]
    cwd: Path
    port: int = field(default_factory=free_port)
    _running: ExitStack | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> Path:
        return Path(self.env["NIIS_DATABASE_URL"].removeprefix("sqlite:///"))

    def start(self) -> None:
        assert self._running is None
        stack = ExitStack()
        stack.enter_context(serving(niis_serve(self.port), self.env, self.cwd, self.port))
        self._running = stack

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None

    def subjects_named(self, full_name: str) -> int:
        with sqlite3.connect(self.database) as db:
            return int(db.execute("SELECT count(*) FROM subject WHERE full_name = ?", (full_name,)).fetchone()[0])


@asynccontextmanager
async def persistent_browser(profile: Path, base: str) -> AsyncIterator[Any]:
    """A browser with a profile on disk, as a phone's: not incognito (where Chromium
    refuses to install apps), and one that can be closed and started again on the same
    profile (a browser restart)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=base, viewport=VIEWPORTS["phone"]
        )
        try:
            yield context.pages[0] if context.pages else await context.new_page()
        finally:
            await context.close()


async def sign_in(page: Any, username: str, password: str) -> None:
    await page.goto("/")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.locator("#greeting").wait_for()
    # Controlled by the service worker from here on: the shell is cached.
    await page.wait_for_function("() => navigator.serviceWorker.controller !== null")


async def registration(page: Any, full_name: str, birth_date: str) -> dict[str, Any]:
    """A real registration body for the signed-in vaccinator's facility."""
    me = await (await page.request.get("/api/auth/me")).json()
    facility = await (await page.request.get(f"/api/facilities/{me['scope_facility_id']}")).json()
    return {
        "full_name": full_name,
        "birth_date": birth_date,
        "sex": "F",
        "place_id": facility["place_id"],
        "facility_id": facility["id"],
        "guardians": [{"full_name": "Trần Thị Hoa", "relationship": "mother", "phone": "0912345678"}],
    }


async def queue(page: Any, body: dict[str, Any]) -> None:
    """What a screen does to write: hand the write to the outbox."""
    await page.evaluate(
        """async (body) => {
            const outbox = await import("/js/outbox.js");
            await outbox.submit({ path: "/api/subjects", body,
                                  label: { key: "write.register", values: { name: body.full_name } } });
        }""",
        body,
    )


async def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: `bash scripts/test` installs it with npm ci")
    # Evaluated through the DevTools protocol, so the page's CSP does not apply to it.
    if not await page.evaluate("Boolean(window.axe)"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def screenshot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


async def small_controls(page: Any) -> list[str]:
    """The visible controls of the screen under 44 px high. A tick box or a radio button
    counts by its label's row (the row is the target: a click on the label ticks it)."""
    return list(
        await page.evaluate(
            """[...document.querySelectorAll(
                   'main button, main a, main select, main input:not([type=radio]):not([type=checkbox]), main .choice')]
                 .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
                 .map(e => e.outerHTML.slice(0, 80))"""
        )
    )


async def check_at_both_sizes(page: Any, name: str) -> None:
    """axe-core finds nothing serious, every control is at least 44 px high, and the
    screen is kept as a screenshot ``name-phone`` / ``name-tablet`` (360×640, 1280×800)."""
    for viewport, size in VIEWPORTS.items():
        await page.set_viewport_size(size)
        assert await serious_violations(page) == [], f"{name} at {viewport}"
        assert await small_controls(page) == [], f"{name} at {viewport}"
        await screenshot(page, f"{name}-{viewport}")
    await page.set_viewport_size(VIEWPORTS["phone"])


@asynccontextmanager
async def vaccinator_page(browser: Any, server: Server) -> AsyncIterator[Any]:
    """A page of a fresh browser context at phone size, signed in as the demo vaccinator."""
    context = await browser.new_context(base_url=server.base, viewport=VIEWPORTS["phone"])
    try:
        page = await context.new_page()
        await sign_in(page, *VACCINATOR)
        yield page
    finally:
        await context.close()

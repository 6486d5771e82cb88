"""The issue's speed targets for the person holding the tablet, measured in the real app:
every main task of each demo role at most two taps from home (found by walking home's
tiles and the screens they open, then tapped); the taps and typed fields a newborn's
registration takes (printed, bounded); what failed and why on the home screen itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from api.clock import SystemClock
from tests.e2e.field_app import VACCINATOR, VIEWPORTS, Server, queue, registration, sign_in

pytestmark = pytest.mark.slow

# Each demo role and its main tasks: the routes a person of that role opens every day.
MAIN_TASKS = {
    "vaccinator": (VACCINATOR, ["search", "register", "facility", "outbox"]),
    "commune officer": (
        ("xa.minhxuan", "niis-demo-commune"),
        ["search", "register", "duplicates", "outbox", "stock-usage"],
    ),
    "province officer": (("tinh.tuyenquang", "niis-demo-province"), ["search", "duplicates", "outbox", "stock-usage"]),
    "parent": (("phuhuynh", "niis-demo-parent"), ["children", "child", "link", "outbox"]),
    "stock clerk": (
        ("kho.tinh", "niis-demo-stock"),
        [
            "stock",
            "stock-receive",
            "stock-count",
            "stock-ship",
            "stock-transit",
            "stock-alerts",
            "outbox",
            "stock-vials",
            "stock-usage",
        ],
    ),
}
# The links a person can see (a tile shown only when something waits is hidden otherwise).
LINKS = """els => els.filter(e => e.offsetParent !== null).map(e => e.getAttribute('href'))
    .filter(h => h && h.startsWith('#/') && h !== '#/')"""
# Taps and typed fields a newborn's registration may take (with margin over today's count).
NEWBORN_TAPS = 8
NEWBORN_FIELDS = 4


# Counts the page's fetches in flight, for settled_screen().
COUNT_FETCHES = """(() => { const fetch = window.fetch; window.__inFlight = 0;
  window.fetch = (...args) => { window.__inFlight++;
    return fetch(...args).finally(() => { window.__inFlight--; }); }; })()"""


@pytest.fixture
async def app(browser: Any, server: Server) -> AsyncIterator[Any]:
    context = await browser.new_context(base_url=server.base, viewport=VIEWPORTS["phone"])
    page = await context.new_page()
    await page.add_init_script(COUNT_FETCHES)
    yield page
    await context.close()


def route_of(href: str) -> str:
    return href.removeprefix("#/").split("/")[0]


async def settled_screen(page: Any) -> None:
    """A screen is shown: its heading, and what it reads from the server has come (no
    request in flight for half a second; the page's "networkidle" is not reset by the
    hash changes of the router)."""
    await page.locator("main h2").first.wait_for()
    quiet_since = None
    for _ in range(300):
        if await page.evaluate("window.__inFlight ?? 0"):
            quiet_since = None
        else:
            quiet_since = quiet_since or asyncio.get_running_loop().time()
            if asyncio.get_running_loop().time() - quiet_since >= 0.5:
                return
        await asyncio.sleep(0.05)


async def home(page: Any) -> None:
    await page.goto("/#/")
    await page.locator("#greeting").wait_for()


async def taps_from_home(page: Any) -> dict[str, list[str]]:
    """Every route one or two taps from home, each with the links to tap to reach it."""
    await home(page)
    first = await page.locator("nav.tasks a, #sync-status").evaluate_all(LINKS)
    paths = {route_of(href): [href] for href in first}
    for href in first:
        await home(page)
        await page.locator(f'a[href="{href}"]:visible').first.click()
        await settled_screen(page)
        for second in await page.locator("main a").evaluate_all(LINKS):
            paths.setdefault(route_of(second), [href, second])
    return paths


@pytest.mark.parametrize("role", sorted(MAIN_TASKS))
async def test_every_main_task_is_at_most_two_taps_from_home(app: Any, role: str) -> None:
    account, tasks = MAIN_TASKS[role]
    await sign_in(app, *account)
    reached = await taps_from_home(app)
    print(f"{role}: " + ", ".join(f"{route} {len(path)}" for route, path in sorted(reached.items())))
    assert sorted(set(tasks) - set(reached)) == [], f"{role}: not within two taps of home"
    for task in tasks:  # tapped for real: the screen opens
        await home(app)
        for href in reached[task]:
            await app.locator(f'a[href="{href}"]').first.click()
        await settled_screen(app)
        assert route_of(await app.evaluate("location.hash")) == task
        assert await app.locator("#greeting").count() == 0  # not home any more


async def test_a_newborn_is_registered_with_the_mother_s_details_in_a_few_taps(app: Any, server: Server) -> None:
    """A headless test cannot time a person's typing; it counts what the person does:
    each tap (a tile, a field, a button) and each field typed, from home to the record."""
    name, mother, phone = "Hoàng Thị Sơ Sinh", "Hoàng Thị Mẹ", "0912 000 111"
    birth = str(SystemClock().today() - timedelta(days=2))
    await sign_in(app, *VACCINATOR)
    taps, typed = 0, []

    async def tap(target: Any) -> None:
        nonlocal taps
        taps += 1
        await target.click()

    async def type_into(label: str, text: str) -> None:
        field = app.get_by_label(label, exact=True)
        await tap(field)
        await field.fill(text)
        typed.append(text)

    await tap(app.get_by_role("link", name="Đăng ký mới"))
    await app.get_by_role("heading", name="Đăng ký đối tượng mới").wait_for()
    await type_into("Họ và tên", name)
    await type_into("Ngày sinh", birth)
    await type_into("Họ tên người giám hộ", mother)  # the relationship is "mother" already
    await type_into("Số điện thoại", phone)
    await tap(app.get_by_role("button", name="Đăng ký", exact=True))
    await expect(app.get_by_role("heading", level=2)).to_have_text(name)
    print(
        f"newborn with the mother's details: {taps} taps, {len(typed)} typed fields,"
        f" {sum(len(text) for text in typed)} characters"
    )
    assert server.subjects_named(name) == 1
    assert taps <= NEWBORN_TAPS and len(typed) <= NEWBORN_FIELDS


async def test_the_home_screen_shows_what_waits_what_failed_and_why(app: Any, server: Server) -> None:
    await sign_in(app, *VACCINATOR)
    await queue(app, await registration(app, "Lý Thị Bị Từ Chối", "2099-02-02"))  # born in the future: 422
    await expect(app.locator("#sync-status")).to_contain_text("1 mục cần bạn xử lý", timeout=15000)
    later = await registration(app, "Lý Văn Chờ Gửi", "2026-08-08")
    server.stop()  # a second write waits for the network
    try:
        await queue(app, later)
        await home(app)
        status = app.locator("#sync-status")
        # The count, what was refused and the server's reason, without opening anything.
        await expect(status).to_contain_text("1 mục cần bạn xử lý")
        await expect(status).to_contain_text("Đăng ký Lý Thị Bị Từ Chối bị từ chối: ")
        await expect(status).to_contain_text("Ngày sinh ở tương lai")  # the server's reason, in Vietnamese
        await expect(status).to_contain_text("1 mục chờ gửi")
        box = await status.bounding_box()
        assert box is not None and box["y"] + box["height"] <= VIEWPORTS["phone"]["height"]  # on screen
    finally:
        server.start()

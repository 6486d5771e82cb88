"""The field app's foundation in a real browser on a real server: installable, opens
with the server down, every write through the outbox (kept across reloads, sent once,
a refusal kept for the person), and usable by screen readers on each screen."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.field_app import (
    ON_BOTH_ENGINES,
    VACCINATOR,
    VIEWPORTS,
    Server,
    persistent_browser,
    queue,
    registration,
    screenshot,
    serious_violations,
    sign_in,
)

pytestmark = pytest.mark.slow

NO_BACKGROUND_SYNC = "Object.defineProperty(ServiceWorkerRegistration.prototype, 'sync', { get: () => undefined })"
TIMER_MS = 30_000  # outbox.js: the timer's period while something waits
BUDGET = 150 * 1024  # bytes, compressed, for the sign-in page's first load


@pytest.fixture
async def app(browser: Any, server: Server) -> AsyncIterator[Any]:
    context = await browser.new_context(base_url=server.base, viewport=VIEWPORTS["phone"])
    yield await context.new_page()
    await context.close()


async def test_installable_and_controlled_by_its_service_worker(server: Server, tmp_path: Path) -> None:
    async with persistent_browser(tmp_path / "profile", server.base) as app:
        await app.goto("/")
        await app.evaluate("navigator.serviceWorker.ready")
        devtools = await app.context.new_cdp_session(app)
        manifest = await devtools.send("Page.getAppManifest")
        assert not manifest.get("errors"), manifest["errors"]
        installability = await devtools.send("Page.getInstallabilityErrors")
        assert installability["installabilityErrors"] == []
        await app.reload()
        assert await app.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{server.base}/sw.js"


async def test_the_first_load_fits_the_budget_and_a_repeat_load_fetches_only_api_calls(app: Any) -> None:
    bodies: list[bytes] = []

    async def measure(response: Any) -> None:
        if not response.url.split("/", 3)[-1].startswith("api/"):
            bodies.append(await response.body())

    app.on("response", measure)
    await app.goto("/")
    await app.get_by_role("button", name="Đăng nhập").wait_for()
    await app.evaluate("navigator.serviceWorker.ready")
    await app.wait_for_load_state("networkidle")
    compressed = sum(len(gzip.compress(body)) for body in bodies)
    assert 0 < compressed <= BUDGET
    app.remove_listener("response", measure)

    from_network: list[str] = []
    app.on(
        "response",
        lambda r: from_network.append(r.url) if "/api/" not in r.url and not r.from_service_worker else None,
    )
    await app.reload()
    await app.get_by_role("button", name="Đăng nhập").wait_for()
    await app.wait_for_load_state("networkidle")
    assert from_network == []


async def test_with_the_server_stopped_the_app_still_opens(app: Any, server: Server) -> None:
    await sign_in(app, *VACCINATOR)
    server.stop()
    try:
        await app.reload()
        await expect(app.locator("#greeting")).to_have_text("Xin chào, Phạm Thị Lan")
        await expect(app.locator("#sync-status")).to_have_text("Đã đồng bộ")
    finally:
        server.start()


async def test_signing_out_offline_ends_the_session_when_the_server_is_back(app: Any, server: Server) -> None:
    """A shared tablet: signed out with no network, the next person must not find the
    previous one signed in once the network is back (the session cookie was still there)."""
    await sign_in(app, *VACCINATOR)
    server.stop()
    try:
        await app.reload()
        await app.get_by_role("button", name="Đăng xuất").click()
        await app.get_by_role("button", name="Đăng nhập").wait_for()
    finally:
        server.start()
    await app.reload()
    await app.get_by_role("button", name="Đăng nhập").wait_for()
    assert (await app.request.get("/api/auth/me")).status == 401  # ended on the server too
    await expect(app.locator("#greeting")).to_have_count(0)


@ON_BOTH_ENGINES
async def test_a_registration_written_offline_survives_a_browser_restart_and_is_registered_once(
    server: Server, tmp_path: Path
) -> None:
    name = "Lò Thị Mây Ngoại Tuyến"
    profile = tmp_path / "profile"
    status = "#sync-status"
    try:
        async with persistent_browser(profile, server.base) as app:
            await sign_in(app, *VACCINATOR)
            body = await registration(app, name, "2026-11-20")
            server.stop()
            await queue(app, body)
            await expect(app.locator(status)).to_contain_text("1 mục chờ gửi")
            # The person tries again while there is no network: each try backs off longer
            # (here 40 s or more), which the app opening with the network back must not wait for.
            await app.get_by_role("link", name="Hàng chờ gửi").first.click()
            tried = app.locator(".item.pending .attempts")
            for _ in range(4):
                before = await tried.inner_text() if await tried.count() else None
                await app.get_by_role("button", name="Gửi ngay").click()
                if before is None:
                    await expect(tried).to_be_visible()
                else:  # the screen shows the try once it is over
                    await expect(tried).not_to_have_text(before)
            await app.reload()  # from the cached shell; the write is in IndexedDB
            await expect(app.locator(status)).to_contain_text("1 mục chờ gửi")
        async with persistent_browser(profile, server.base) as app:  # the browser restarted
            await app.goto("/")
            await expect(app.locator(status)).to_contain_text("1 mục chờ gửi")
            await app.get_by_role("link", name="Hàng chờ gửi").first.click()
            await expect(app.get_by_text(f"Đăng ký {name}")).to_be_visible()
            await expect(app.locator(".item.pending")).to_contain_text("Đang chờ gửi")
    finally:
        server.start()
    assert server.subjects_named(name) == 0
    async with persistent_browser(profile, server.base) as app:
        await app.goto("/")  # the app opens with the server back: it sends
        await expect(app.locator(status)).to_have_text("Đã đồng bộ", timeout=15000)
        assert server.subjects_named(name) == 1
        # Every trigger again (focus, "Send now", a reload): nothing more is registered.
        await app.evaluate("window.dispatchEvent(new Event('focus'))")
        await app.get_by_role("link", name="Hàng chờ gửi").first.click()
        await app.get_by_role("button", name="Gửi ngay").click()
        await app.reload()
        await expect(app.locator(status)).to_have_text("Đã đồng bộ")
        assert server.subjects_named(name) == 1


async def test_a_write_left_sending_by_a_closed_browser_is_pending_again_when_it_opens(
    server: Server, tmp_path: Path
) -> None:
    """The browser closed between "sending" and the server's answer: started again with
    no network (so no pass can run, there is no session to send with), the write is
    waiting to be sent, not shown as being sent for good; the network back, it is sent."""
    name = "Hầu Văn Chư Gửi"
    profile = tmp_path / "profile"
    try:
        async with persistent_browser(profile, server.base) as app:
            await sign_in(app, *VACCINATOR)
            body = await registration(app, name, "2026-05-03")  # no other test's twin
            server.stop()
            await queue(app, body)
            await app.evaluate(
                """() => new Promise((resolve, reject) => {
                    const opened = indexedDB.open("niis");
                    opened.onsuccess = () => {
                        const store = opened.result.transaction("outbox", "readwrite").objectStore("outbox");
                        const all = store.getAll();
                        all.onsuccess = () => {
                            for (const item of all.result) store.put({ ...item, state: "sending" });
                            store.transaction.oncomplete = resolve;
                        };
                    };
                    opened.onerror = reject;
                })"""
            )
        async with persistent_browser(profile, server.base) as app:
            await app.goto("/")
            await app.get_by_role("link", name="Hàng chờ gửi").first.click()
            await expect(app.locator(".item.pending")).to_contain_text("Đang chờ gửi")
    finally:
        server.start()
    async with persistent_browser(profile, server.base) as app:
        await app.goto("/")
        await expect(app.locator("#sync-status")).to_have_text("Đã đồng bộ", timeout=15000)
    assert server.subjects_named(name) == 1


@ON_BOTH_ENGINES
async def test_a_write_the_server_refuses_stays_for_the_person(app: Any, server: Server) -> None:
    await sign_in(app, *VACCINATOR)
    await queue(app, await registration(app, "Vàng Thị Tương Lai", "2099-01-01"))  # born in the future: 422
    status = app.locator("#sync-status")
    await expect(status).to_contain_text("1 mục cần bạn xử lý · Đăng ký Vàng Thị Tương Lai bị từ chối: ", timeout=15000)
    await app.reload()
    await expect(status).to_contain_text("1 mục cần bạn xử lý · Đăng ký Vàng Thị Tương Lai bị từ chối: ")
    await status.click()
    item = app.locator(".item.refused")
    await expect(item).to_contain_text("Máy chủ từ chối: cần bạn xử lý")
    await expect(item.locator(".fields")).to_contain_text("birth_date")
    assert server.subjects_named("Vàng Thị Tương Lai") == 0
    # Signing out warns and keeps it; only an explicit discard removes it.
    await app.goto("/#/")
    await app.get_by_role("button", name="Đăng xuất").click()
    await expect(app.get_by_role("alert")).to_contain_text("Còn 1 mục chưa gửi được")
    await app.get_by_role("button", name="Ở lại").click()
    await status.click()
    await app.get_by_role("button", name="Bỏ mục này").click()
    await app.get_by_role("button", name="Bỏ hẳn").click()
    await expect(status).to_have_text("Đã đồng bộ")


async def test_storage_persistence_is_asked_and_its_answer_shown(app: Any) -> None:
    await sign_in(app, *VACCINATOR)
    persisted = await app.evaluate("navigator.storage.persisted()")
    expected = "Dữ liệu được lưu bền trên máy này." if persisted else "Trình duyệt có thể xóa dữ liệu"
    await expect(app.locator("#storage")).to_contain_text(expected)


async def test_the_language_switch_changes_every_screen(app: Any) -> None:
    await sign_in(app, *VACCINATOR)
    await app.locator("#lang").select_option("en")
    await expect(app.locator("#greeting")).to_have_text("Hello, Phạm Thị Lan")
    await expect(app.locator("#sync-status")).to_have_text("All sent")
    assert await app.locator("html").get_attribute("lang") == "en"
    await app.get_by_role("link", name="Waiting to send").click()
    await expect(app.get_by_role("heading", name="Waiting to send")).to_be_visible()
    await app.reload()
    await expect(app.get_by_role("heading", name="Waiting to send")).to_be_visible()  # remembered


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
async def test_each_screen_has_no_serious_accessibility_violation(browser: Any, server: Server, viewport: str) -> None:
    context = await browser.new_context(base_url=server.base, viewport=VIEWPORTS[viewport])
    page = await context.new_page()
    try:
        await page.goto("/")
        await page.get_by_role("button", name="Đăng nhập").wait_for()
        found = {"login": await serious_violations(page)}
        await screenshot(page, f"login-{viewport}")
        await sign_in(page, *VACCINATOR)
        found["home"] = await serious_violations(page)
        await screenshot(page, f"home-{viewport}")
        await page.get_by_role("link", name="Hàng chờ gửi").first.click()
        await page.get_by_role("heading", name="Hàng chờ gửi").wait_for()
        found["outbox"] = await serious_violations(page)
        await screenshot(page, f"outbox-{viewport}")
        assert found == {"login": [], "home": [], "outbox": []}
        # Touch targets: every control at least 44 px high.
        small = await page.evaluate(
            """[...document.querySelectorAll('button, a, select, input')]
                 .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
                 .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert small == []
    finally:
        await context.close()


async def test_a_new_shell_is_offered_and_taken_on_the_person_s_word(app: Any) -> None:
    await sign_in(app, *VACCINATOR)
    banner = app.locator("#update")
    await expect(banner).to_be_hidden()
    # A release: a service worker that differs from the running one installs beside it.
    # (Served by this same server under another URL: the test cannot change its files.)
    await app.evaluate("navigator.serviceWorker.register('/sw.js?release=next', { updateViaCache: 'none' })")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("Đã có phiên bản mới.")
    # Until the person says so, the page stays on the shell it runs.
    assert (await app.evaluate("navigator.serviceWorker.controller.scriptURL")).endswith("/sw.js")
    await banner.get_by_role("button", name="Cập nhật").click()
    await app.wait_for_function("() => navigator.serviceWorker.controller?.scriptURL.endsWith('?release=next')")
    await expect(app.locator("#greeting")).to_have_text("Xin chào, Phạm Thị Lan")  # reloaded, still signed in


async def test_a_shell_the_api_no_longer_serves_sends_nothing_and_asks_to_update(app: Any, server: Server) -> None:
    name = "Hà Thị Phiên Bản"
    # A browser without Background Sync (iOS Safari): the page alone sends, and the
    # test's answer from the API reaches the page (not the service worker).
    await app.add_init_script(NO_BACKGROUND_SYNC)
    await sign_in(app, *VACCINATOR)
    body = await registration(app, name, "2026-10-01")
    # The server's release no longer takes this shell's requests.
    await app.context.route("**/api/version", lambda route: route.fulfill(json={"api": "9.0.0", "min_shell": 9999}))
    await queue(app, body)
    await expect(app.locator("#update")).to_contain_text("Phiên bản này đã cũ")
    await expect(app.locator("#sync-status")).to_contain_text("1 mục chờ gửi")
    await app.get_by_role("link", name="Hàng chờ gửi").first.click()
    await app.get_by_role("button", name="Gửi ngay").click()
    await expect(app.locator(".item.pending")).to_contain_text("Đang chờ gửi")
    assert server.subjects_named(name) == 0
    await app.context.unroute("**/api/version")
    await app.reload()  # the API serves this shell again (as after the update)
    await expect(app.locator("#sync-status")).to_have_text("Đã đồng bộ", timeout=15000)
    assert server.subjects_named(name) == 1


async def test_background_sync_sends_after_the_tab_is_closed(app: Any, server: Server) -> None:
    name = "Sùng Thị Nền"
    await sign_in(app, *VACCINATOR)
    body = await registration(app, name, "2026-09-09")
    server.stop()
    try:
        await queue(app, body)
        await expect(app.locator("#sync-status")).to_contain_text("1 mục chờ gửi")
    finally:
        server.start()
    context = app.context
    await app.close()  # the tab is closed: only the service worker is left
    # The browser fires the sync event when it sees the network; here DevTools fires it.
    blank = await context.new_page()
    devtools = await context.new_cdp_session(blank)
    registrations: list[dict[str, Any]] = []
    devtools.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    await devtools.send("ServiceWorker.enable")
    for _ in range(50):
        if any(r["scopeURL"] == f"{server.base}/" for r in registrations):
            break
        await blank.wait_for_timeout(100)
    registration_id = next(r["registrationId"] for r in registrations if r["scopeURL"] == f"{server.base}/")
    await devtools.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": server.base, "registrationId": registration_id, "tag": "niis-outbox", "lastChance": False},
    )
    for _ in range(300):
        if server.subjects_named(name):
            break
        await blank.wait_for_timeout(100)
    if not server.subjects_named(name):  # say what the outbox holds (a page of the origin outside the app)
        await blank.goto(f"{server.base}/api/version")
        held = await blank.evaluate(
            """new Promise((ok) => { const r = indexedDB.open("niis");
                 r.onsuccess = () => { const q = r.result.transaction("outbox").objectStore("outbox").getAll();
                 q.onsuccess = () => ok(q.result); }; })"""
        )
        pytest.fail(f"not sent by the service worker: {held}")
    assert server.subjects_named(name) == 1


async def test_a_pending_write_is_sent_by_the_timer_alone(browser: Any, server: Server) -> None:
    """The server stops and starts again while the app stays open: nothing the app could
    notice happens (no focus, `online`, reload or tap; no Background Sync), so only the
    timer (outbox.js, every 30 s while something waits) sends the write. Playwright's
    clock holds the page's time still once the write waits, then moves it 30 s on."""
    name = "Lường Thị Hẹn Giờ"
    context = await browser.new_context(base_url=server.base, viewport=VIEWPORTS["phone"])
    try:
        await context.add_init_script(NO_BACKGROUND_SYNC)
        await context.clock.install()  # the page's timers and Date, running as usual until paused
        app = await context.new_page()
        await sign_in(app, *VACCINATOR)
        body = await registration(app, name, "2026-10-10")
        status = app.locator("#sync-status")
        server.stop()
        try:
            await queue(app, body)
            await expect(status).to_contain_text("1 mục chờ gửi")  # its first try failed
            await context.clock.pause_at(await app.evaluate("Date.now()") + 1000)
        finally:
            server.start()
        await asyncio.sleep(3)  # the server has been back a while: no trigger, nothing sent
        assert server.subjects_named(name) == 0
        await expect(status).to_contain_text("1 mục chờ gửi")
        await context.clock.fast_forward(TIMER_MS)  # the timer fires once, past the back-off
        await context.clock.resume()
        await expect(status).to_have_text("Đã đồng bộ", timeout=15000)
        assert server.subjects_named(name) == 1
    finally:
        await context.close()


async def test_app_open_asks_the_api_version_once(app: Any, server: Server) -> None:
    """Opening the app with a write waiting: the start-up check and the outbox's gate share
    one GET /api/version (each costs a round trip, ~0.4 s on slow 3G)."""
    name = "Lò Thị Một Lần"
    await app.add_init_script(NO_BACKGROUND_SYNC)  # the page alone sends, as on iOS
    await sign_in(app, *VACCINATOR)
    body = await registration(app, name, "2026-08-08")
    await app.context.route("**/api/subjects", lambda route: route.abort())  # no answer: it waits
    await queue(app, body)
    await expect(app.locator("#sync-status")).to_contain_text("1 mục chờ gửi")
    await app.context.unroute("**/api/subjects")

    asked: list[str] = []
    app.context.on("request", lambda r: asked.append(r.url) if r.url.endswith("/api/version") else None)
    await app.reload()
    await expect(app.locator("#sync-status")).to_have_text("Đã đồng bộ")
    await app.wait_for_load_state("networkidle")
    assert server.subjects_named(name) == 1
    assert len(asked) == 1, asked

"""The parents' screens, the officers' duplicate review and the vaccinator's offline
facility list, in a real browser on a real server (demo data, SQLite): what each person
sees, what the database holds after a decision, and reading with the server stopped."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from api.registry.identity.names import fold
from tests.e2e.field_app import (
    ON_BOTH_ENGINES,
    VACCINATOR,
    VIEWPORTS,
    Server,
    check_screen,
    create_user,
    sign_in,
    stored_count,
)

pytestmark = pytest.mark.slow

PARENT = ("phuhuynh", "niis-demo-parent")
PROVINCE_OFFICER = ("tinh.tuyenquang", "niis-demo-province")
PER_SUBJECT_BUDGET = 1024 * 1024 / 10000  # bytes compressed


@pytest.fixture
async def app(browser: Any, server: Server) -> AsyncIterator[Any]:
    context = await browser.new_context(base_url=server.base, viewport=VIEWPORTS["phone"])
    yield await context.new_page()
    await context.close()


async def test_a_parent_sees_only_their_children_and_reads_them_offline(app: Any, server: Server) -> None:
    mine = dict(server.rows("SELECT s.id, s.full_name FROM subject s JOIN parent_link l ON l.subject = s.id"))
    assert len(mine) == 2
    other_id, other_name = server.rows(
        "SELECT id, full_name FROM subject WHERE id NOT IN (SELECT subject FROM parent_link) LIMIT 1"
    )[0]
    await sign_in(app, *PARENT)
    await app.get_by_role("link", name="Con của tôi").click()
    listing = app.locator("#children")
    for name in mine.values():
        await expect(listing.get_by_text(name)).to_be_visible()
    await expect(listing.locator("li")).to_have_count(2)
    await expect(app.locator("#updated")).to_contain_text("Cập nhật lúc")
    assert other_name not in await listing.inner_text()
    await check_screen(app, "parent-children", targets=False)

    child_name = next(iter(mine.values()))
    await listing.get_by_text(child_name).click()
    await expect(app.get_by_role("heading", name=child_name)).to_be_visible()
    await expect(app.locator(".forecast li").first).to_be_visible()
    await check_screen(app, "parent-child", targets=False)
    # Another family's child is not on this device, whatever the address says.
    await app.goto(f"/#/child/{other_id}")
    await expect(app.get_by_role("heading", name="Không tìm thấy trẻ này trên máy")).to_be_visible()

    server.stop()
    try:
        await app.goto("/#/children")
        await app.reload()
        await expect(listing.locator("li")).to_have_count(2)
        await expect(app.locator("#children-problem")).to_contain_text("Không có mạng")
        await expect(app.locator("#updated")).to_contain_text("Cập nhật lúc")
        await listing.get_by_text(child_name).click()
        await expect(app.get_by_role("heading", name=child_name)).to_be_visible()
        await expect(app.locator(".forecast li").first).to_be_visible()
    finally:
        server.start()

    await app.goto("/#/link")
    await expect(app.get_by_label("Số điện thoại người giám hộ")).to_be_visible()
    await check_screen(app, "parent-link", targets=False)


@ON_BOTH_ENGINES
async def test_an_officer_dismisses_a_pair_and_undoes_it(app: Any, server: Server) -> None:
    await sign_in(app, *PROVINCE_OFFICER)
    me = await (await app.request.get("/api/auth/me")).json()
    ran = await app.request.post("/api/duplicates/run", headers={"X-CSRF-Token": me["csrf_token"]})
    assert ran.ok, await ran.text()
    await app.get_by_role("link", name="Hồ sơ trùng").click()
    pair = app.locator(".pair").first
    await expect(pair).to_be_visible()
    await expect(pair.locator(".reasons li").first).to_be_visible()
    await expect(pair.locator(".person")).to_have_count(2)
    await check_screen(app, "duplicates", targets=False)
    pair_id = int(await pair.get_attribute("data-pair"))
    status_of = lambda: server.rows("SELECT status FROM duplicate_candidate WHERE id = ?", pair_id)[0][0]  # noqa: E731
    assert status_of() == "open"

    await pair.get_by_role("button", name="Không phải cùng một người").click()
    await expect(pair.get_by_role("status")).to_have_text("Đã ghi: không phải cùng một người.")
    assert status_of() == "dismissed"
    await pair.get_by_role("button", name="Hoàn tác").click()
    await expect(pair.get_by_role("button", name="Không phải cùng một người")).to_be_visible()
    assert status_of() == "open"
    audited = server.rows("SELECT action FROM audit_event WHERE entity = 'duplicate_candidate' ORDER BY id")
    assert [a for (a,) in audited][-2:] == ["duplicates.dismiss", "duplicates.reopen"]


@ON_BOTH_ENGINES
async def test_a_vaccinator_downloads_the_facility_and_finds_a_child_offline(app: Any, server: Server) -> None:
    await sign_in(app, *VACCINATOR)
    facility = server.rows("SELECT scope_facility FROM account WHERE username = ?", VACCINATOR[0])[0][0]
    managed = server.rows("SELECT full_name, code FROM subject WHERE facility = ? AND status != 'merged'", facility)
    # Kept as they come, measured once the screen shows the download: an async listener
    # reading each body could still be reading when the assertion ran (seen under load).
    downloads: list[Any] = []
    app.on("response", lambda response: downloads.append(response) if "format=compact" in response.url else None)
    await app.get_by_role("link", name="Danh sách cơ sở (ngoại tuyến)").click()
    await expect(app.locator("#facility-updated")).to_have_text("Chưa tải về máy")
    await app.get_by_role("button", name="Tải danh sách cơ sở về máy").click()
    await expect(app.locator("#facility-updated")).to_contain_text(f"{len(managed)} đối tượng")
    # The demo facility's download, compressed, within docs/pwa.md's budget (1 MB for
    # 10,000 subjects, i.e. ~105 bytes a subject) beside a page's fixed envelope.
    sizes = [len(gzip.compress(await response.body())) for response in downloads]
    print(f"demo facility: {len(managed)} subjects, {sum(sizes)} bytes gzipped")
    assert 0 < sum(sizes) < PER_SUBJECT_BUDGET * len(managed) + 2048

    name, code = next((n, c) for n, c in managed if fold(n) != n.lower())
    called, phone = server.rows(
        "SELECT s.full_name, g.phone FROM subject s JOIN subject_guardian sg ON sg.subject = s.id"
        " JOIN guardian g ON g.id = sg.guardian WHERE s.facility = ? AND s.status != 'merged'"
        " AND g.phone IS NOT NULL ORDER BY s.id LIMIT 1",
        facility,
    )[0]
    assert await stored_count(app, "reading") == 1  # the download is on the device
    server.stop()
    try:
        await app.reload()
        search = app.get_by_label("Tìm theo tên (có dấu hoặc không), mã hoặc số điện thoại")
        await search.fill(fold(name))
        results = app.locator("#facility-results")
        await expect(results.get_by_role("heading", name=name)).to_be_visible()
        await expect(app.locator("#facility-updated")).to_contain_text("Cập nhật lúc")
        await check_screen(app, "facility-offline", targets=False)
        await search.fill(code)
        await expect(results.get_by_role("heading", name=name)).to_be_visible()
        # By the guardian's phone as people say it (0912…; stored +84912…).
        await search.fill("0" + phone.removeprefix("+84"))
        await expect(results.get_by_role("heading", name=called).first).to_be_visible()
    finally:
        server.start()
    # Signing out leaves nothing of the facility on a shared tablet.
    await app.goto("/#/")
    await app.locator("#logout").click()
    await expect(app.get_by_label("Tên đăng nhập")).to_be_visible()
    assert await stored_count(app, "reading") == 0


@ON_BOTH_ENGINES
async def test_a_parent_links_the_children_by_the_code_sent_to_the_guardians_phone(app: Any, server: Server) -> None:
    """A parent account of its own (the demo parent's two children stay as they are): the
    code reaches the test as it reaches the phone, in the SMS the server queued for it
    (the demo's SMS gateway is the log; its message is kept in the notification outbox)."""
    create_user(server, "phuhuynh.sdt", "niis-test-parent-phone", "parent")
    phone = server.rows(
        "SELECT g.phone FROM guardian g JOIN subject_guardian sg ON sg.guardian = g.id"
        " JOIN subject s ON s.id = sg.subject WHERE s.status = 'active' AND g.phone IS NOT NULL"
        " ORDER BY s.id LIMIT 1"
    )[0][0]
    children = {
        name
        for (name,) in server.rows(
            "SELECT DISTINCT s.full_name FROM subject s JOIN subject_guardian sg ON sg.subject = s.id"
            " JOIN guardian g ON g.id = sg.guardian WHERE g.phone = ? AND s.status <> 'merged'",
            phone,
        )
    }
    typed = "0" + phone.removeprefix("+84")  # as a parent writes it
    await sign_in(app, "phuhuynh.sdt", "niis-test-parent-phone")
    await app.goto("/#/link")
    await app.get_by_label("Số điện thoại người giám hộ").fill(typed)
    await app.get_by_role("button", name="Gửi mã").click()
    await expect(app.get_by_text("Nếu số này có trong sổ, mã đã được gửi bằng tin nhắn.")).to_be_visible()
    [(sms,)] = server.rows(
        "SELECT body FROM outbox WHERE channel = 'sms' AND recipient = ? ORDER BY id DESC LIMIT 1", phone
    )
    found = re.search(r"\b(\d{6})\b", sms)
    assert found, sms
    await check_screen(app, "parent-link-code", targets=False)
    await app.get_by_label("Mã 6 chữ số").fill(found.group(1))
    await app.get_by_role("button", name="Liên kết", exact=True).click()
    await expect(app.locator("#link-status")).to_have_text(f"Đã liên kết {len(children)} trẻ.")
    await expect(app.locator("#linked li")).to_have_count(len(children))
    assert set(await app.locator("#linked li").all_inner_texts()) == children
    assert {
        (name, method)
        for name, method in server.rows(
            "SELECT s.full_name, l.method FROM parent_link l JOIN subject s ON s.id = l.subject"
            " JOIN account a ON a.id = l.account WHERE a.username = ?",
            "phuhuynh.sdt",
        )
    } == {(name, "phone") for name in children}
    await app.get_by_role("link", name="Về danh sách con").click()
    await expect(app.locator("#children li")).to_have_count(len(children))

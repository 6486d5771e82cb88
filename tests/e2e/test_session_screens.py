"""The session screens in a real browser on a real server (demo data, SQLite): the
demo vaccinator opens today's session from home, downloads its roster (each child's
record kept with it), the server stops, one child is marked absent and another given a
dose from the roster; the server comes back and both are sent without anyone asking,
once; the session closes and its report says what the database holds. The officer's
campaign list shows the demo campaign's progress. axe, 44 px targets, screenshots.
One server for the module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.field_app import Server, check_screen, signed_in_page
from tests.e2e.test_dose_screens import infants, penta_lot, pick_and_save

pytestmark = pytest.mark.slow

PROVINCE_OFFICER = ("tinh.tuyenquang", "niis-demo-province")


@pytest.fixture
async def app(browser: Any, server: Server) -> AsyncIterator[Any]:
    async with signed_in_page(browser, server) as page:
        yield page


def todays_session(server: Server) -> int:
    return int(
        server.fetch_value(
            "SELECT id FROM vaccination_session WHERE place_name = 'Trạm Y tế xã' AND status != 'closed'"
        )
    )


async def test_a_roster_worked_offline_syncs_once_and_the_report_matches_the_database(app: Any, server: Server) -> None:
    session = todays_session(server)
    await app.get_by_role("link", name="Buổi tiêm hôm nay").click()  # home → today's sessions
    await app.locator(f'#sessions-list li[data-session="{session}"] a').click()  # → the session (2 taps)
    await expect(app.locator("#session-status")).to_contain_text("Đã tải lúc")
    roster = await (await app.request.get(f"/api/sessions/{session}/roster")).json()
    on_roster = {c["id"] for c in roster["children"]}
    waiting = [c for c in roster["children"] if c["attendance"]["status"] == "expected"]
    await expect(app.locator("#session-records")).to_have_text(
        f"Hồ sơ đã lưu trên máy: {len(waiting)}/{len(waiting)}", timeout=60000
    )
    await check_screen(app, "session-roster")
    lot = await penta_lot(app)
    dosed = next(subject for subject, _ in infants(server) if subject in on_roster)
    absent = next(c["id"] for c in waiting if c["id"] != dosed)
    before = int(server.fetch_value("SELECT sum(doses) FROM stock_balance WHERE lot = ?", lot["lot_id"]))

    server.stop()
    try:
        await app.reload()  # offline: the kept roster opens
        await expect(app.locator("#session-status")).to_contain_text("Không có mạng: danh sách đã tải lúc")
        child = app.locator(f'#session-roster li[data-subject="{absent}"]')
        await child.get_by_role("button", name="Vắng").click()
        await expect(child.locator(".attendance")).to_have_text("Vắng mặt (chờ gửi)")
        await app.locator(f'#session-roster li[data-subject="{dosed}"]').get_by_role("link", name="Tiêm").click()
        await pick_and_save(app, lot["lot_number"])
        await expect(app.locator("#dose-outcome")).to_contain_text("Chưa có mạng", timeout=15000)
        await app.goto(f"/#/session/{session}")
        await expect(app.locator(f'#session-roster li[data-subject="{dosed}"] .attendance')).to_have_text(
            "Đã tiêm (chờ gửi)"
        )
    finally:
        server.start()
    await app.reload()  # back online: the outbox goes at once, the roster is read again
    await expect(app.locator(f'#session-roster li[data-subject="{absent}"] .attendance')).to_have_text(
        "Vắng mặt", timeout=20000
    )
    await expect(app.locator(f'#session-roster li[data-subject="{dosed}"] .attendance')).to_have_text(
        "Đã tiêm", timeout=20000
    )
    assert server.rows("SELECT subject, status FROM session_attendance WHERE session = ?", session) == [
        (absent, "absent")
    ]
    assert server.rows("SELECT subject, vaccine_code FROM dose WHERE session = ?", session) == [(dosed, "198")]
    assert int(server.fetch_value("SELECT sum(doses) FROM stock_balance WHERE lot = ?", lot["lot_id"])) == before - 1

    await app.get_by_role("button", name="Kết thúc buổi tiêm").click()
    await expect(app.locator("#session-close-outcome")).to_have_text("Buổi tiêm đã kết thúc.")
    report = app.locator("#session-report")
    vaccinated = server.fetch_value("SELECT count(DISTINCT subject) FROM dose WHERE session = ?", session)
    marked = server.fetch_value(
        "SELECT count(*) FROM session_attendance WHERE session = ? AND status = 'absent'", session
    )
    opened = server.fetch_value(
        "SELECT coalesce(sum(doses), 0) FROM stock_open_vial WHERE session = ?", f"session-{session}"
    )
    await expect(report.locator('[data-figure="roster"]')).to_have_text(f"Trong danh sách: {len(on_roster)}")
    await expect(report.locator('[data-figure="vaccinated"]')).to_have_text(f"Đã tiêm: {vaccinated}")
    await expect(report.locator('[data-figure="absent"]')).to_have_text(f"Vắng mặt: {marked}")
    await expect(report.locator('[data-figure="doses"]')).to_have_text("Số mũi đã tiêm: 1")
    await expect(report.locator("#session-wastage")).to_contain_text(f"({opened} liều)")
    assert server.fetch_value("SELECT status FROM vaccination_session WHERE id = ?", session) == "closed"
    await check_screen(app, "session-report")


async def test_the_officer_sees_the_campaigns_progress_and_the_session_plan(browser: Any, server: Server) -> None:
    async with signed_in_page(browser, server, PROVINCE_OFFICER) as page:
        await page.get_by_role("link", name="Chiến dịch").click()
        campaign = page.locator("#campaigns-list li").first
        target = server.fetch_value("SELECT target FROM campaign")
        await expect(campaign).to_contain_text("Tiêm bù Sởi - Rubella")
        await expect(campaign).to_contain_text(f"/{target} trẻ")
        await expect(page.locator('#campaign-form select[name="vaccine_group"]')).to_have_value("Measles/MR")
        await check_screen(page, "campaigns")
        await page.goto("/#/session-plan")
        await expect(page.locator("#session-plan-form")).to_be_visible()
        # The groups offered are the schedule's (the server's list), e.g. meningococcal too.
        await expect(page.locator('#f-vaccine_groups input[value="Meningococcal"]')).to_be_visible()
        await check_screen(page, "session-plan")

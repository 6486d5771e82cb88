"""The stock report and open vials in a real browser on a real demo server: the clerk
opens vials, discards one by hand and closes the session (each write through the outbox,
checked in the database), and the usage report shows, for the clerk and for the province
officer, the doses wasted that the ledger holds; each screen passes axe and 44 px targets
at 360×640 and 1280×800."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.field_app import ON_BOTH_ENGINES, Server, check_screen, signed_in_page

# The month of a ledger event is computed in SQL per engine (to_char, strftime): both run.
pytestmark = [pytest.mark.slow, ON_BOTH_ENGINES]

CLERK = ("kho.tinh", "niis-demo-stock")
OFFICER = ("tinh.tuyenquang", "niis-demo-province")
COLD_ROOM = "Kho lạnh tỉnh"
MEASLES = "MR24041"  # the demo's measles-rubella lot: 10-dose vials, discarded at the session's end
BCG = "BCG24001"  # 20-dose vials, discarded 6 hours after opening
SENT = "Đã gửi, máy chủ đã ghi nhận."


@pytest.fixture
async def clerk(browser: Any, server: Server) -> AsyncIterator[Any]:
    async with signed_in_page(browser, server, CLERK) as page:
        yield page


@pytest.fixture
async def officer(browser: Any, server: Server) -> AsyncIterator[Any]:
    async with signed_in_page(browser, server, OFFICER) as page:
        yield page


def this_month() -> str:
    """The month the ledger files today's events under (Vietnam's, UTC+7)."""
    return (datetime.now(UTC) + timedelta(hours=7)).strftime("%Y-%m")


def vial(server: Server, lot: str, session: str) -> tuple[Any, ...]:
    [row] = server.rows(
        "SELECT v.doses, v.given, v.closed_at IS NOT NULL, v.closed_by, v.wasted FROM stock_open_vial v"
        " JOIN stock_lot l ON l.id = v.lot WHERE l.number = ? AND v.session = ?",
        lot,
        session,
    )
    doses, given, closed, closed_by, wasted = row
    return doses, given, bool(closed), closed_by, wasted


def wasted_this_month(server: Server, store: str) -> dict[tuple[str, str], int]:
    """What the ledger holds: doses out by adjustment reason per product, this month (all
    the demo's adjustments are this test module's, the ledger's dates today's)."""
    rows = server.rows(
        "SELECT p.code, v.reason, -SUM(e.doses) FROM stock_entry e JOIN stock_event v ON v.id = e.event"
        " JOIN store s ON s.id = e.store JOIN stock_lot l ON l.id = e.lot JOIN stock_product p ON p.id = l.product"
        " WHERE v.kind = 'adjustment' AND v.reason <> 'found' AND s.name = ? GROUP BY p.code, v.reason",
        store,
    )
    return {(code, reason): int(doses) for code, reason, doses in rows}


async def test_vials_opened_discarded_by_hand_and_at_session_close_are_written_off(clerk: Any, server: Server) -> None:
    session = "buoi-sang"
    await clerk.get_by_role("link", name="Tồn kho").click()
    await clerk.get_by_role("link", name="Lọ đã mở").click()
    await expect(clerk.get_by_role("heading", name="Lọ vắc xin đã mở")).to_be_visible()
    await expect(clerk.locator("#open-vials")).to_contain_text("Không có lọ nào đang mở.")
    await clerk.get_by_label("Buổi tiêm").fill(session)
    for lot in (MEASLES, BCG):
        await clerk.locator("#vial-lot").select_option(
            label=next(text for text in await clerk.locator("#vial-lot option").all_inner_texts() if lot in text)
        )
        await clerk.get_by_role("button", name="Mở lọ mới").click()
        await expect(clerk.locator("#open-vial .stock-result")).to_have_text(SENT, timeout=15000)
        await expect(clerk.locator(f"#open-vials li[data-lot='{lot}']")).to_be_visible()
    measles = clerk.locator(f"#open-vials li[data-lot='{MEASLES}']")
    await expect(measles).to_contain_text("Còn 10/10 liều")
    await expect(measles).to_contain_text("Huỷ khi kết thúc buổi tiêm")
    bcg = clerk.locator(f"#open-vials li[data-lot='{BCG}']")
    await expect(bcg).to_contain_text("Còn 20/20 liều")
    await expect(bcg).to_contain_text("theo quy định")
    assert vial(server, MEASLES, session) == (10, 0, False, "", None)
    await check_screen(clerk, "stock-vials")

    await bcg.get_by_role("button", name="Huỷ lọ").click()
    await expect(bcg).to_have_count(0, timeout=15000)  # read again once the server confirmed
    assert vial(server, BCG, session)[2:] == (True, "discarded", 20)
    await clerk.get_by_role("button", name="Kết thúc buổi tiêm").click()
    await expect(clerk.locator("#close-session + .stock-result")).to_have_text(SENT, timeout=15000)
    await expect(clerk.locator("#open-vials")).to_contain_text("Không có lọ nào đang mở.")
    assert vial(server, MEASLES, session)[2:] == (True, "session", 10)
    # The wastage is the ledger's: one open-vial discard per vial, nobody typed it.
    wasted = wasted_this_month(server, COLD_ROOM)
    assert wasted[("MR", "open_vial_discard")] == 10
    assert wasted[("BCG", "open_vial_discard")] == 20


async def test_a_refused_vial_write_shows_the_servers_reason(clerk: Any, server: Server) -> None:
    await clerk.goto("/#/stock-vials")
    await clerk.get_by_label("Buổi tiêm").fill("buoi-chieu")
    await clerk.get_by_role("button", name="Mở lọ mới").click()
    first = clerk.locator("#open-vials li").first
    await expect(first.get_by_role("button", name="Huỷ lọ")).to_be_visible(timeout=15000)
    vial_id = await first.get_attribute("data-vial")
    store_id = (
        await clerk.evaluate("localStorage.getItem('niis.stock.store')")
        or (await (await clerk.request.get("/api/stock/stores")).json())[0]["id"]
    )
    # Another tablet discarded it already: this one's discard is refused, and says why.
    made = await clerk.request.post(
        f"/api/stock/stores/{store_id}/open-vials/{vial_id}/discard",
        headers={"X-CSRF-Token": await clerk.evaluate("import('/js/api.js').then((api) => api.csrf())")},
        data={},
    )
    assert made.status == 200
    await first.get_by_role("button", name="Huỷ lọ").click()
    await expect(first.locator(".stock-result")).to_contain_text("Máy chủ từ chối", timeout=15000)
    [(closed,)] = server.rows(
        "SELECT count(*) FROM stock_open_vial WHERE id = ? AND closed_at IS NOT NULL", int(vial_id)
    )
    assert closed == 1


async def test_the_usage_report_shows_the_wastage_the_ledger_holds_to_the_clerk(clerk: Any, server: Server) -> None:
    await clerk.get_by_role("link", name="Tồn kho").click()
    await clerk.get_by_role("link", name="Sử dụng và hao hụt").click()
    await expect(clerk.get_by_role("heading", name="Sử dụng và hao hụt vắc xin")).to_be_visible()
    month = this_month()
    await expect(clerk.locator("#usage-from")).not_to_have_value("")
    await expect(clerk.locator("#usage-to")).to_have_value(month)
    cold_room = clerk.locator(f"[data-store='{COLD_ROOM}']")
    await expect(cold_room).to_be_visible()
    held = wasted_this_month(server, COLD_ROOM)
    assert held, "the vial test wrote open-vial discards first"
    for code in {code for code, _ in held}:
        card = cold_room.locator(f".usage[data-product='{code}'][data-month='{month}']")
        total = sum(doses for (product, _), doses in held.items() if product == code)
        await expect(card.locator("dd.wasted")).to_have_text(str(total))
        await expect(card.locator("dd.administered")).to_have_text("0")  # no dose recorded yet in the demo
        await expect(card.locator("dd.issued")).to_have_text(str(total))
        await expect(card.locator("dd.rate")).to_have_text("100%")
        for (product, reason), doses in held.items():
            if product == code:
                await expect(card.locator(f"li[data-reason='{reason}']")).to_contain_text(f"{doses} liều")
    await expect(cold_room.locator(".usage[data-product='MR'] li[data-reason='open_vial_discard']")).to_have_text(
        "Lọ đã mở bị huỷ: 10 liều"
    )
    await check_screen(clerk, "stock-usage")
    # A period with nothing in it says so.
    await clerk.locator("#usage-from").fill("2020-01")
    await clerk.locator("#usage-to").fill("2020-02")
    await clerk.get_by_role("button", name="Xem báo cáo").click()
    await expect(clerk.locator("#usage-report")).to_have_text(
        "Không có liều nào được tiêm hay hao hụt trong thời gian này."
    )


async def test_the_province_officer_reads_the_usage_of_the_area_from_home(officer: Any, server: Server) -> None:
    await officer.get_by_role("link", name="Sử dụng và hao hụt").click()
    card = officer.locator(f"[data-store='{COLD_ROOM}'] .usage[data-product='MR'][data-month='{this_month()}']")
    await expect(card.locator("dd.wasted")).to_have_text(
        str(sum(doses for (code, _), doses in wasted_this_month(server, COLD_ROOM).items() if code == "MR"))
    )
    await expect(officer.get_by_role("link", name="← Trang chính")).to_be_visible()
    await check_screen(officer, "stock-usage-officer")

"""AEFI in a real browser on a real server (demo data, SQLite): a vaccinator reports a
serious adverse event from a dose's line in the child's history and the officers above
are alerted; the province officer finds it first in the AEFI list (with the lot's count)
and puts the lot on hold from the report, with a reason; the vaccinator, whose dose
screen still offered that lot, is refused on screen saying the lot is on hold, and
nothing is recorded. axe, 44 px targets, screenshots. One server, one flow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from api.clock import SystemClock
from tests.e2e.field_app import Server, check_screen, signed_in_page

pytestmark = pytest.mark.slow

PROVINCE = ("tinh.tuyenquang", "niis-demo-province")
PENTAVALENT = "198"


def infants(server: Server) -> list[tuple[int, str]]:
    """The vaccinator's facility's children aged 2 to 13 months with no dose yet."""
    today = SystemClock().today()
    rows = server.rows(
        "SELECT s.id, s.full_name FROM subject s JOIN account a ON a.scope_facility = s.facility"
        " WHERE a.username = 'tiem.minhxuan' AND s.status = 'active' AND s.birth_date BETWEEN ? AND ?"
        " AND s.id NOT IN (SELECT subject FROM dose) ORDER BY s.birth_date DESC, s.id",
        str(today - timedelta(days=400)),
        str(today - timedelta(days=62)),
    )
    assert len(rows) >= 2, rows
    return [(int(r[0]), str(r[1])) for r in rows]


async def give_pentavalent(page: Any, subject: int, name: str) -> dict[str, Any]:
    """On the dose screen: the first pentavalent lot, the usual screening answer, save."""
    lots = await (await page.request.get("/api/doses/lots")).json()
    lot = next(lot for lot in lots if lot["vaccine_code"] == PENTAVALENT)
    await page.goto(f"/#/dose/{subject}")
    await expect(page.get_by_role("heading", level=2)).to_have_text(f"Ghi mũi tiêm: {name}")
    await page.locator("#dose-lots label").filter(has_text=f"lô {lot['lot_number']}").click()
    await page.get_by_role("button", name="Khám bình thường: tất cả đều Không").click()
    await page.get_by_role("button", name="Lưu mũi tiêm").click()
    return dict(lot)


async def test_a_serious_aefi_is_reported_the_officer_holds_the_lot_and_its_next_dose_is_refused(
    browser: Any, server: Server
) -> None:
    (child, name), (next_child, next_name) = infants(server)[:2]
    async with signed_in_page(browser, server) as vaccinator:
        lot = await give_pentavalent(vaccinator, child, name)
        await expect(vaccinator.get_by_role("heading", level=2)).to_have_text(name)
        dose_line = vaccinator.locator("#history li.given").first
        await expect(dose_line).to_contain_text(lot["lot_number"])

        # From the dose's line in the history: the report form, that dose ticked.
        await dose_line.get_by_role("link", name="Báo cáo phản ứng sau tiêm").click()
        await expect(vaccinator.get_by_role("heading", level=2)).to_have_text(f"Báo cáo phản ứng sau tiêm: {name}")
        await expect(vaccinator.locator("#aefi-form fieldset").first.locator("input:checked")).to_have_count(1)
        await vaccinator.get_by_label("Co giật (có sốt hoặc không sốt)").check()
        await vaccinator.get_by_label("Sốt ≥ 38 °C").check()
        await vaccinator.get_by_label("Mức độ nghiêm trọng").select_option("hospitalised")
        await vaccinator.get_by_label("Người báo (nếu là phụ huynh)").fill("Nguyễn Thị Mai")
        await check_screen(vaccinator, "aefi-report")
        await vaccinator.get_by_role("button", name="Gửi báo cáo").click()
        outcome = vaccinator.locator("#aefi-outcome")
        await expect(outcome).to_contain_text("Đã gửi báo cáo. Đã báo cho", timeout=15000)
        [(report, seriousness)] = server.rows("SELECT id, seriousness FROM aefi_report WHERE subject = ?", child)
        assert seriousness == "hospitalised"
        # The commune, province and national officers above the station, each once.
        recipients = server.rows("SELECT recipient FROM outbox WHERE reference = ?", f"aefi:{report}")
        assert len(recipients) == len(set(recipients)) == 3

        # The vaccinator moves on to the next child: the dose screen offers the lot.
        await vaccinator.goto(f"/#/dose/{next_child}")
        await expect(vaccinator.get_by_role("heading", level=2)).to_have_text(f"Ghi mũi tiêm: {next_name}")
        lot_choice = vaccinator.locator("#dose-lots label").filter(has_text=f"lô {lot['lot_number']}")
        await expect(lot_choice).to_be_visible()

        async with signed_in_page(browser, server, PROVINCE) as officer:
            # Two taps from home: the tile, then the report (serious, first in the list).
            await officer.get_by_role("link", name="Phản ứng sau tiêm").click()
            first = officer.locator("#aefi-reports > li").first
            await expect(first).to_contain_text(name)
            await expect(first).to_contain_text("Nặng: Phải nhập viện")
            await expect(officer.locator("#aefi-lots")).to_contain_text(f"Lô {lot['lot_number']}")
            await check_screen(officer, "aefi-list")
            await first.get_by_role("link").click()
            await expect(officer.locator("#aefi-alerts li")).to_have_count(3)
            await check_screen(officer, "aefi-detail")
            await officer.get_by_label(f"Lý do tạm dừng lô {lot['lot_number']}").fill("Co giật sau tiêm, chờ điều tra")
            await officer.get_by_role("button", name=f"Tạm dừng lô {lot['lot_number']}").click()
            await expect(officer.locator("#aefi-doses")).to_contain_text("Lô đang tạm dừng", timeout=15000)
            await expect(officer.get_by_role("button", name=f"Cho dùng lại lô {lot['lot_number']}")).to_be_visible()
            assert server.fetch_value("SELECT on_hold FROM stock_lot WHERE id = ?", lot["lot_id"]) in (1, True)

        # The screen still offered the lot: saving from it is refused, saying why.
        await lot_choice.click()
        await vaccinator.get_by_role("button", name="Khám bình thường: tất cả đều Không").click()
        await vaccinator.get_by_role("button", name="Lưu mũi tiêm").click()
        refused = vaccinator.locator("#dose-outcome")
        await expect(refused).to_contain_text(
            f"Lô {lot['lot_number']} của {lot['product_code']} đang bị tạm dừng sử dụng", timeout=15000
        )
        assert server.rows("SELECT id FROM dose WHERE subject = ?", next_child) == []

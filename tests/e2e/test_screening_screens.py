"""The advice on a subject's record and the screening preview, in a real browser on a
real server with the demo data: a pregnant woman's record says "do not give" for live
vaccines with the reason, and Td is due; the screening preview of a child ticks fever
and anaphylaxis after the pentavalent and shows "postpone until tomorrow" and "do not
give" per vaccine group; in English once. axe-core, 44 px targets, screenshots."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from api.clock import SystemClock
from tests.e2e.field_app import ON_BOTH_ENGINES, Server, check_screen, signed_in_page

# The forecast's advice and the screening outcome read the record from either engine's SQL.
pytestmark = [pytest.mark.slow, ON_BOTH_ENGINES]


def today() -> date:
    """Today in Vietnam, as the server counts it (UTC's date differs from 17:00 to midnight UTC)."""
    return SystemClock().today()


def tomorrow() -> str:
    return (today() + timedelta(days=1)).strftime("%d/%m/%Y")


@pytest.fixture
async def app(browser: Any, server: Server) -> AsyncIterator[Any]:
    async with signed_in_page(browser, server) as page:
        yield page


async def facility_subject(app: Any, server: Server, where: str, *args: Any) -> tuple[int, str]:
    """The first active subject of the vaccinator's facility that fits ``where``."""
    me = await (await app.request.get("/api/auth/me")).json()
    rows = server.rows(
        "SELECT s.id, s.full_name FROM subject s WHERE s.facility = ? AND s.status = 'active' AND "
        f"{where} ORDER BY s.id LIMIT 1",
        me["scope_facility_id"],
        *args,
    )
    row = rows[0] if rows else None
    assert row is not None, where
    return int(row[0]), str(row[1])


async def test_a_pregnant_womans_record_withholds_live_vaccines_with_the_reason(app: Any, server: Server) -> None:
    woman, name = await facility_subject(
        app,
        server,
        "EXISTS (SELECT 1 FROM pregnancy p WHERE p.subject = s.id AND p.ended_on IS NULL AND p.expected_delivery > ?)",
        today(),
    )
    await app.goto(f"/#/subject/{woman}")
    await expect(app.get_by_role("heading", level=2)).to_have_text(name)
    lines = app.locator("#forecast li")
    measles = lines.filter(has_text="Measles/MR")
    await expect(measles).to_contain_text("Không tiêm: Vắc xin sống: chống chỉ định cho phụ nữ có thai")
    await expect(lines.filter(has_text="Td (women)")).not_to_contain_text("Không tiêm")
    await check_screen(app, "screening-record-pregnant")


async def child_over_a_month(app: Any, server: Server) -> tuple[int, str]:
    return await facility_subject(
        app, server, "s.birth_date BETWEEN ? AND ?", today() - timedelta(days=700), today() - timedelta(days=120)
    )


async def test_the_screening_preview_postpones_for_fever_and_withholds_after_anaphylaxis(
    app: Any, server: Server
) -> None:
    child, name = await child_over_a_month(app, server)
    await app.goto(f"/#/subject/{child}")
    await app.get_by_role("link", name="Khám sàng lọc (xem trước)").click()
    await expect(app.get_by_role("heading", level=2)).to_have_text(f"Khám sàng lọc: {name}")
    await expect(app.locator("legend")).to_contain_text("Trẻ từ 1 tháng tuổi trở lên")
    await app.get_by_label("Nhiệt độ >= 37,5 °C hoặc <= 35,5 °C?").check()
    await app.get_by_label("Phản vệ hoặc phản ứng nặng sau lần tiêm chủng trước", exact=False).check()
    await app.get_by_label("Vắc xin của lần tiêm trước").select_option("198")
    await check_screen(app, "screening-form")
    await app.get_by_role("button", name="Xem kết quả").click()
    await expect(app.locator("#screening-decision")).to_have_text("Tạm hoãn tiêm chủng")
    groups = app.locator("#screening-groups li")
    await expect(groups.filter(has_text="PCV")).to_contain_text(f"Hoãn đến {tomorrow()}: ")
    await expect(groups.filter(has_text="DTP").first).to_contain_text("Không tiêm: Phản vệ")
    await check_screen(app, "screening-outcome")


async def test_the_screening_preview_speaks_english_once_switched(app: Any, server: Server) -> None:
    child, name = await child_over_a_month(app, server)
    await app.goto(f"/#/screening/{child}")
    await expect(app.get_by_role("heading", level=2)).to_have_text(f"Khám sàng lọc: {name}")
    await app.locator("#lang").select_option("en")
    await expect(app.get_by_role("heading", level=2)).to_have_text(f"Screening: {name}")
    await app.get_by_label("Temperature >= 37.5 °C or <= 35.5 °C?").check()
    await app.get_by_role("button", name="Show the outcome").click()
    await expect(app.locator("#screening-decision")).to_have_text("Postpone vaccination")
    await expect(app.locator("#screening-groups li").filter(has_text="PCV")).to_contain_text(
        f"Postpone until {tomorrow()}: Fever"
    )

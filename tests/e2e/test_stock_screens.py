"""The stock clerk's screens in a real browser on a real demo server: stock on hand with
the expiring lot and the product below min, receiving a delivery from a photo of its
carton label (a new lot, and an SSCC naming a shipment in transit, received short), a
count made offline and sent once, and each screen usable by screen readers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from api.clock import SystemClock
from api.demo_stock import demo_number
from tests.e2e.field_app import (
    ON_BOTH_ENGINES,
    VIEWPORTS,
    Server,
    check_screen,
    screenshot,
    serious_violations,
    signed_in_page,
    small_controls,
)
from tests.stock_labels import label_photo

pytestmark = pytest.mark.slow

CLERK = ("kho.tinh", "niis-demo-stock")
HEPB = demo_number(101, 14)  # the demo's hepatitis B presentation: 10-dose vials
TO_THE_FREEZER = demo_number(2, 18)  # the SSCC of the demo's oral polio on its way to the freezer
SCAN_TIMEOUT = 60_000  # the decode pool on a loaded machine


@pytest.fixture
async def app(browser: Any, server: Server) -> AsyncIterator[Any]:
    async with signed_in_page(browser, server, CLERK) as page:
        yield page


@pytest.fixture(params=sorted(VIEWPORTS))
async def sized(request: pytest.FixtureRequest, browser: Any, server: Server) -> AsyncIterator[tuple[str, Any]]:
    async with signed_in_page(browser, server, CLERK, request.param) as page:
        yield request.param, page


def balance(server: Server, store: str, lot: str) -> int:
    [(doses,)] = server.rows(
        "SELECT b.doses FROM stock_balance b JOIN store s ON s.id = b.store JOIN stock_lot l ON l.id = b.lot"
        " WHERE s.name = ? AND l.number = ?",
        store,
        lot,
    )
    return int(doses)


async def upload(page: Any, name: str, picture: bytes) -> None:
    await page.set_input_files("#delivery-photos", files=[{"name": name, "mimeType": "image/jpeg", "buffer": picture}])


async def test_stock_on_hand_shows_the_expiring_lot_and_the_product_below_min(app: Any) -> None:
    await app.get_by_role("link", name="Tồn kho").click()
    await expect(app.get_by_role("heading", name="Tồn kho")).to_be_visible()
    penta = app.locator("[data-product='DTP-HepB-Hib']")
    expiring = penta.locator(".lot.expiring")
    await expect(expiring).to_have_count(1)  # the older lot, 25 days left; the other is not highlighted
    await expect(expiring).to_contain_text("Sắp hết hạn")
    await expect(expiring).to_contain_text("VVM: giai đoạn 1")
    measles = app.locator("[data-product='MR']")
    await expect(measles).to_have_class("card product below-min")
    await expect(measles).to_contain_text("Dưới mức tối thiểu (8000 liều)")
    await expect(app.locator("[data-product='BCG']")).not_to_have_class("card product below-min")


async def test_a_carton_photographed_on_delivery_becomes_a_receipt_and_its_balance(app: Any, server: Server) -> None:
    expiry = SystemClock().today() + timedelta(days=400)
    carton = label_photo([f"(02){HEPB}(17){expiry:%y%m%d}(37)5(10)HEP9901"], "Code128", 31)
    await app.get_by_role("link", name="Nhận hàng bằng ảnh").click()
    await upload(app, "carton.jpg", carton)
    await expect(app.locator("#photo-status")).to_contain_text("Đã điền 1 dòng", timeout=SCAN_TIMEOUT)
    line = app.locator("#receipt-lines li")
    await expect(line.get_by_label("Số lô")).to_have_value("HEP9901")
    await expect(line.get_by_label("Hạn dùng")).to_have_value(expiry.isoformat())
    await expect(line.get_by_label("Số liều")).to_have_value("50")  # 5 vials × 10 doses, from AI 37
    await expect(line).to_contain_text("= 5 lọ × 10 liều")
    # The clerk counts six vials in the carton, corrects, reads the VVM and confirms.
    await line.get_by_label("Số liều").fill("60")
    await line.get_by_label("VVM").select_option("1")
    await app.get_by_role("button", name="Xác nhận nhập kho").click()
    await expect(app.locator(".stock-result")).to_have_text("Đã gửi, máy chủ đã ghi nhận.", timeout=15000)
    assert balance(server, "Kho lạnh tỉnh", "HEP9901") == 60
    [(vvm,)] = server.rows(
        "SELECT e.vvm_stage FROM stock_entry e JOIN stock_lot l ON l.id = e.lot WHERE l.number = 'HEP9901'"
    )
    assert vvm == 1


async def test_an_sscc_photographed_fills_the_shipment_in_transit_and_the_shortfall_is_a_discrepancy(
    app: Any, server: Server
) -> None:
    await app.get_by_role("link", name="Nhận hàng bằng ảnh").click()
    await app.locator("#stock-store").select_option(label="Tủ đông")
    await expect(app.locator("#stock-store-name")).to_have_text("Tủ đông")
    await upload(app, "sscc.jpg", label_photo([f"(00){TO_THE_FREEZER}"], "Code128", 32))
    await expect(app.locator("#photo-status")).to_contain_text(TO_THE_FREEZER, timeout=SCAN_TIMEOUT)
    line = app.locator("#shipment-receipt li")
    await expect(line).to_have_count(1)
    await expect(line).to_contain_text("bOPV")
    arrived = line.get_by_label("Số liều nhận (đã xuất 1000)")
    await expect(arrived).to_have_value("1000")
    await check_screen(app, "stock-shipment-receipt")
    await arrived.fill("980")  # a vial of 20 doses broken in transit
    await line.get_by_label("Lý do thiếu").select_option("damaged")
    await app.get_by_role("button", name="Xác nhận đã nhận").click()
    await expect(app.locator(".stock-result")).to_have_text("Đã gửi, máy chủ đã ghi nhận.", timeout=15000)
    [(status,)] = server.rows(
        "SELECT status FROM stock_event WHERE kind = 'shipment' AND reference = ?", TO_THE_FREEZER
    )
    assert status == "received"
    [(doses, expected, why)] = server.rows(
        "SELECT e.doses, e.expected_doses, e.discrepancy FROM stock_entry e JOIN stock_event v ON v.id = e.event"
        " WHERE v.kind = 'shipment_receipt' AND v.reference = ?",
        TO_THE_FREEZER,
    )
    assert (doses, expected, why) == (980, 1000, "damaged")
    await app.get_by_role("link", name="← Tồn kho").click()
    await expect(app.locator("[data-product='bOPV']")).to_contain_text("980 liều (49 lọ)")


@ON_BOTH_ENGINES
async def test_a_count_made_offline_is_recorded_once_when_the_network_is_back(app: Any, server: Server) -> None:
    lot = "HEP24011"
    await app.get_by_role("link", name="Tồn kho").click()
    await app.get_by_role("link", name="Kiểm kê").click()
    await expect(app.locator(f"#count li[data-lot='{lot}']")).to_be_visible()  # read once online
    before = balance(server, "Kho lạnh tỉnh", lot)
    server.stop()
    try:
        await app.reload()  # from the cached shell and the balances last read
        await expect(app.locator(".notice").first).to_contain_text("Không có mạng")
        line = app.locator(f"#count li[data-lot='{lot}']")
        await line.get_by_label("Số liều đếm được").fill(str(before - 10))
        await expect(line).to_contain_text("Chênh lệch: -10 liều")
        await app.get_by_role("button", name="Ghi kết quả kiểm kê").click()
        await expect(app.locator(".stock-result")).to_have_text("Đã lưu, chờ gửi khi có mạng.")
        await expect(app.locator("#sync-status")).to_contain_text("1 mục chờ gửi")
    finally:
        server.start()
    await app.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(app.locator("#sync-status")).to_have_text("Đã đồng bộ", timeout=20000)
    await app.evaluate("window.dispatchEvent(new Event('focus'))")
    await app.reload()
    await expect(app.locator("#sync-status")).to_have_text("Đã đồng bộ")
    assert balance(server, "Kho lạnh tỉnh", lot) == before - 10
    [(counts,)] = server.rows("SELECT count(*) FROM stock_event WHERE kind = 'count'")
    assert counts == 1


SCREENS = ["stock", "stock-receive", "stock-transit", "stock-ship", "stock-count", "stock-alerts"]


async def test_each_stock_screen_has_no_serious_accessibility_violation(sized: tuple[str, Any]) -> None:
    viewport, page = sized
    found: dict[str, list[str]] = {}
    small: dict[str, list[str]] = {}
    for screen in SCREENS:
        await page.goto(f"/#/{screen}")
        await page.locator("main h2").wait_for()
        await page.wait_for_load_state("networkidle")
        found[screen] = await serious_violations(page)
        # Touch targets: every control of the screen at least 44 px high.
        small[screen] = await small_controls(page)
        await screenshot(page, f"{screen}-{viewport}")
    assert found == {screen: [] for screen in SCREENS}
    assert small == {screen: [] for screen in SCREENS}
    await expect(page.locator("#alerts li")).not_to_have_count(0)

"""The registry's screens in a real browser on a real server with the demo data: find a
child by name typed without accents and open the record with its forecast; register a
child (once in the database); a refusal shown where the person can act on it (422 under
the field, 409 as the candidates side by side with "not the same person"); a
correction that crossed another one explained with a reload; axe-core on each screen."""

from __future__ import annotations

import asyncio
import random
import unicodedata
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from api.clock import SystemClock
from scanning.testing import payloads
from tests.e2e.field_app import (
    ON_BOTH_ENGINES,
    Server,
    queue,
    registration,
    signed_in_page,
)
from tests.e2e.field_app import check_screen as screen_checks

pytestmark = pytest.mark.slow

THREE_MONTHS_AGO = str(SystemClock().today() - timedelta(days=90))


@pytest.fixture
async def app(browser: Any, server: Server) -> AsyncIterator[Any]:
    async with signed_in_page(browser, server) as page:
        yield page


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


async def demo_child(app: Any, server: Server) -> dict[str, Any]:
    """A child of the vaccinator's facility with an accented name and a mother's phone."""
    me = await (await app.request.get("/api/auth/me")).json()
    rows = server.rows(
        """SELECT s.id, s.full_name, s.birth_date, s.sex, g.full_name, g.phone FROM subject s
           JOIN subject_guardian sg ON sg.subject = s.id AND sg.relationship = 'mother'
           JOIN guardian g ON g.id = sg.guardian
           WHERE s.facility = ? AND s.status = 'active' AND g.phone IS NOT NULL AND s.personal_id IS NULL
           ORDER BY s.id""",
        me["scope_facility_id"],
    )
    child = next(r for r in rows if without_accents(r[1]) != r[1])
    found = dict(zip(("id", "full_name", "birth_date", "sex", "mother", "phone"), child, strict=True))
    return {**found, "birth_date": str(found["birth_date"])}  # PostgreSQL gives a date


async def check_screen(page: Any, name: str) -> None:
    await screen_checks(page, f"registry-{name}")


async def fill_child(app: Any, full_name: str, birth_date: str, mother: str, phone: str) -> None:
    await app.get_by_label("Họ và tên", exact=True).fill(full_name)
    await app.get_by_label("Ngày sinh").fill(birth_date)
    await app.get_by_label("Họ tên người giám hộ").fill(mother)
    await app.get_by_label("Số điện thoại").fill(phone)


async def open_register(app: Any) -> None:
    await app.get_by_role("link", name="Đăng ký mới").click()
    await app.get_by_role("heading", name="Đăng ký đối tượng mới").wait_for()


def subject_count(server: Server, full_name: str) -> int:
    return server.subjects_named(full_name)


@ON_BOTH_ENGINES
async def test_a_child_is_found_by_name_without_accents_and_opens_with_its_forecast(app: Any, server: Server) -> None:
    child = await demo_child(app, server)
    await app.get_by_role("link", name="Tìm đối tượng").click()
    typed = without_accents(child["full_name"]).lower()
    await app.get_by_label("Mã số, họ tên, số điện thoại hoặc số định danh").fill(typed)
    await app.get_by_role("button", name="Tìm", exact=True).click()
    hit = app.locator(f'.hit a[href="#/subject/{child["id"]}"]')
    await expect(hit).to_contain_text(child["full_name"])
    await check_screen(app, "search")
    await hit.click()
    await expect(app.get_by_role("heading", level=2)).to_have_text(child["full_name"])
    forecast = app.locator("#forecast li")
    await expect(forecast.first).to_be_visible()
    # Every vaccine group in plain words, with dates where a dose is coming or due.
    assert await forecast.count() >= 5
    texts = await forecast.all_inner_texts()
    assert any(("Sắp tới" in t or "Đến hạn" in t or "Quá hạn" in t) and "/" in t for t in texts), texts
    await expect(app.get_by_text(child["mother"])).to_be_visible()
    await expect(app.get_by_text("Chưa chuyển nơi ở lần nào.")).to_be_visible()
    card = app.get_by_role("link", name="In thẻ tiêm chủng (A6)")
    assert await card.get_attribute("href") == f"/api/subjects/{child['id']}/card"
    await check_screen(app, "subject")


@ON_BOTH_ENGINES
async def test_a_child_is_found_by_the_personal_id_typed_in_the_search(app: Any, server: Server) -> None:
    born = SystemClock().today() - timedelta(days=90)
    number = payloads.personal_id(random.Random(12), born, True)
    await queue(app, {**await registration(app, "Triệu Thị Định Danh", str(born)), "personal_id": number})
    await expect(app.locator("#sync-status")).to_have_text("Đã đồng bộ", timeout=15000)
    [(subject_id,)] = server.rows("SELECT id FROM subject WHERE personal_id = ?", number)
    await app.get_by_role("link", name="Tìm đối tượng").click()
    await app.get_by_label("Mã số, họ tên, số điện thoại hoặc số định danh").fill(number)
    await app.get_by_role("button", name="Tìm", exact=True).click()
    hits = app.locator(".hit a")
    await expect(hits).to_have_count(1)
    await expect(hits).to_contain_text("Triệu Thị Định Danh")
    await hits.click()
    await expect(app.get_by_role("heading", level=2)).to_have_text("Triệu Thị Định Danh")
    assert app.url.endswith(f"#/subject/{subject_id}")


@ON_BOTH_ENGINES
async def test_search_results_come_a_page_at_a_time(app: Any) -> None:
    await app.goto("/#/search/nguyen")
    await expect(app.locator("#search-summary")).to_have_text("Trang 1")
    hrefs = "els => els.map(e => e.getAttribute('href'))"
    first = await app.locator(".hit a").evaluate_all(hrefs)
    assert len(first) == 20
    await app.get_by_role("link", name="Trang sau →").click()
    await expect(app.locator("#search-summary")).to_have_text("Trang 2")
    second = await app.locator(".hit a").evaluate_all(hrefs)
    assert second and set(second).isdisjoint(first)
    await expect(app.get_by_role("link", name="← Trang trước")).to_be_visible()


@ON_BOTH_ENGINES
async def test_a_child_registered_on_the_form_is_one_row_and_opens(app: Any, server: Server) -> None:
    await open_register(app)
    await check_screen(app, "register")
    await fill_child(app, "Lò Thị Mai Anh", THREE_MONTHS_AGO, "Lò Thị Sen", "0987 111 222")
    await app.get_by_role("button", name="Đăng ký", exact=True).click()
    await expect(app.get_by_role("heading", level=2)).to_have_text("Lò Thị Mai Anh")
    assert subject_count(server, "Lò Thị Mai Anh") == 1


async def test_register_tapped_while_the_facilities_load_waits_for_them(app: Any, server: Server) -> None:
    """On a slow network the form is shown before its facility list: a tap on Register
    then waits for it instead of refusing (or queueing a child with no facility). The
    list is held back until the tap, so the tap always comes while it loads."""
    tapped = asyncio.Event()

    async def after_the_tap(route: Any) -> None:
        await tapped.wait()
        await route.continue_()

    await app.route("**/api/facilities", after_the_tap)
    try:
        await app.get_by_role("link", name="Đăng ký mới").click()
        await fill_child(app, "Sùng Thị Chờ Tải", THREE_MONTHS_AGO, "Sùng Thị Pà", "0912 345 602")
        await expect(app.get_by_label("Cơ sở quản lý").locator("option")).to_have_count(0)  # still loading
        await app.get_by_role("button", name="Đăng ký", exact=True).click()
        tapped.set()
        await expect(app.get_by_role("heading", level=2)).to_have_text("Sùng Thị Chờ Tải")
    finally:
        await app.unroute("**/api/facilities")
    me = await (await app.request.get("/api/auth/me")).json()
    assert server.rows("SELECT facility FROM subject WHERE full_name = ?", "Sùng Thị Chờ Tải") == [
        (me["scope_facility_id"],)
    ]


async def test_offline_with_no_facility_list_kept_the_form_says_so_and_queues_nothing(app: Any) -> None:
    """A registration with no facility would be refused at sync, when the vaccinator has
    left the family: the form tells her now instead."""
    await app.evaluate("localStorage.removeItem('niis.registry.facilities')")
    await app.context.set_offline(True)
    try:
        await open_register(app)
        await expect(app.locator("#register-outcome")).to_have_text("Không tải được danh sách cơ sở.")
        await fill_child(app, "Hà Thị Không Cơ Sở", THREE_MONTHS_AGO, "Hà Thị Lụa", "0912 345 601")
        await app.get_by_role("button", name="Đăng ký", exact=True).click()
        await expect(app.locator("#f-facility_id-error")).to_contain_text("Chọn cơ sở quản lý")
        await expect(app.get_by_label("Cơ sở quản lý")).to_have_attribute("aria-invalid", "true")
        assert await app.evaluate("self.NiisOutbox.all().then((items) => items.length)") == 0
    finally:
        await app.context.set_offline(False)


async def test_a_refused_field_is_shown_under_it_and_the_corrected_form_registers_once(
    app: Any, server: Server
) -> None:
    await open_register(app)
    await fill_child(app, "Vàng Văn Páo", THREE_MONTHS_AGO, "Giàng Thị Dợ", "12345")
    await app.get_by_role("button", name="Đăng ký", exact=True).click()
    phone = app.get_by_label("Số điện thoại")
    error = app.locator("#f-guardians-0-phone-error")
    # The server's own message, in the screen's language (the account reads Vietnamese).
    await expect(error).to_have_text("'12345' không phải số điện thoại hợp lệ (ví dụ 0912 345 678)")
    await expect(phone).to_have_attribute("aria-invalid", "true")
    await expect(app.locator("#register-outcome")).to_contain_text("sửa các ô được đánh dấu")
    await check_screen(app, "register-invalid")
    await phone.fill("0912 345 670")
    await app.get_by_role("button", name="Đăng ký", exact=True).click()
    await expect(app.get_by_role("heading", level=2)).to_have_text("Vàng Văn Páo")
    assert subject_count(server, "Vàng Văn Páo") == 1
    # One write, one key: nothing left refused in the outbox.
    await expect(app.locator("#sync-status")).to_have_class("status synced")


@ON_BOTH_ENGINES
async def test_possible_duplicates_are_compared_and_not_the_same_person_registers(app: Any, server: Server) -> None:
    child = await demo_child(app, server)
    await open_register(app)
    await fill_child(app, without_accents(child["full_name"]), child["birth_date"], child["mother"], child["phone"])
    await app.get_by_label("Giới tính").select_option(child["sex"])
    await app.get_by_role("button", name="Đăng ký", exact=True).click()
    compare = app.locator("#duplicates .compare")
    await expect(compare.locator(".typed")).to_contain_text(without_accents(child["full_name"]))
    candidate = compare.locator(".candidate", has_text=child["full_name"])
    await expect(candidate).to_be_visible()
    await expect(candidate.locator(".reasons li").first).to_be_visible()
    assert subject_count(server, without_accents(child["full_name"])) == 0
    await check_screen(app, "duplicates")
    await app.get_by_role("button", name="Không phải cùng một người: đăng ký mới").click()
    await expect(app.get_by_role("heading", level=2)).to_have_text(without_accents(child["full_name"]))
    assert subject_count(server, without_accents(child["full_name"])) == 1
    assert subject_count(server, child["full_name"]) >= 1


@ON_BOTH_ENGINES
async def test_a_correction_crossing_another_is_explained_and_reloaded(app: Any, server: Server) -> None:
    child = await demo_child(app, server)
    await app.goto(f"/#/subject/{child['id']}")
    await app.get_by_role("link", name="Sửa hồ sơ").click()
    await app.get_by_role("heading", name=f"Sửa hồ sơ: {child['full_name']}").wait_for()
    await check_screen(app, "correct")
    # Meanwhile, on another device, someone corrects the address.
    me = await (await app.request.get("/api/auth/me")).json()
    other = await app.request.patch(
        f"/api/subjects/{child['id']}",
        data={"address_detail": "Thôn Bản Mới"},
        headers={"X-CSRF-Token": me["csrf_token"]},
    )
    assert other.status == 200, await other.text()
    await app.get_by_label("Dân tộc").fill("Tày")
    await app.get_by_role("button", name="Lưu thay đổi").click()
    outcome = app.locator("#correct-outcome")
    await expect(outcome).to_contain_text("người khác đã sửa hồ sơ này")
    await check_screen(app, "correct-conflict")
    await app.get_by_role("button", name="Tải lại").click()
    await expect(app.get_by_label("Địa chỉ (thôn, xóm, số nhà)")).to_have_value("Thôn Bản Mới")
    await app.get_by_label("Dân tộc").fill("Tày")
    await app.get_by_role("button", name="Lưu thay đổi").click()
    await expect(app.get_by_text("Tày")).to_be_visible()
    assert server.rows("SELECT address_detail, ethnicity FROM subject WHERE id = ?", child["id"]) == [
        ("Thôn Bản Mới", "Tày")
    ]

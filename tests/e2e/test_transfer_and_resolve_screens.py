"""Transfers between communes, a merge and its undo, and a registration refused at sync
resolved from the outbox, in a real browser on a real server with the demo data
(on SQLite and on PostgreSQL): what each person sees, and what the database holds after each decision."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from api.clock import SystemClock
from api.registry.identity.names import fold
from tests.e2e.field_app import (
    ON_BOTH_ENGINES,
    VACCINATOR,
    VIEWPORTS,
    Server,
    check_screen,
    create_user,
    queue,
    sign_in,
)

# Each decision (approve, refuse late, move, merge and undo, 409 at sync) is a write on either engine.
pytestmark = [pytest.mark.slow, ON_BOTH_ENGINES]

PROVINCE_OFFICER = ("tinh.tuyenquang", "niis-demo-province")
# A second vaccinator, at An Tường's station: the side a family moves to.
AN_TUONG = ("tiem.antuong", "niis-demo-antuong-2026")
TODAY = SystemClock().today().isoformat()


@pytest.fixture(scope="module")
def an_tuong(server: Server) -> tuple[str, str]:
    create_user(server, *AN_TUONG, "vaccinator", "--facility", "TYT-D0802")
    return AN_TUONG


@pytest.fixture
async def contexts(browser: Any, server: Server) -> AsyncIterator[Any]:
    """A fresh browser context per person (their own cookies and outbox), all closed after."""
    opened: list[Any] = []

    async def person(username: str, password: str) -> Any:
        context = await browser.new_context(base_url=server.base, viewport=VIEWPORTS["phone"])
        opened.append(context)
        page = await context.new_page()
        await sign_in(page, username, password)
        return page

    yield person
    for context in opened:
        await context.close()


def facility_of(server: Server, username: str) -> int:
    return int(server.rows("SELECT scope_facility FROM account WHERE username = ?", username)[0][0])


def children_with_mothers(server: Server, facility: int) -> list[dict[str, Any]]:
    """Active children of a facility with an accented name and a mother's phone."""
    rows = server.rows(
        """SELECT s.id, s.full_name, s.birth_date, s.sex, s.code, g.full_name, g.phone FROM subject s
           JOIN subject_guardian sg ON sg.subject = s.id AND sg.relationship = 'mother'
           JOIN guardian g ON g.id = sg.guardian
           WHERE s.facility = ? AND s.status = 'active' AND g.phone IS NOT NULL AND s.personal_id IS NULL
           ORDER BY s.id""",
        facility,
    )
    keys = ("id", "full_name", "birth_date", "sex", "code", "mother", "phone")
    return [dict(zip(keys, row, strict=True)) for row in rows if fold(row[1]) != row[1].lower()]


async def test_a_child_without_papers_is_requested_approved_by_the_other_side_and_moved(
    contexts: Any, server: Server, an_tuong: tuple[str, str]
) -> None:
    minh_xuan = facility_of(server, VACCINATOR[0])
    an_tuong_station = facility_of(server, an_tuong[0])
    child = children_with_mothers(server, minh_xuan)[0]
    unaccented = fold(child["full_name"]).title()

    # An Tường's vaccinator: the family says who the child is and where they lived.
    receiving = await contexts(*an_tuong)
    await receiving.get_by_role("link", name="Chuyển hồ sơ giữa xã").click()
    await receiving.get_by_role("link", name="Trẻ chuyển đến không có thẻ: xin hồ sơ").click()
    await receiving.get_by_label("Họ và tên trẻ").fill(unaccented)
    await receiving.get_by_label("Ngày sinh").fill(child["birth_date"])
    await receiving.get_by_label("Số điện thoại người giám hộ").fill(child["phone"])
    await receiving.get_by_label("Xã/phường trẻ ở trước đây").fill("minh xuan")
    await receiving.get_by_role("button", name="Phường Minh Xuân, Tỉnh Tuyên Quang").click()
    await expect(receiving.locator("#f-from_place_id-chosen")).to_contain_text("Phường Minh Xuân")
    # A move dated before the birth: the server's refusal under its field, then resent.
    await receiving.get_by_label("Ngày chuyển đến").fill("2000-01-01")
    await receiving.get_by_label("Lý do").fill("Gia đình chuyển đến An Tường, mất thẻ")
    await receiving.get_by_role("button", name="Gửi yêu cầu").click()
    await expect(receiving.locator("#f-moved_on-error")).to_be_visible()
    await expect(receiving.get_by_label("Ngày chuyển đến")).to_have_attribute("aria-invalid", "true")
    await expect(receiving.locator("#request-outcome")).to_contain_text("hãy sửa các ô được đánh dấu")
    await check_screen(receiving, "transfer-request-refused")
    await receiving.get_by_label("Ngày chuyển đến").fill(TODAY)
    await receiving.get_by_role("button", name="Gửi yêu cầu").click()
    mine = receiving.locator("#outgoing .request", has_text=unaccented)
    await expect(mine).to_contain_text("Đang chờ duyệt")
    await expect(mine).to_contain_text("Phường Minh Xuân")
    [(request_id, status)] = server.rows("SELECT id, status FROM transfer_request")
    assert status == "pending"
    await check_screen(receiving, "transfers-outgoing")

    # The province officer opens the list too, before Minh Xuân's vaccinator decides.
    officer = await contexts(*PROVINCE_OFFICER)
    await officer.goto("/#/transfers")
    late = officer.locator(f'#incoming [data-request="{request_id}"]')
    await expect(late).to_be_visible()

    # Minh Xuân's vaccinator: a home tile, the request beside the record, approve.
    sending = await contexts(*VACCINATOR)
    await sending.goto(f"/#/subject/{child['id']}")
    await expect(sending.locator("#transfer-state")).to_contain_text("đang chờ duyệt")
    await sending.goto("/#/")
    await sending.get_by_role("link", name="Yêu cầu chuyển chờ bạn duyệt: 1").click()
    card = sending.locator(f'#incoming [data-request="{request_id}"]')
    await expect(card).to_contain_text(unaccented)
    await expect(card.locator(".candidate")).to_contain_text(child["full_name"])
    await check_screen(sending, "transfers-incoming")
    await card.get_by_role("button", name="duyệt chuyển").click()
    await expect(card.get_by_role("status")).to_have_text("Đã duyệt: hồ sơ đã chuyển đến nơi yêu cầu.")
    assert server.rows("SELECT facility FROM subject WHERE id = ?", child["id"]) == [(an_tuong_station,)]
    assert server.rows("SELECT status, subject FROM transfer_request WHERE id = ?", request_id) == [
        ("approved", child["id"])
    ]
    assert server.rows("SELECT to_facility FROM subject_move WHERE subject = ?", child["id"]) == [(an_tuong_station,)]

    # The officer, too late: the server's 409 said on the request.
    await late.get_by_role("button", name="Từ chối").click()
    await late.get_by_role("button", name="Từ chối yêu cầu này").click()
    await expect(late.get_by_role("status")).to_contain_text("Yêu cầu này đã được quyết định: đã duyệt")
    assert server.rows("SELECT status FROM transfer_request WHERE id = ?", request_id) == [("approved",)]

    # The requester opens the record now managed here: the move is in its history.
    await receiving.goto("/#/")
    await receiving.get_by_role("link", name="Chuyển hồ sơ giữa xã").click()
    approved = receiving.locator(f'#outgoing [data-request="{request_id}"]')
    await expect(approved).to_contain_text("Đã duyệt")
    await approved.get_by_role("link", name="Mở hồ sơ").click()
    await expect(receiving.get_by_role("heading", level=2)).to_have_text(child["full_name"])
    await expect(receiving.locator("#moves li")).to_contain_text("từ Phường Minh Xuân đến Phường An Tường")
    await expect(receiving.locator("#moves li")).to_contain_text("Lý do: Gia đình chuyển đến An Tường, mất thẻ")
    await expect(receiving.locator("#transfer-state")).to_contain_text("Đã chuyển về theo yêu cầu của bạn")

    # The family goes back: the managing side moves the record from it, in one step.
    await receiving.get_by_role("link", name="Chuyển nơi quản lý").click()
    await receiving.get_by_label("Nơi quản lý mới (xã/phường hoặc cơ sở)").fill("minh xuan")
    await receiving.get_by_role("button", name="Trạm Y tế Phường Minh Xuân", exact=False).click()
    await check_screen(receiving, "move")
    # A move says why: without a reason nothing is sent and the field says so.
    await receiving.get_by_role("button", name="Chuyển", exact=True).click()
    await expect(receiving.locator("#f-reason-error")).to_have_text("Hãy ghi lý do chuyển.")
    await expect(receiving.get_by_label("Lý do")).to_be_focused()
    assert len(server.rows("SELECT id FROM subject_move WHERE subject = ?", child["id"])) == 1
    await check_screen(receiving, "move-no-reason")
    await receiving.get_by_label("Lý do").fill("Gia đình quay về Minh Xuân")
    await receiving.get_by_role("button", name="Chuyển", exact=True).click()
    await expect(receiving.locator("#move-outcome")).to_contain_text("Hồ sơ nay do nơi đó quản lý")
    assert server.rows("SELECT facility FROM subject WHERE id = ?", child["id"]) == [(minh_xuan,)]
    assert server.rows("SELECT reason FROM subject_move WHERE subject = ? ORDER BY id", child["id"]) == [
        ("Gia đình chuyển đến An Tường, mất thẻ",),
        ("Gia đình quay về Minh Xuân",),
    ]
    [(audited,)] = server.rows(
        "SELECT after FROM audit_event WHERE action = 'subject.moved_out' AND entity_id = ? ORDER BY id DESC LIMIT 1",
        str(child["id"]),
    )
    assert (json.loads(audited) if isinstance(audited, str) else audited)["reason"] == "Gia đình quay về Minh Xuân"
    # Back at Minh Xuân, the record's history says why it came back.
    await sending.goto(f"/#/subject/{child['id']}")
    await expect(sending.locator("#moves li").first).to_contain_text("Lý do: Gia đình quay về Minh Xuân")


async def test_an_officer_keeps_one_record_and_undoes_the_merge(contexts: Any, server: Server) -> None:
    officer = await contexts(*PROVINCE_OFFICER)
    me = await (await officer.request.get("/api/auth/me")).json()
    ran = await officer.request.post("/api/duplicates/run", headers={"X-CSRF-Token": me["csrf_token"]})
    assert ran.ok, await ran.text()
    await officer.get_by_role("link", name="Hồ sơ trùng").click()
    pair = officer.locator(".pair").first
    await expect(pair.locator(".person")).to_have_count(2)
    pair_id = int(await pair.get_attribute("data-pair"))
    [(first, second)] = server.rows("SELECT subject_a, subject_b FROM duplicate_candidate WHERE id = ?", pair_id)
    [(survivor_name, survivor_code)] = server.rows("SELECT full_name, code FROM subject WHERE id = ?", first)
    shown_code = await pair.locator(".person").first.locator("dd").first.inner_text()
    if shown_code.replace("-", "") != survivor_code:  # the screen lists the pair's two in its own order
        first, second = second, first
        survivor_name = server.rows("SELECT full_name FROM subject WHERE id = ?", first)[0][0]

    def merged_state() -> list[tuple[Any, ...]]:
        return server.rows("SELECT status, merged_into FROM subject WHERE id = ?", second)

    before = merged_state()
    await pair.get_by_role("button", name=f"Giữ {survivor_name}").click()
    await expect(pair.get_by_role("status")).to_have_text("Đã gộp hai hồ sơ.")
    assert merged_state() == [("merged", first)]
    [(merge_id, undone)] = server.rows(
        "SELECT id, undone_at FROM subject_merge WHERE survivor = ? AND merged = ?", first, second
    )
    assert undone is None
    audited = server.rows("SELECT action FROM audit_event WHERE entity = 'subject' ORDER BY id DESC LIMIT 2")
    assert {a for (a,) in audited} == {"subject.merge", "subject.merged"}

    await pair.get_by_role("button", name="Hoàn tác").click()
    await expect(pair.get_by_role("button", name=f"Giữ {survivor_name}")).to_be_visible()
    assert merged_state() == before
    assert server.rows("SELECT undone_at IS NOT NULL FROM subject_merge WHERE id = ?", merge_id) == [(1,)]
    assert server.rows("SELECT status FROM duplicate_candidate WHERE id = ?", pair_id) == [("open",)]
    audited = server.rows("SELECT action FROM audit_event WHERE entity = 'subject' ORDER BY id DESC LIMIT 2")
    assert {a for (a,) in audited} == {"subject.merge_undo", "subject.unmerged"}


async def test_a_registration_refused_at_sync_as_a_possible_duplicate_is_resolved_from_the_outbox(
    contexts: Any, server: Server
) -> None:
    app = await contexts(*VACCINATOR)
    facility = facility_of(server, VACCINATOR[0])
    twin_like, already = children_with_mothers(server, facility)[1:3]
    place = server.rows("SELECT place FROM facility WHERE id = ?", facility)[0][0]

    def body(child: dict[str, Any]) -> dict[str, Any]:
        return {
            "full_name": fold(child["full_name"]).title(),
            "birth_date": child["birth_date"],
            "sex": child["sex"],
            "place_id": place,
            "facility_id": facility,
            "guardians": [{"full_name": child["mother"], "relationship": "mother", "phone": child["phone"]}],
        }

    status = app.locator("#sync-status")
    server.stop()
    try:
        for child in (twin_like, already):
            await queue(app, body(child))
        await expect(status).to_contain_text("2 mục chờ gửi")
    finally:
        server.start()
    await status.click()
    await app.get_by_role("button", name="Gửi ngay").click()
    # The server's 409 at sync: the bar says the person is needed.
    await expect(status).to_contain_text("2 mục cần bạn xử lý")
    await check_screen(app, "outbox-possible-duplicates")
    assert server.subjects_named(body(twin_like)["full_name"]) == 0

    # "Not the same person": the same write, with the candidates confirmed distinct.
    first = app.locator(".item.refused", has_text=body(twin_like)["full_name"])
    await first.get_by_role("link", name="So sánh và xử lý").click()
    compare = app.locator("#duplicates .compare")
    await expect(compare.locator(".typed")).to_contain_text(body(twin_like)["full_name"])
    candidate = compare.locator(".candidate", has_text=twin_like["full_name"])
    await expect(candidate.locator(".reasons")).to_contain_text("Cùng ngày sinh")
    await check_screen(app, "register-refused-at-sync")
    # In English the reasons are English, though the server worded them in Vietnamese.
    await app.locator("#lang").select_option("en")
    await expect(candidate.locator(".reasons")).to_contain_text("Same birth date")
    await expect(candidate.locator(".reasons")).not_to_contain_text("Cùng")
    await app.locator("#lang").select_option("vi")
    await app.get_by_role("button", name="Không phải cùng một người: đăng ký mới").click()
    await expect(app.get_by_role("heading", level=2)).to_have_text(body(twin_like)["full_name"])
    assert server.subjects_named(body(twin_like)["full_name"]) == 1
    await expect(status).to_contain_text("1 mục cần bạn xử lý")

    # "Already registered": the write is dropped and the record that exists opens.
    await status.click()
    second = app.locator(".item.refused", has_text=body(already)["full_name"])
    await second.get_by_role("link", name="So sánh và xử lý").click()
    await app.get_by_role("button", name="Đúng là người đã có: bỏ đăng ký này").click()
    await expect(app).to_have_url(f"{server.base}/#/subject/{already['id']}")
    await expect(app.get_by_role("heading", name=already["full_name"])).to_be_visible()
    await expect(status).to_have_text("Đã đồng bộ")
    assert server.subjects_named(body(already)["full_name"]) == 0
    assert server.subjects_named(body(twin_like)["full_name"]) == 1

"""The API answers in the caller's language: the signed-in account's, or for someone
signed out the one their `Accept-Language` prefers (Vietnamese by default). A Vietnamese
screen that shows the server's message shows it in Vietnamese."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest

from api import clock
from api.auth import passwords
from api.wording.services import in_language, requested_language
from api.wording.vietnamese import VIETNAMESE
from db.tables import Account, StockLot
from scanning.model import Hint
from tests.api.test_registry import child
from tests.api.test_stock import Stock, _receive

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_translation_keeps_the_placeholders_of_its_template() -> None:
    for english, vietnamese in VIETNAMESE.items():
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(vietnamese)), english


def test_each_template_is_the_one_its_message_is_worded_by() -> None:
    """A message made from any template comes back as that template's translation, with
    the values carried over: no shorter template swallows a longer one."""
    for english, vietnamese in VIETNAMESE.items():
        values = {name: f"<{name}>" for name in PLACEHOLDER.findall(english)}
        assert in_language(english.format_map(values), "vi") == vietnamese.format_map(values), english


def test_a_message_without_a_template_stays_as_raised() -> None:
    assert in_language("Lot PB002 expired on 2026-01-01", "vi") == "Lot PB002 expired on 2026-01-01"
    assert in_language("The birth date is in the future", "en") == "The birth date is in the future"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "vi"),
        ("", "vi"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5", "en"),
        ("en;q=0.2, vi;q=0.9", "vi"),
        ("vi-VN", "vi"),
        ("de, fr", "vi"),
        ("en;q=zero", "vi"),
        ("*", "vi"),
    ],
)
def test_accept_language_is_negotiated_between_vietnamese_and_english(header: str | None, language: str) -> None:
    assert requested_language(header) == language


async def wrong_sign_in(client: Any, username: str, **headers: str) -> str:
    response = await client.post("/api/auth/login", json={"username": username, "password": "wrong"}, headers=headers)
    assert response.status_code == 401, response.text
    return str(response.json()["error"]["message"])


async def test_signed_out_the_answer_follows_accept_language(client: Any, world: Any) -> None:
    assert await wrong_sign_in(client, "vac1") == "Sai tên đăng nhập hoặc mật khẩu"
    assert await wrong_sign_in(client, "vac1", **{"Accept-Language": "en-GB,en;q=0.8"}) == "Wrong user name or password"
    assert (
        await wrong_sign_in(client, "vac1", **{"Accept-Language": "vi, en;q=0.5"}) == "Sai tên đăng nhập hoặc mật khẩu"
    )
    nothing = (await client.get("/api/no-such-thing")).json()["error"]
    assert (nothing["code"], nothing["message"]) == ("not_found", "Không có gì ở địa chỉ này.")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"birth_date": "2099-01-01"}, "birth_date", "Ngày sinh ở tương lai"),
        ({"birth_date": "1850-01-01"}, "birth_date", "Ngày sinh trước năm 1900: hãy kiểm tra lại năm"),
        ({"personal_id": "00130"}, "personal_id", "Số định danh cá nhân có 12 chữ số, đã nhập '00130'."),
        (
            {"personal_id": "001226000123"},
            "personal_id",
            "Số định danh cho biết giới tính nam (chữ số 4 là 2), thẻ ghi nữ.",
        ),
        (
            {"guardians": [{"full_name": "A", "relationship": "mother", "phone": "12345"}]},
            "guardians[0].phone",
            "'12345' không phải số điện thoại hợp lệ (ví dụ 0912 345 678)",
        ),
        ({"full_name": " . "}, "full_name", "Chưa nhập họ tên"),
        ({"place_id": 999999}, "place_id", "Địa bàn 999999 không tồn tại"),
    ],
    ids=["future-birth", "absurdly-old", "short-id", "id-wrong-sex", "bad-phone", "no-name", "unknown-place"],
)
async def test_a_registrations_field_errors_are_in_vietnamese(
    client: Any, world: Any, token_for: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    response = await client.post("/api/subjects", json=child(world, **changes), headers=await token_for("vac1"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["details"]["field"], error["message"]) == (field, message)


async def test_a_schema_refusal_names_the_field_in_vietnamese(client: Any, world: Any, token_for: Any) -> None:
    body = child(world)
    del body["birth_date"]
    response = await client.post("/api/subjects", json=body, headers=await token_for("vac1"))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["message"] == "Thiếu ô bắt buộc `birth_date` (ô: birth_date)"
    assert [(p["field"], p["message"]) for p in error["details"]] == [("birth_date", "Thiếu ô bắt buộc `birth_date`")]
    wrong_sex = await client.post("/api/subjects", json=child(world, sex="X"), headers=await token_for("vac1"))
    assert wrong_sex.json()["error"]["details"][0]["message"] == "Giá trị 'X' không nằm trong các lựa chọn"


async def test_signed_in_the_accounts_language_decides(client: Any, world: Any, token_for: Any) -> None:
    await Account.update({Account.language: "en"}).where(Account.id == world.users["vac1"])
    vi_header = {**(await token_for("vac1")), "Accept-Language": "vi"}
    response = await client.post("/api/subjects", json=child(world, birth_date="2099-01-01"), headers=vi_header)
    assert response.json()["error"]["message"] == "The birth date is in the future"
    # …and a Vietnamese account reads Vietnamese whatever its browser asks.
    en_header = {**(await token_for("vac2")), "Accept-Language": "en"}
    at_f2 = child(world, birth_date="2099-01-01", place_id=world.places["C2"], facility_id=world.facilities["F2"])
    response = await client.post("/api/subjects", json=at_f2, headers=en_header)
    assert response.json()["error"]["message"] == "Ngày sinh ở tương lai"


def test_a_sentence_put_into_a_message_is_worded_with_it() -> None:
    """A placeholder's value with a template of its own is worded too: the photo's hint
    after "No QR code was found", the line an import refusal names; zxcvbn's advice on a
    weak password, sentence by sentence."""
    hint = Hint.BLURRED.message
    assert in_language(f"No QR code was found in the photo: {hint}", "vi") == (
        "Không tìm thấy mã QR trong ảnh: Ảnh bị nhòe: hãy giữ yên máy để camera lấy nét."
    )
    refused = "line 3, code 00128, column valid_from: '2025-13-01' is not a date like 2025-07-01"
    assert (
        in_language(refused, "vi") == "dòng 3, mã 00128, cột valid_from: '2025-13-01' không phải ngày dạng 2025-07-01"
    )
    weak = passwords.weakness("password1234")
    assert weak == (
        "This password is too easy to guess. This is a very common password. Add another word or two. "
        "Uncommon words are better."
    )
    assert in_language(weak, "vi") == (
        "Mật khẩu này quá dễ đoán. Đây là mật khẩu rất phổ biến. Hãy thêm một hai từ nữa. Từ ít gặp thì tốt hơn."
    )


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_a_vietnamese_clerk_reads_a_stock_refusal_in_vietnamese(
    client: Any, token_for: Any, stock: Stock
) -> None:
    await _receive(stock, "P1", "penta_a", 10)
    shipment = {"to_store_id": stock.stores["F1"]["id"], "lines": [{"lot_id": stock.lots["penta_a"], "doses": 11}]}
    path = f"/api/stock/stores/{stock.stores['P1']['id']}/shipments"
    refused = await client.post(path, json=shipment, headers={**await token_for("clerkp"), **_key()})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["message"] == (
        "Lô PA001 (DTP-HepB-Hib) chỉ còn 10 liều, cần 11: hãy ghi phiếu nhập hoặc kiểm kê trước, hoặc lấy ít hơn"
    )
    # …and the same refusal to a clerk who chose English is as raised.
    await Account.update({Account.language: "en"}).where(Account.id == stock.users["clerkp"])
    english = await client.post(path, json=shipment, headers={**await token_for("clerkp"), **_key()})
    assert english.json()["error"]["message"].startswith(
        "Only 10 doses of lot PA001 (DTP-HepB-Hib) are on hand, 11 asked"
    )


async def test_a_vietnamese_vaccinator_reads_the_dose_checks_in_vietnamese(
    client: Any, token_for: Any, world: Any, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_b", 10)
    today = clock.current().today()
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    vac = await token_for("vac1")
    dose = {
        "subject_id": world.subjects["S1"],
        "vaccine_code": "198",
        "store_id": stock.stores["F1"]["id"],
        "lot_id": stock.lots["penta_b"],
        "route": "IM",
        "site": "left_thigh",
    }
    future = await client.post(
        "/api/doses/check", json={**dose, "administered_on": tomorrow.isoformat(), "source": "synced"}, headers=vac
    )
    assert future.status_code == 422, future.text
    assert future.json()["error"]["message"] == f"Ngày tiêm {tomorrow} ở tương lai (hôm nay là {today})"
    await StockLot.update({StockLot.expiry: yesterday}).where(StockLot.id == stock.lots["penta_b"])
    expired = await client.post("/api/doses", json=dose, headers={**vac, **_key()})
    assert expired.status_code == 409, expired.text
    assert expired.json()["error"]["message"] == (
        f"Lô PB002 của DTP-HepB-Hib đã hết hạn ngày {yesterday}: không dùng lô này, hãy lấy lọ của lô khác"
    )

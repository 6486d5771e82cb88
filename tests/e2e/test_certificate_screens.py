"""Vaccination certificates in a real browser on a real server with the demo data: a
parent opens their child's certificate (the QR, the doses, a print button), it still opens
with the server stopped, the page prints without the app's bars; a vaccinator pastes the
card's text on the check page and reads "valid", then a changed one and reads why not.
axe-core, 44 px targets, screenshots at both sizes."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from api.certificates import shc
from tests.api.test_certificates import _as_verifier_app
from tests.e2e.field_app import Server, check_screen, signed_in_page

pytestmark = pytest.mark.slow

PARENT = ("phuhuynh", "niis-demo-parent")
ADMIN = ("admin", "niis-demo-quantri")
# From the child's paper card (the national administrator enters historical doses).
PAPER_CARD = [("08", "2025-01-02", "HB0102"), ("19", "2025-01-05", "BCG0105"), ("119", "2025-03-04", "RV0304")]


@pytest.fixture(scope="module")
def child(server: Server) -> tuple[int, str, str]:
    """The demo parent's first child: id, name, birth date (ISO)."""
    subject_id, name, born = server.rows(
        "SELECT s.id, s.full_name, s.birth_date FROM subject s JOIN parent_link l ON l.subject = s.id"
        " JOIN account a ON a.id = l.account WHERE a.username = 'phuhuynh' ORDER BY s.id LIMIT 1"
    )[0]
    return int(subject_id), str(name), str(born)[:10]


async def _record_paper_card(browser: Any, server: Server, child: tuple[int, str, str]) -> None:
    async with signed_in_page(browser, server, ADMIN) as admin:
        token = await admin.evaluate("import('/js/api.js').then((api) => api.csrf())")
        for code, on, lot in PAPER_CARD:
            if on < child[2]:
                continue
            body = {"subject_id": child[0], "vaccine_code": code, "source": "historical", "administered_on": on,
                    "lot_number": lot, "given_elsewhere": "Bệnh viện Phụ sản",
                    # The demo gave this child a history already: the card's doses are confirmed as written.
                    "override_reason": "Nhập đúng như thẻ giấy ghi"}  # fmt: skip
            answer = await admin.request.post(
                "/api/doses", data=body, headers={"X-CSRF-Token": token, "Idempotency-Key": str(uuid.uuid4())}
            )
            assert answer.status == 201, await answer.text()


@pytest.fixture
async def parent(browser: Any, server: Server) -> AsyncIterator[Any]:
    async with signed_in_page(browser, server, PARENT) as page:
        yield page


async def test_a_parent_opens_the_certificate_offline_too_and_it_checks_as_valid(
    browser: Any, server: Server, parent: Any, child: tuple[int, str, str]
) -> None:
    await _record_paper_card(browser, server, child)
    subject_id, name, born = child
    given = [dose for dose in PAPER_CARD if dose[1] >= born]
    # The children list brings the child onto the device; the record links to the certificate.
    await parent.get_by_role("link", name="Con của tôi").click()
    await parent.locator("#children").get_by_text(name).click()
    await parent.get_by_role("link", name="Giấy chứng nhận tiêm chủng (mã QR)").click()

    await expect(parent.get_by_role("heading", name="Giấy chứng nhận tiêm chủng")).to_be_visible()
    qr = parent.get_by_role("img", name=f"Mã QR giấy chứng nhận tiêm chủng của {name}")
    await expect(qr).to_be_visible()
    # Every administered dose is on the card, oldest first, with its date and lot: the
    # demo's history and the paper card's (each of those by its lot number).
    on_record = server.rows(
        "SELECT administered_on, lot_number FROM dose WHERE subject = ? AND status = 'administered'"
        " ORDER BY administered_on, id",
        subject_id,
    )
    assert {lot for _, _, lot in given} <= {lot for _, lot in on_record}
    shown = parent.locator(".cert-doses li")
    await expect(shown).to_have_count(len(on_record))
    for line, (on, lot) in zip(await shown.all(), on_record, strict=True):
        day = str(on)[:10]
        await expect(line).to_contain_text(f"{day[8:10]}/{day[5:7]}/{day[:4]}")
        if lot:
            await expect(line).to_contain_text(lot)
    await expect(parent.get_by_role("button", name="In giấy chứng nhận")).to_be_visible()
    await check_screen(parent, "certificate")
    # Scannable on a phone: the QR shows (the picture loaded) across most of a 360 px screen.
    assert await qr.evaluate("(img) => img.complete && img.naturalWidth > 0")
    box = await qr.bounding_box()
    assert box and box["width"] >= 280, box
    # Printed: the certificate alone, without the app's bars and buttons.
    await parent.emulate_media(media="print")
    assert not await parent.locator("header.bar").is_visible()
    assert not await parent.get_by_role("button", name="In giấy chứng nhận").is_visible()
    await expect(qr).to_be_visible()
    await parent.emulate_media(media="screen")
    text = await parent.evaluate(
        f"import('/js/reading.js').then((r) => r.load('certificate-{subject_id}')).then((c) => c.shc)"
    )
    assert text.startswith("shc:/")
    # As a verifier app: the running server's JWK set, the JOSE library, nothing of ours.
    key_set = await (await parent.request.get("/.well-known/jwks.json")).json()
    claims = _as_verifier_app(text, key_set)
    assert claims["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["birthDate"] == born

    server.stop()
    try:
        await parent.reload()
        await expect(parent.get_by_text("Không có mạng: đây là bản đã lưu trên máy")).to_be_visible()
        await expect(parent.get_by_role("img", name=f"Mã QR giấy chứng nhận tiêm chủng của {name}")).to_be_visible()
    finally:
        server.start()

    # A vaccinator checks the card's text: valid, with the child's name; changed: not valid, and why.
    await sign_in_elsewhere_and_verify(browser, server, text, name)


async def sign_in_elsewhere_and_verify(browser: Any, server: Server, text: str, name: str) -> None:
    async with signed_in_page(browser, server) as vaccinator:
        await vaccinator.get_by_role("link", name="Kiểm tra giấy chứng nhận tiêm chủng").click()
        await vaccinator.get_by_label("Nội dung mã QR").fill(text)
        await vaccinator.get_by_role("button", name="Kiểm tra", exact=True).click()
        verdict = vaccinator.locator(".cert-verdict")
        await expect(verdict).to_contain_text("Hợp lệ")
        await expect(verdict).to_contain_text(name)
        await check_screen(vaccinator, "certificate-verify")

        # A photo of the QR (as a phone's camera gives it) reads the same through the decoder.
        await vaccinator.get_by_label("Nội dung mã QR").fill("")
        photo = io.BytesIO()
        shc.qr(text).save(photo, kind="png", scale=5, border=4)
        await vaccinator.locator("#cert-photo").set_input_files(
            files=[{"name": "qr.png", "mimeType": "image/png", "buffer": photo.getvalue()}]
        )
        # The server's first photo starts its decoder process: seconds on a loaded machine.
        await expect(verdict).to_contain_text("Hợp lệ", timeout=30_000)
        await expect(verdict).to_contain_text(name)

        digits = list(text)
        digits[-40] = "0" if digits[-40] != "0" else "1"  # one digit of the signature changed
        await vaccinator.get_by_label("Nội dung mã QR").fill("".join(digits))
        await vaccinator.get_by_role("button", name="Kiểm tra", exact=True).click()
        await expect(verdict).to_contain_text("Không hợp lệ")
        await expect(verdict).not_to_contain_text(name)


async def test_staff_open_the_certificate_from_the_subject_record(
    server: Server, browser: Any, child: tuple[int, str, str]
) -> None:
    async with signed_in_page(browser, server, ADMIN) as admin:
        await admin.goto(f"/#/subject/{child[0]}")
        await admin.get_by_role("link", name="Giấy chứng nhận tiêm chủng (mã QR)").click()
        await expect(admin.get_by_role("img", name=f"Mã QR giấy chứng nhận tiêm chủng của {child[1]}")).to_be_visible()
        await expect(admin.get_by_role("link", name="Quay lại hồ sơ")).to_have_attribute(
            "href", f"#/subject/{child[0]}"
        )

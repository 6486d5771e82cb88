"""The subject card: the printable page, its signed QR code read back from a phone photo
through ``POST /api/scan``, forged cards, scope; and citizen ID card prefill."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from PIL import Image

from api.registry.cards import services as card
from api.registry.identity import codes
from db.tables import Subject
from scanning.testing import corpus, photo, render


async def code_of(subject_id: int) -> str:
    row = await Subject.select(Subject.code).where(Subject.id == subject_id).first()
    assert row is not None
    return str(row["code"])


def svg_to_image(svg: str, *, module: int = 5) -> Image.Image:
    """segno's inline SVG (one path of horizontal runs) back to a black-on-white picture."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    path = re.search(r' d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    picture = Image.new("L", (size, size), 255)
    x = y = 0.0
    for command, args in re.findall(r"([MmHh])([-\d.\s]+)", path):
        numbers = [float(n) for n in args.split()]
        if command in "Mm":
            x, y = (numbers[0], numbers[1]) if command == "M" else (x + numbers[0], y + numbers[1])
        else:
            run = numbers[0] if command == "h" else numbers[0] - x
            for column in range(int(x), int(x + run)):
                picture.putpixel((column, int(y)), 0)
            x += run
    return picture.resize((size * module, size * module), Image.Resampling.NEAREST)


def phone_photo(symbol: Image.Image, seed: int) -> bytes:
    """A printed card lying on a desk, photographed with a phone (JPEG, slightly turned)."""
    rng = random.Random(seed)
    label = render.label([symbol], rng=rng, paper=245, text_lines=3)
    scene = photo.background(corpus.HD, rng)
    quad = photo.frame(corpus.HD, label.size, rng, fill=0.55, angle=rng.uniform(-8, 8), tilt=0.04)
    picture = photo.add_noise(photo.place(scene, label, quad), rng, sigma=3)
    return photo.jpeg(photo.colour(picture, rng), quality=88)


async def scan(client: Any, headers: dict[str, str], image: bytes) -> list[dict[str, Any]]:
    response = await client.post("/api/scan", content=image, headers={**headers, "content-type": "image/jpeg"})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["codes"]
    return found


async def test_the_card_page_is_print_ready_and_in_vietnamese(client: Any, world: Any, token_for: Any) -> None:
    response = await client.get(f"/api/subjects/{world.subjects['S1']}/card", headers=await token_for("vac1"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    code = await code_of(world.subjects["S1"])
    for text in ("Nguyễn Văn An", "14/03/2025", "Nam", codes.display(code), "Trạm Y tế F1", "THẺ TIÊM CHỦNG"):
        assert text in page
    assert '<link rel="stylesheet" href="/card.css">' in page
    style = (await client.get("/card.css")).text
    assert "@media print" in style and "size: 105mm 148mm" in style  # A6
    assert page.count("<svg") == 1


async def test_a_printed_card_photographed_resolves_to_its_subject(
    client: Any, app: Any, world: Any, token_for: Any
) -> None:
    headers = await token_for("vac1")
    page = (await client.get(f"/api/subjects/{world.subjects['S1']}/card", headers=headers)).text
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    found = await scan(client, headers, phone_photo(svg_to_image(svg), seed=11))
    assert len(found) == 1
    code = await code_of(world.subjects["S1"])
    assert found[0]["text"] == card.qr_text(app.state.settings.secret_key, code)
    assert found[0]["payload"]["kind"] == "subject_card" and found[0]["payload"]["code"] == code
    resolved = found[0]["resolved"]
    assert resolved["kind"] == "subject_card" and resolved["valid"] is True
    assert resolved["subject"]["id"] == world.subjects["S1"]
    assert resolved["subject"]["full_name"] == "Nguyễn Văn An"
    assert resolved["subject"]["birth_date"] == "2025-03-14"


def _other_code(code: str) -> str:
    """Another well-formed code (valid check character): what a forger would print."""
    body = ("0" if code[0] != "0" else "1") + code[1:8]
    for check in codes.CHECK_ALPHABET:
        if codes.looks_like_code(body + check):
            return body + check
    raise AssertionError("no check character fits")


@pytest.mark.parametrize("forgery", ["changed code", "changed signature", "mistyped code"])
async def test_a_forged_card_is_refused_without_subject_data(
    client: Any, app: Any, world: Any, token_for: Any, forgery: str
) -> None:
    code = await code_of(world.subjects["S1"])
    _, _, signature = card.qr_text(app.state.settings.secret_key, code).split("|")
    if forgery == "changed code":
        text, reason = f"NIIS1|{_other_code(code)}|{signature}", "bad_signature"
    elif forgery == "changed signature":
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        text, reason = f"NIIS1|{code}|{flipped}", "bad_signature"
    else:
        mistyped = code[:-1] + next(c for c in codes.CHECK_ALPHABET if not codes.looks_like_code(code[:-1] + c))
        text, reason = f"NIIS1|{mistyped}|{signature}", "mistyped_code"
    found = await scan(client, await token_for("admin"), phone_photo(render.qr_utf8(text, module=5), seed=12))
    assert [c["text"] for c in found] == [text]
    resolved = found[0]["resolved"]
    assert resolved["kind"] == "subject_card" and resolved["valid"] is False
    assert resolved["reason"] == reason and resolved["message"]
    assert resolved["subject"] is None and resolved["code_display"] is None  # one shape: absent is null


async def test_a_card_outside_the_vaccinators_area_is_not_resolved(
    client: Any, app: Any, world: Any, token_for: Any
) -> None:
    text = card.qr_text(app.state.settings.secret_key, await code_of(world.subjects["S2"]))
    image = phone_photo(render.qr_utf8(text, module=5), seed=13)
    outside = (await scan(client, await token_for("vac1"), image))[0]["resolved"]
    assert outside["valid"] is True and outside["subject"] is None and outside["reason"] == "outside_area"
    assert "Võ Minh Khoa" not in str(outside)
    inside = (await scan(client, await token_for("vac2"), image))[0]["resolved"]
    assert inside["subject"]["id"] == world.subjects["S2"]


async def test_a_parent_resolves_only_a_linked_childs_card(client: Any, app: Any, world: Any, token_for: Any) -> None:
    secret = app.state.settings.secret_key
    headers = await token_for("parent1")
    own = card.qr_text(secret, await code_of(world.subjects["S1"]))
    other = card.qr_text(secret, await code_of(world.subjects["S1b"]))
    symbols = [render.qr_utf8(own, module=4), render.qr_utf8(other, module=4)]
    found = {c["text"]: c["resolved"] for c in await scan(client, headers, phone_photo(_side_by_side(symbols), 14))}
    assert found[own]["subject"]["id"] == world.subjects["S1"]
    assert found[other]["subject"] is None and found[other]["reason"] == "not_found"


def _side_by_side(symbols: list[Image.Image]) -> Image.Image:
    width = sum(s.size[0] for s in symbols)
    joined = Image.new("L", (width, max(s.size[1] for s in symbols)), 255)
    x = 0
    for symbol in symbols:
        joined.paste(symbol, (x, 0))
        x += symbol.size[0]
    return joined


async def test_card_page_follows_scope(client: Any, world: Any, token_for: Any) -> None:
    s1, s1b, s2 = (f"/api/subjects/{world.subjects[k]}/card" for k in ("S1", "S1b", "S2"))
    assert (await client.get(s1, headers=await token_for("parent1"))).status_code == 200
    assert (await client.get(s1b, headers=await token_for("parent1"))).status_code == 404
    assert (await client.get(s2, headers=await token_for("vac1"))).status_code == 404
    assert (await client.get(s2, headers=await token_for("admin"))).status_code == 200
    assert (await client.get("/api/subjects/999999/card", headers=await token_for("admin"))).status_code == 404
    assert (await client.get(s1)).status_code == 401


async def test_a_scanned_id_card_prefills_the_guardian(client: Any, world: Any, token_for: Any) -> None:
    sample = corpus.clean_id_card(random.Random(7))
    found = await scan(client, await token_for("vac1"), sample.data)
    payload, resolved = found[0]["payload"], found[0]["resolved"]
    assert resolved["kind"] == "guardian_prefill"
    assert resolved["full_name"] == payload["full_name"] and resolved["personal_id"] == payload["id_number"]
    assert resolved["birth_date"] == payload["birth_date"] and resolved["sex"] in ("F", "M")
    assert resolved["address"] == payload["address"]
    assert resolved["guardian"] == {"full_name": payload["full_name"], "personal_id": payload["id_number"]}
    assert resolved["subject"]["birth_date"] == payload["birth_date"]


ID_CARD = "001195012345|123456789|Hoàng Thị Mai|20051995|Nữ|Phường Ba Đình, Hà Nội|01072021"


async def test_prefill_from_typed_in_id_card_text(client: Any, world: Any, token_for: Any) -> None:
    response = await client.post("/api/subjects/prefill", json={"text": ID_CARD}, headers=await token_for("vac1"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "guardian_prefill"
    assert (body["full_name"], body["personal_id"], body["birth_date"], body["sex"]) == (
        "Hoàng Thị Mai",
        "001195012345",
        "1995-05-20",
        "F",
    )
    assert body["address"] == "Phường Ba Đình, Hà Nội" and body["subject"]["address_detail"] == body["address"]
    # The woman registers herself: the subject fields register as they are.
    register = {**body["subject"], "place_id": world.places["C1"], "facility_id": world.facilities["F1"]}
    created = await client.post("/api/subjects", json=register, headers=await token_for("vac1"))
    assert created.status_code == 201, created.text
    assert created.json()["personal_id"] == "001195012345"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"text": "not an id card"}, 422, "text"),
        ({"text": ""}, 400, "text"),
        ({}, 400, "text"),
        ({"text": ID_CARD, "extra": 1}, 400, "extra"),
    ],
    ids=["not-a-card", "empty", "missing", "unknown-field"],
)
async def test_bad_prefill_input_names_the_field(
    client: Any, world: Any, token_for: Any, body: Any, status: int, field: str
) -> None:
    response = await client.post("/api/subjects/prefill", json=body, headers=await token_for("vac1"))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert field in error["message"] or (error["details"] or {}).get("field") == field


@pytest.mark.parametrize(("user", "status"), [("clerk1", 403), ("parent1", 403), ("com1", 200)])
async def test_prefill_is_for_those_who_register(
    client: Any, world: Any, token_for: Any, user: str, status: int
) -> None:
    response = await client.post("/api/subjects/prefill", json={"text": ID_CARD}, headers=await token_for(user))
    assert response.status_code == status

"""POST /api/scan with real photos through the real decoders (in the worker pool)."""

from __future__ import annotations

import dataclasses
import io
import random
from typing import Any

import pytest
from PIL import Image

from scanning.testing import corpus


@pytest.fixture(scope="module")
def photos() -> dict[str, corpus.Sample]:
    rng = random.Random(7)
    return {
        "vial": corpus.clean_vial(rng),
        "id_card": corpus.clean_id_card(rng),
        "nothing": corpus.desk_without_code(rng),
    }


async def test_a_vial_photo_gives_its_gs1_data(client: Any, token_for: Any, photos: Any) -> None:
    sample = photos["vial"]
    response = await client.post(
        "/api/scan", content=sample.data, headers={**(await token_for("vac1")), "content-type": "image/jpeg"}
    )
    assert response.status_code == 200, response.text
    codes = response.json()["codes"]
    assert [(c["format"], c["text"]) for c in codes] == [(e.format, e.text) for e in sample.expected]
    payload = codes[0]["payload"]
    assert payload["kind"] == "gs1" and len(payload["gtin"]) == 14 and payload["lot"] and payload["expiry"]
    assert codes[0]["resolved"] is None  # no product in the catalogue carries this made-up GTIN


async def test_an_id_card_uploaded_as_a_form_keeps_the_vietnamese_name(
    client: Any, token_for: Any, photos: Any
) -> None:
    sample = photos["id_card"]
    response = await client.post(
        "/api/scan", files={"file": ("card.jpg", sample.data, "image/jpeg")}, headers=await token_for("vac1")
    )
    assert response.status_code == 200, response.text
    code = response.json()["codes"][0]
    assert code["text"] == sample.expected[0].text
    assert code["payload"]["kind"] == "citizen_id"
    assert code["payload"]["full_name"] in sample.expected[0].text


async def test_a_photo_without_a_code_gives_an_empty_list(client: Any, token_for: Any, photos: Any) -> None:
    response = await client.post(
        "/api/scan", content=photos["nothing"].data, headers={**(await token_for("vac1")), "content-type": "image/jpeg"}
    )
    assert response.status_code == 200
    assert response.json()["codes"] == []


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, "PNG")
    return buffer.getvalue()


def _truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((640, 480), 60).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()[: len(buffer.getvalue()) // 3]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"this is not a photo at all", "image/jpeg", 415, "unsupported_media_type"),
        (b"hello", "text/plain", 415, "unsupported_media_type"),
        (_truncated_jpeg(), "image/jpeg", 422, "corrupt_image"),
        (_png(12_000, 12_000), "image/png", 413, "too_large"),
    ],
    ids=["text-as-jpeg", "text-type", "truncated-jpeg", "decompression-bomb"],
)
async def test_bad_photos_get_a_clear_4xx(
    client: Any, token_for: Any, body: bytes, content_type: str, status: int, code: str
) -> None:
    response = await client.post(
        "/api/scan", content=body, headers={**(await token_for("vac1")), "content-type": content_type}
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def test_scanning_needs_a_signed_in_user(client: Any, photos: Any) -> None:
    response = await client.post("/api/scan", content=photos["vial"].data, headers={"content-type": "image/jpeg"})
    assert response.status_code == 401


async def test_scans_are_rate_limited_per_user(client: Any, token_for: Any, app: Any, photos: Any) -> None:
    settings = app.state.settings
    app.state.settings = dataclasses.replace(settings, scans_per_minute=2)
    try:
        headers = {**(await token_for("vac1")), "content-type": "image/jpeg"}
        for _ in range(2):
            assert (await client.post("/api/scan", content=photos["nothing"].data, headers=headers)).status_code == 200
        limited = await client.post("/api/scan", content=photos["nothing"].data, headers=headers)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        other = {**(await token_for("clerk1")), "content-type": "image/jpeg"}
        assert (await client.post("/api/scan", content=photos["nothing"].data, headers=other)).status_code == 200
    finally:
        app.state.settings = settings

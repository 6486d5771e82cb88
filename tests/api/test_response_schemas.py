"""The OpenAPI schema describes what /api/forecast, /api/scan and /api/subjects/prefill
answer, field by field (a client can be generated from it), and real answers fit it."""

from __future__ import annotations

import random
from typing import Any

import msgspec
import pytest

from api.immunization.schemas import Assessment
from api.registry.cards import services as card
from api.scan.schemas import Prefill, ScanResponse
from scanning.testing import corpus, photo, render
from tests.api.test_subject_card import ID_CARD, code_of


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else node


def response_schema(schema: dict[str, Any], path: str) -> dict[str, Any]:
    answer = schema["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    return resolve(schema, answer)


def properties(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    return set(resolve(schema, node)["properties"])


def variants(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, set[str]]:
    """The members of a ``kind``-tagged union (null aside), by their ``kind``."""
    found = {}
    for member in node.get("oneOf") or node.get("anyOf") or []:
        member = resolve(schema, member)
        if member.get("type") == "null":
            continue
        found[member["properties"]["kind"]["const"]] = set(member["properties"])
    return found


@pytest.fixture
async def openapi(client: Any) -> dict[str, Any]:
    response = await client.get("/api/docs/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


async def test_the_forecast_answer_is_described_field_by_field(openapi: dict[str, Any]) -> None:
    answer = response_schema(openapi, "/api/forecast")
    assert set(answer["properties"]) == {"assessment_date", "schedule", "doses", "vaccine_groups"}
    dose = answer["properties"]["doses"]["items"]
    assert properties(openapi, dose) == {"date", "vaccine_code", "evaluations"}
    evaluation = resolve(openapi, dose)["properties"]["evaluations"]["items"]
    assert properties(openapi, evaluation) == {"antigen", "status", "target_dose", "reasons"}
    status = resolve(openapi, resolve(openapi, evaluation)["properties"]["status"])
    assert set(status["enum"]) == {"Valid", "Not Valid", "Extraneous", "Sub-standard"}
    assert properties(openapi, answer["properties"]["vaccine_groups"]["items"]) == {
        "vaccine_group",
        "status",
        "dose_number",
        "earliest",
        "recommended",
        "past_due",
        "latest",
        "vaccines",
        "reasons",
        "advice",
    }
    group = resolve(openapi, answer["properties"]["vaccine_groups"]["items"])
    assert properties(openapi, group["properties"]["advice"]) == {"action", "until", "vaccines", "withheld", "reasons"}


async def test_the_scan_answer_is_described_field_by_field(openapi: dict[str, Any]) -> None:
    answer = response_schema(openapi, "/api/scan")
    assert set(answer["properties"]) == {
        "width",
        "height",
        "codes",
        "hint",
        "hint_message",
        "attempts",
        "timed_out",
        "elapsed_ms",
    }
    code = resolve(openapi, answer["properties"]["codes"]["items"])
    assert set(code["properties"]) == {
        "format",
        "symbology_identifier",
        "text",
        "raw_base64",
        "corners",
        "engine",
        "payload",
        "payload_error",
        "resolved",
    }
    payloads = variants(openapi, code["properties"]["payload"])
    assert set(payloads) == {"gs1", "citizen_id", "subject_card"}
    assert {"gtin", "lot", "expiry", "element_strings"} <= payloads["gs1"]
    assert {"id_number", "full_name", "birth_date", "sex", "discrepancies"} <= payloads["citizen_id"]
    assert payloads["subject_card"] == {"kind", "code", "signature", "check_ok"}
    resolved = variants(openapi, code["properties"]["resolved"])
    assert set(resolved) == {"product", "guardian_prefill", "subject_card"}
    assert resolved["product"] == {
        "kind",
        "id",
        "trade_name",
        "name_vi",
        "manufacturer",
        "doses_per_container",
        "gtin",
    }
    assert resolved["subject_card"] == {"kind", "valid", "code_display", "subject", "reason", "message"}


async def test_the_prefill_answer_is_described_field_by_field(openapi: dict[str, Any]) -> None:
    answer = response_schema(openapi, "/api/subjects/prefill")
    assert set(answer["properties"]) == {
        "kind",
        "full_name",
        "personal_id",
        "birth_date",
        "sex",
        "address",
        "consistent",
        "discrepancies",
        "guardian",
        "subject",
    }
    assert properties(openapi, answer["properties"]["subject"]) == {
        "full_name",
        "personal_id",
        "birth_date",
        "sex",
        "address_detail",
    }


async def test_a_forecast_answer_fits_its_schema(client: Any, token_for: Any) -> None:
    body = {
        "birth_date": "2026-01-10",
        "assessment_date": "2026-04-01",
        "doses": [{"date": "2026-01-10", "vaccine_code": "08"}, {"date": "2026-03-05", "vaccine_code": "198"}],
    }
    response = await client.post("/api/forecast", json=body, headers=await token_for("vac1"))
    assert response.status_code == 200, response.text
    answer = msgspec.json.decode(response.content, type=Assessment)  # strict: no key missing, none extra
    assert [d.vaccine_code for d in answer.doses] == ["08", "198"]
    assert answer.vaccine_groups and all(g.reasons is not None for g in answer.vaccine_groups)


async def test_a_scan_of_every_kind_of_code_fits_its_schema(client: Any, app: Any, world: Any, token_for: Any) -> None:
    subject_card = card.qr_text(app.state.settings.secret_key, await code_of(world.subjects["S1"]))
    rng = random.Random(3)
    symbols = [
        render.symbol("(01)08936000000011(17)271231(10)LOT42", "DataMatrix", module=6, gs1=True),
        render.qr_utf8(ID_CARD, module=4),
        render.qr_utf8(subject_card, module=5),
    ]
    label = render.label(symbols, rng=rng, paper=245, text_lines=1)
    scene = photo.background(corpus.HD, rng, busy=False)
    quad = photo.frame(corpus.HD, label.size, rng, fill=0.8, angle=0, tilt=0)
    shot = photo.jpeg(photo.place(scene, label, quad), quality=92)
    response = await client.post(
        "/api/scan", content=shot, headers={**(await token_for("vac1")), "content-type": "image/jpeg"}
    )
    assert response.status_code == 200, response.text
    answer = msgspec.json.decode(response.content, type=ScanResponse)
    kinds = {type(c.payload).__name__: type(c.resolved).__name__ for c in answer.codes}
    assert kinds == {
        "GS1Payload": "NoneType",  # no catalogue product has this GTIN
        "CitizenIdPayload": "Prefill",
        "SubjectCardPayload": "CardResolution",
    }


async def test_a_prefill_answer_fits_its_schema(client: Any, token_for: Any) -> None:
    response = await client.post("/api/subjects/prefill", json={"text": ID_CARD}, headers=await token_for("vac1"))
    assert response.status_code == 200, response.text
    answer = msgspec.json.decode(response.content, type=Prefill)
    assert (answer.full_name, answer.subject.sex, answer.consistent) == ("Hoàng Thị Mai", "F", True)

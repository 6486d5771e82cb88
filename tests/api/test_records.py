"""Vaccination records through the API: a dose recorded once under a retried key takes
one dose from the lot and moves the child's forecast; an expired or held lot is a 409;
a vaccinator records only at their own facility; a void gives the dose back to the lot;
a bad body is refused naming the field (400 shape, 422 rule).

The stock world is test_stock's (F1's commune store, kept by ``clerk1``; ``vac1`` is a
vaccinator at F1); the child is S1 (managed by F1, born 14 March 2025).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from api import clock
from api.stock import catalogue
from db.tables import AuditEvent, Dose, StockEvent, StockLot, SubjectForecast
from tests.api.test_stock import ACTOR, Stock, _on_hand, _receive
from tests.world import World

PENTAVALENT = "198"  # DTP-HepB-Hib, the schedule's code for the lot's product


def _body(world: World, stock: Stock, **changes: Any) -> dict[str, Any]:
    return {
        "subject_id": world.subjects["S1"],
        "vaccine_code": PENTAVALENT,
        "store_id": stock.stores["F1"]["id"],
        "lot_id": stock.lots["penta_a"],
        "route": "IM",
        "site": "left_thigh",
        **changes,
    }


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _group(answer: dict[str, Any], name: str) -> dict[str, Any]:
    """One group of a forecast (``GET …/forecast``) or of a recorded dose's answer."""
    groups = answer.get("vaccine_groups", answer.get("forecast"))
    return next(g for g in groups if g["vaccine_group"] == name)


async def test_a_dose_retried_under_its_key_is_recorded_once_and_moves_stock_and_forecast(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    subject = world.subjects["S1"]
    before = (await client.get(f"/api/subjects/{subject}/forecast", headers=vac)).json()
    assert _group(before, "DTP")["dose_number"] == 1

    headers = {**vac, **_key()}
    first = await client.post("/api/doses", json=_body(world, stock), headers=headers)
    again = await client.post("/api/doses", json=_body(world, stock), headers=headers)

    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    dose = first.json()["dose"]
    assert dose["status"] == "administered" and dose["source"] == "recorded"
    assert dose["administered_on"] == clock.current().today().isoformat()
    assert dose["lot_number"] == "PA001" and dose["facility_id"] == world.facilities["F1"]
    assert await Dose.count() == 1
    assert await _on_hand(stock, "F1", "penta_a") == 9
    assert await StockEvent.count().where(StockEvent.kind == "administered") == 1
    assert await AuditEvent.count().where(AuditEvent.action == "dose.record") == 1
    # The record screen's forecast moved on, and the stored one with it.
    assert _group(first.json(), "DTP")["dose_number"] == 2
    after = (await client.get(f"/api/subjects/{subject}/forecast", headers=vac)).json()
    assert _group(after, "DTP")["dose_number"] == 2
    assert [d["vaccine_code"] for d in after["doses"]] == [PENTAVALENT]
    stored = await SubjectForecast.select().where(
        (SubjectForecast.subject == subject) & (SubjectForecast.vaccine_group == "DTP")
    )
    assert [row["dose_number"] for row in stored] == [2]
    listed = (await client.get(f"/api/subjects/{subject}/doses", headers=vac)).json()
    assert [d["id"] for d in listed] == [dose["id"]]


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_an_expired_or_held_lot_is_refused_with_409_and_nothing_written(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    await _receive(stock, "F1", "penta_b", 10)
    vac = await token_for("vac1")
    yesterday = clock.current().today() - timedelta(days=1)
    # Time passed since the receipt: the lot is past its expiry now.
    await StockLot.update({StockLot.expiry: yesterday}).where(StockLot.id == stock.lots["penta_b"])
    await catalogue.set_hold(ACTOR, stock.lots["penta_a"], True)

    expired = await client.post(
        "/api/doses", json=_body(world, stock, lot_id=stock.lots["penta_b"]), headers={**vac, **_key()}
    )
    held = await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})

    assert expired.status_code == 409, expired.text
    # Saying which lot and why (this module's accounts read English; Vietnamese: test_wording).
    assert f"Lot PB002 of DTP-HepB-Hib expired on {yesterday}" in expired.json()["error"]["message"]
    assert expired.json()["error"]["details"]["reason"] == "lot_expired"
    assert held.status_code == 409 and "Lot PA001 of DTP-HepB-Hib is on hold" in held.json()["error"]["message"]
    assert await Dose.count() == 0
    assert await _on_hand(stock, "F1", "penta_a") == 10 and await _on_hand(stock, "F1", "penta_b") == 10


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_a_vaccinator_records_only_at_their_own_facility(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    # vac2 works at F2: F1's store is not theirs, and S1 is not their child.
    other = await client.post(
        "/api/doses",
        json=_body(world, stock, subject_id=world.subjects["S2"]),
        headers={**await token_for("vac2"), **_key()},
    )
    not_theirs = await client.post(
        "/api/doses", json=_body(world, stock), headers={**await token_for("vac2"), **_key()}
    )
    # An officer keeps no store: from stock is not for them; a clerk gives no vaccines.
    officer = await client.post("/api/doses", json=_body(world, stock), headers={**await token_for("com1"), **_key()})
    clerk = await client.post("/api/doses", json=_body(world, stock), headers={**await token_for("clerk1"), **_key()})

    assert other.status_code == 404, other.text
    assert not_theirs.status_code == 404
    assert officer.status_code == 403 and "facility" in officer.json()["error"]["message"]
    assert clerk.status_code == 403
    assert await Dose.count() == 0 and await _on_hand(stock, "F1", "penta_a") == 10
    # The officer may still enter a dose from a paper card: no stock, marked historical.
    card = await client.post(
        "/api/doses",
        json={
            "subject_id": world.subjects["S1"],
            "vaccine_code": PENTAVALENT,
            "source": "historical",
            "administered_on": "2025-05-20",
            "lot_number": "X123",
            "given_elsewhere": "Phòng khám tư",
        },
        headers={**await token_for("com1"), **_key()},
    )
    assert card.status_code == 201, card.text
    assert card.json()["dose"]["source"] == "historical" and card.json()["dose"]["stock_event"] is None
    assert await _on_hand(stock, "F1", "penta_a") == 10


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_voiding_a_dose_gives_it_back_to_the_lot_and_the_forecast_back(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    dose = (await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})).json()["dose"]
    assert await _on_hand(stock, "F1", "penta_a") == 9

    voided = await client.post(
        f"/api/doses/{dose['id']}/void", json={"reason": "wrong child selected"}, headers={**vac, **_key()}
    )
    twice = await client.post(f"/api/doses/{dose['id']}/void", json={"reason": "again"}, headers={**vac, **_key()})
    by_other = await client.post(
        f"/api/doses/{dose['id']}/void", json={"reason": "not mine"}, headers={**await token_for("vac2"), **_key()}
    )

    assert voided.status_code == 200, voided.text
    assert voided.json()["dose"]["status"] == "voided"
    assert voided.json()["dose"]["void_reason"] == "wrong child selected"
    assert _group(voided.json(), "DTP")["dose_number"] == 1
    assert await _on_hand(stock, "F1", "penta_a") == 10
    assert await StockEvent.count().where(StockEvent.kind == "reversal") == 1
    assert twice.status_code == 409 and "already voided" in twice.json()["error"]["message"]
    assert by_other.status_code == 404
    # Never deleted: the history shows it, voided, and the engine leaves it out.
    history = (await client.get(f"/api/subjects/{world.subjects['S1']}/doses", headers=vac)).json()
    assert [(d["id"], d["status"]) for d in history] == [(dose["id"], "voided")]
    forecast = (await client.get(f"/api/subjects/{world.subjects['S1']}/forecast", headers=vac)).json()
    assert forecast["doses"] == []


async def test_a_postponing_screening_needs_the_vaccinators_reason(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    fever = {"form": "child", "answers": {"temperature": True}}

    refused = await client.post("/api/doses", json=_body(world, stock, screening=fever), headers={**vac, **_key()})
    confirmed = await client.post(
        "/api/doses",
        json=_body(world, stock, screening=fever, override_reason="37.6 °C after running; rechecked 37.0 °C"),
        headers={**vac, **_key()},
    )

    assert refused.status_code == 409, refused.text
    assert "postpone" in refused.json()["error"]["message"]
    assert confirmed.status_code == 201, confirmed.text
    dose = confirmed.json()["dose"]
    assert dose["screening"]["form"] == "child" and dose["screening"]["checklist_version"]
    assert dose["screening"]["answers"] == {"temperature": True}
    assert {w["code"] for w in dose["warnings"]} == {"postpone"}
    assert await Dose.count() == 1 and await _on_hand(stock, "F1", "penta_a") == 9


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_bad_bodies_are_refused_naming_the_field_and_write_nothing(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    tomorrow = (clock.current().today() + timedelta(days=1)).isoformat()
    # The project's convention (tests/api/test_bad_input.py): a body of the wrong shape is
    # 400 invalid_request, a well-formed one breaking a rule is 422 invalid; both name the field.
    cases = {
        "route": (400, _body(world, stock, route="intravenous")),
        "colour": (400, {**_body(world, stock), "colour": "red"}),
        "administered_on": (422, _body(world, stock, administered_on=tomorrow, source="synced")),
        "vaccine_code": (422, _body(world, stock, vaccine_code="NOPE")),
        "lot_id": (422, _body(world, stock, lot_id=None)),
    }
    for field, (status, body) in cases.items():
        response = await client.post("/api/doses", json=body, headers={**vac, **_key()})
        assert response.status_code == status, (field, response.text)
        assert field in response.text, (field, response.text)
    before_birth = await client.post(
        "/api/doses", json=_body(world, stock, administered_on="2024-01-01", source="synced"), headers={**vac, **_key()}
    )
    assert before_birth.status_code == 422 and "before the birth date" in before_birth.json()["error"]["message"]
    no_key = await client.post("/api/doses", json=_body(world, stock), headers=vac)
    assert no_key.status_code == 422 and "Idempotency-Key" in no_key.json()["error"]["message"]
    assert await Dose.count() == 0 and await _on_hand(stock, "F1", "penta_a") == 10

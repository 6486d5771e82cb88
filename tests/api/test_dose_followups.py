"""What recording a dose also does in its unit of work, and correcting one: a
multi-dose vial opened by the first dose and reused by the next until its open-vial
rule ends it; the linked parent's message, once per dose; a correction voiding the old
dose and recording the new one, the stock moving only when the lot changed.

The world is test_records' (S1 is linked to parent1; S1y has no parent account).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from api import clock
from api.stock import catalogue
from api.stock import services as ledger
from db.tables import AuditEvent, Dose, Outbox, StockEvent, StockOpenVial
from tests.api.test_records import PENTAVALENT, _body, _key
from tests.api.test_stock import ACTOR, Stock, _lot, _on_hand, _receive, demo_gtin
from tests.world import World

MR = "04"
MR_GTIN = demo_gtin("100009")  # 10-dose vials, discarded 6 hours after opening


async def _mr_lot(stock: Stock) -> int:
    product = await catalogue.create_product(ACTOR, code="MR", name="Sởi - Rubella", kind="vaccine", vaccine_code="04")
    await catalogue.register_presentation(
        ACTOR, catalogue.PresentationIn(MR_GTIN, product["id"], 10, 50, True, "hours", 6)
    )
    lot = await _lot(MR_GTIN, "MR2291", clock.current().today() + timedelta(days=300))
    stock.lots["mr"] = lot
    await _receive(stock, "F1", "mr", 20)
    return lot


async def test_the_first_dose_of_a_ten_dose_vial_opens_it_the_next_reuse_it_until_its_rule_ends(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    lot = await _mr_lot(stock)
    vac = await token_for("vac1")

    async def give(subject: str) -> dict[str, Any]:
        body = _body(world, stock, subject_id=world.subjects[subject], vaccine_code=MR, lot_id=lot, route="SC")
        response = await client.post("/api/doses", json=body, headers={**vac, **_key()})
        assert response.status_code == 201, response.text
        return dict(response.json()["dose"])

    first = await give("S1")
    second = await give("S1y")
    assert first["open_vial"] is not None and second["open_vial"] == first["open_vial"]
    vial = await StockOpenVial.select().where(StockOpenVial.id == first["open_vial"]).first()
    assert vial is not None and (vial["doses"], vial["given"]) == (10, 2)
    assert await StockEvent.count().where(StockEvent.kind == "vial_opened") == 1

    # Seven hours later (the vial aged, as the clock of the served app is the real one)
    # the reconstituted vial may no longer be used: the next dose opens another.
    now = clock.current().now()
    await StockOpenVial.update(
        {StockOpenVial.opened_at: now - timedelta(hours=7), StockOpenVial.discard_at: now - timedelta(hours=1)}
    ).where(StockOpenVial.id == first["open_vial"])
    third = await give("S1x")
    assert third["open_vial"] not in (None, first["open_vial"])
    assert await StockEvent.count().where(StockEvent.kind == "vial_opened") == 2
    assert await _on_hand(stock, "F1", "mr") == 17
    assert await ledger.check() == []  # balances still equal the ledger

    # A single-dose presentation opens nothing.
    await _receive(stock, "F1", "penta_a", 5)
    penta = await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})
    assert penta.status_code == 201 and penta.json()["dose"]["open_vial"] is None


async def test_the_linked_parent_gets_one_message_per_dose(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    headers = {**vac, **_key()}

    first = await client.post("/api/doses", json=_body(world, stock), headers=headers)
    again = await client.post("/api/doses", json=_body(world, stock), headers=headers)
    no_parent = await client.post(
        "/api/doses", json=_body(world, stock, subject_id=world.subjects["S1y"]), headers={**vac, **_key()}
    )

    assert first.status_code == again.status_code == no_parent.status_code == 201
    dose_id = first.json()["dose"]["id"]
    messages = await Outbox.select().where(Outbox.template == "dose.given")
    assert len(messages) == 1  # the retry and the child without a parent account sent nothing
    message = messages[0]
    assert message["reference"] == f"dose:{dose_id}" and message["recipient"] == f"account:{world.users['parent1']}"
    due = min(g["recommended"] for g in first.json()["forecast"] if g["vaccine_group"] in {"DTP", "HepB"})
    day, month, year = due[8:10], due[5:7], due[:4]
    today = clock.current().today().strftime("%d/%m/%Y")
    assert message["body"] == (
        f"Nguyễn Văn An đã được tiêm DTP-HepB-Hib pentavalent, non-US (whole-cell pertussis) ngày {today}. "
        f"Mũi tiếp theo: {day}/{month}/{year}."
    )


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_a_correction_voids_the_old_dose_and_moves_stock_only_when_the_lot_changed(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    await _receive(stock, "F1", "penta_b", 10)
    vac = await token_for("vac1")
    old = (await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})).json()["dose"]

    # The vial in the hand was of lot PB002, not PA001.
    headers = {**vac, **_key()}
    fix = {**_body(world, stock, lot_id=stock.lots["penta_b"]), "reason": "wrong lot picked on the screen"}
    corrected = await client.post(f"/api/doses/{old['id']}/correct", json=fix, headers=headers)
    again = await client.post(f"/api/doses/{old['id']}/correct", json=fix, headers=headers)

    assert corrected.status_code == 201, corrected.text
    assert again.json() == corrected.json()
    new = corrected.json()["dose"]
    assert new["corrects_id"] == old["id"] and new["lot_number"] == "PB002" and new["status"] == "administered"
    assert new["administered_on"] == old["administered_on"]  # no date sent: the old dose's
    assert await _on_hand(stock, "F1", "penta_a") == 10 and await _on_hand(stock, "F1", "penta_b") == 9
    history = (await client.get(f"/api/subjects/{world.subjects['S1']}/doses", headers=vac)).json()
    assert [(d["id"], d["status"], d["void_reason"]) for d in history] == [
        (old["id"], "voided", "wrong lot picked on the screen"),
        (new["id"], "administered", ""),
    ]
    assert next(g for g in corrected.json()["forecast"] if g["vaccine_group"] == "DTP")["dose_number"] == 2
    assert await AuditEvent.count().where(AuditEvent.action == "dose.correct") == 1
    assert await AuditEvent.count().where(AuditEvent.action == "dose.void") == 1

    # The voided dose cannot be corrected again.
    twice = await client.post(f"/api/doses/{old['id']}/correct", json=fix, headers={**vac, **_key()})
    assert twice.status_code == 409 and "already voided" in twice.json()["error"]["message"]

    # Only the site was wrong: the same lot, so no stock moves.
    site = {**_body(world, stock, lot_id=stock.lots["penta_b"], site="right_thigh"), "reason": "it was the right thigh"}
    kept = await client.post(f"/api/doses/{new['id']}/correct", json=site, headers={**vac, **_key()})
    assert kept.status_code == 201, kept.text
    assert kept.json()["dose"]["stock_event"] == new["stock_event"]
    assert await _on_hand(stock, "F1", "penta_b") == 9
    assert await StockEvent.count().where(StockEvent.kind == "reversal") == 1
    assert await ledger.check() == []


async def test_a_bad_correction_is_refused_and_leaves_the_dose_as_it_was(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    dose = (await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})).json()["dose"]
    tomorrow = (clock.current().today() + timedelta(days=1)).isoformat()
    cases = {
        "administered_on": (422, {**_body(world, stock, administered_on=tomorrow), "reason": "date typed wrong"}),
        "subject_id": (422, {**_body(world, stock, subject_id=world.subjects["S1y"]), "reason": "other child"}),
        "reason": (400, _body(world, stock, site="right_arm")),
        "vaccine_code": (422, {**_body(world, stock, vaccine_code=PENTAVALENT + "9"), "reason": "typo here"}),
    }
    for field, (status, body) in cases.items():
        response = await client.post(f"/api/doses/{dose['id']}/correct", json=body, headers={**vac, **_key()})
        assert response.status_code == status, (field, response.text)
        assert field in response.text, (field, response.text)
    no_key = await client.post(
        f"/api/doses/{dose['id']}/correct", json={**_body(world, stock), "reason": "no key sent"}, headers=vac
    )
    assert no_key.status_code == 422 and "Idempotency-Key" in no_key.json()["error"]["message"]
    rows = await Dose.select(Dose.id, Dose.status)
    assert rows == [{"id": dose["id"], "status": "administered"}]
    assert await _on_hand(stock, "F1", "penta_a") == 9

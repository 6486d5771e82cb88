"""Check before saving (docs/records.md): what the vaccinator sees before a dose is
saved (the engine's verdict, the screening's precautions and contraindications, the
same vaccine recorded recently anywhere), refused exactly as the record would be, and
nothing written; the record refuses what was not confirmed, and a synced dose keeps
its warnings instead of being refused.

The world is test_records' (S1, born 14 March 2025, managed by F1; F1's store kept by
clerk1; vac1 vaccinates at F1, vac1b at F1b).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from api import clock
from db.tables import Account, AuditEvent, Dose, Outbox, StockEvent
from tests.api.test_records import PENTAVALENT, _body, _key
from tests.api.test_stock import Stock, _on_hand, _receive
from tests.world import World

MR = "04"
VARICELLA = "21"
BCG = "19"
ANAPHYLAXIS_TO_PENTA = {"form": "child", "answers": {"anaphylaxis-previous-dose": {"vaccine_code": PENTAVALENT}}}


def _codes(answer: dict[str, Any]) -> set[str]:
    return {f["code"] for f in answer["findings"]}


async def _nothing_written() -> None:
    assert await Dose.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action.like("dose.%")) == 0
    assert await Outbox.count().where(Outbox.template == "dose.given") == 0


def _card(world: World, vaccine_code: str, on: Any, subject: str = "S1") -> dict[str, Any]:
    return {
        "subject_id": world.subjects[subject],
        "vaccine_code": vaccine_code,
        "source": "historical",
        "administered_on": on.isoformat(),
        "given_elsewhere": "Phòng khám tư",
    }


async def test_a_first_dose_checks_clean_and_writes_nothing(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    events = await StockEvent.count()
    vac = await token_for("vac1")

    checked = await client.post("/api/doses/check", json=_body(world, stock), headers=vac)

    assert checked.status_code == 200, checked.text
    answer = checked.json()
    assert answer["findings"] == []
    assert answer["evaluation"] == {"valid": True, "reasons": []}
    # The forecast after the dose, of each group the pentavalent counts for: DTP and HepB
    # move to dose 2; Hib is complete (one dose after 15 months of age is enough).
    forecast = {g["vaccine_group"]: (g["status"], g["dose_number"]) for g in answer["forecast"]}
    assert forecast == {"DTP": ("Not Complete", 2), "HepB": ("Not Complete", 2), "Hib": ("Complete", None)}
    await _nothing_written()
    assert await StockEvent.count() == events and await _on_hand(stock, "F1", "penta_a") == 10


async def test_a_second_dose_the_same_day_warns_and_needs_the_reason(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    first = await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})
    assert first.status_code == 201, first.text

    checked = (await client.post("/api/doses/check", json=_body(world, stock), headers=vac)).json()
    refused = await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})

    # The engine: too soon (not valid); and the same vaccine already recorded today.
    assert checked["evaluation"]["valid"] is False
    assert "too_soon" in {r["code"] for r in checked["evaluation"]["reasons"]}
    assert {"too_soon", "recent_dose"} <= _codes(checked)
    assert all(f["severity"] == "warning" for f in checked["findings"])
    recent = next(f for f in checked["findings"] if f["code"] == "recent_dose")
    assert recent["dose_id"] == first.json()["dose"]["id"]
    # In Vietnamese by default, naming where it was given.
    assert stock.stores["F1"]["facility_name"] in recent["message"] and "ngày" in recent["message"]
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "needs_confirmation" and "hãy ghi lý do" in error["message"]
    assert {f["code"] for f in error["details"]["findings"]} == _codes(checked)
    assert await Dose.count() == 1 and await _on_hand(stock, "F1", "penta_a") == 9

    reason = "the first was recorded for the wrong arm; the child got one dose"
    confirmed = await client.post(
        "/api/doses", json=_body(world, stock, override_reason=reason), headers={**vac, **_key()}
    )
    assert confirmed.status_code == 201, confirmed.text
    dose = confirmed.json()["dose"]
    assert dose["override_reason"] == reason
    assert {w["code"] for w in dose["warnings"]} == _codes(checked)


async def test_too_young_series_complete_and_live_vaccine_interval_are_said_in_the_callers_language(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    await Account.update({Account.language: "en"}).where(Account.id == world.users["vac1"])
    vac = await token_for("vac1")
    today = clock.current().today()
    assert (
        await client.post("/api/doses", json=_card(world, BCG, today - timedelta(days=600)), headers={**vac, **_key()})
    ).status_code == 201
    measles = _card(world, MR, today - timedelta(days=10))
    assert (await client.post("/api/doses", json=measles, headers={**vac, **_key()})).status_code == 201

    too_young = (
        await client.post("/api/doses/check", json=_card(world, PENTAVALENT, date(2025, 3, 20)), headers=vac)
    ).json()
    bcg_again = (await client.post("/api/doses/check", json=_card(world, BCG, today), headers=vac)).json()
    varicella = (await client.post("/api/doses/check", json=_card(world, VARICELLA, today), headers=vac)).json()

    assert "too_young" in _codes(too_young) and too_young["evaluation"]["valid"] is False
    message = next(f["message"] for f in too_young["findings"] if f["code"] == "too_young")
    assert message.startswith("Given too early")
    assert "series_complete" in _codes(bcg_again)
    assert "live_virus_conflict" in _codes(varicella)
    assert "28 days" in next(f["message"] for f in varicella["findings"] if f["code"] == "live_virus_conflict")


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_a_contraindication_needs_the_explicit_override_and_stays_on_record(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    screened = _body(world, stock, screening=ANAPHYLAXIS_TO_PENTA)

    checked = (await client.post("/api/doses/check", json=screened, headers=vac)).json()
    reason_only = await client.post(
        "/api/doses", json={**screened, "override_reason": "mother insists"}, headers={**vac, **_key()}
    )

    contra = [f for f in checked["findings"] if f["severity"] == "contraindication"]
    assert {f["code"] for f in contra} == {"do_not_give"}
    assert {f["vaccine_group"] for f in contra} >= {"DTP"}
    assert reason_only.status_code == 409 and "override_contraindication" in reason_only.json()["error"]["message"]
    await _nothing_written()

    overridden = await client.post(
        "/api/doses",
        json={
            **screened,
            "override_reason": "the paediatrician decided, reaction was not anaphylaxis",
            "override_contraindication": True,
        },
        headers={**vac, **_key()},
    )
    assert overridden.status_code == 201, overridden.text
    # The screening's observation is now on record: the next check says it without any answers.
    later = (await client.post("/api/doses/check", json=_body(world, stock), headers=vac)).json()
    assert "do_not_give" in _codes(later)


async def test_a_dose_recorded_at_another_facility_is_found(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    # S1x lives in F1's commune and is managed from F1b: both stations vaccinate it.
    await _receive(stock, "F1", "penta_a", 10)
    await _receive(stock, "F1b", "penta_a", 10)
    there = _body(world, stock, subject_id=world.subjects["S1x"], store_id=stock.stores["F1b"]["id"])
    given = await client.post("/api/doses", json=there, headers={**await token_for("vac1b"), **_key()})
    assert given.status_code == 201, given.text

    here = _body(world, stock, subject_id=world.subjects["S1x"])
    checked = (await client.post("/api/doses/check", json=here, headers=await token_for("vac1"))).json()

    recent = next(f for f in checked["findings"] if f["code"] == "recent_dose")
    assert recent["dose_id"] == given.json()["dose"]["id"]
    assert stock.stores["F1b"]["facility_name"] in recent["message"]


async def test_the_check_refuses_as_the_record_does_and_writes_nothing(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    await _receive(stock, "F2", "penta_b", 10)  # a lot F1's store never received
    vac = await token_for("vac1")
    today = clock.current().today()
    # vac1 reads Vietnamese (the account's language unless chosen).
    cases = {
        "another store's lot": (404, _body(world, stock, lot_id=stock.lots["penta_b"]), "không có trong kho"),
        "product not the lot's": (422, _body(world, stock, product_id=stock.products["bcg"]), "không phải của"),
        "future": (
            422,
            _body(world, stock, administered_on=(today + timedelta(days=1)).isoformat(), source="synced"),
            "ở tương lai",
        ),
        "before birth": (422, _body(world, stock, administered_on="2024-01-01", source="synced"), "trước ngày sinh"),
        "unknown subject": (404, _body(world, stock, subject_id=999999), "Không tìm thấy"),
        "screening form": (422, _body(world, stock, screening={"form": "newborn", "answers": {}}), "không hợp"),
    }
    for name, (status, body, words) in cases.items():
        for route in ("/api/doses/check", "/api/doses"):
            response = await client.post(route, json=body, headers={**vac, **_key()})
            assert response.status_code == status, (name, route, response.text)
            assert words in response.json()["error"]["message"], (name, route, response.text)
    await _nothing_written()
    assert await _on_hand(stock, "F1", "penta_a") == 10


async def test_a_held_lot_is_refused_online_and_kept_with_its_warning_when_synced(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    from api.stock import catalogue
    from tests.api.test_stock import ACTOR

    await _receive(stock, "F1", "penta_a", 10)
    await catalogue.set_hold(ACTOR, stock.lots["penta_a"], True)
    vac = await token_for("vac1")
    yesterday = (clock.current().today() - timedelta(days=1)).isoformat()
    synced = _body(world, stock, source="synced", administered_on=yesterday)

    online = await client.post("/api/doses/check", json=_body(world, stock), headers=vac)
    offline = await client.post("/api/doses/check", json=synced, headers=vac)
    recorded = await client.post("/api/doses", json=synced, headers={**vac, **_key()})

    assert online.status_code == 409 and online.json()["error"]["details"]["reason"] == "lot_on_hold"
    assert offline.status_code == 200 and "lot_on_hold" in _codes(offline.json())
    # Given already (offline): kept, with the warnings it came with, never refused for them.
    assert recorded.status_code == 201, recorded.text
    assert "lot_on_hold" in {w["code"] for w in recorded.json()["dose"]["warnings"]}
    assert await _on_hand(stock, "F1", "penta_a") == 9


async def test_the_forecast_answered_for_a_dose_is_the_one_stored_and_shown_screened_or_not(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    from tests.api.test_forecast_hooks import _as_stored, _rows, _stored

    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    s1, s1y = world.subjects["S1"], world.subjects["S1y"]
    checked = (await client.post("/api/doses/check", json=_body(world, stock), headers=vac)).json()
    plain = (await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})).json()
    # S1y's screening finds an allergy to the pentavalent, given anyway: the forecast after
    # it holds the pentavalent's groups back, which the check (before the dose) did not know.
    screened = _body(
        world,
        stock,
        subject_id=s1y,
        screening=ANAPHYLAXIS_TO_PENTA,
        override_reason="the paediatrician decided, reaction was not anaphylaxis",
        override_contraindication=True,
    )
    allergic = await client.post("/api/doses", json=screened, headers={**vac, **_key()})
    assert allergic.status_code == 201, allergic.text

    for subject, answer in ((s1, plain), (s1y, allergic.json())):
        shown = (await client.get(f"/api/subjects/{subject}/forecast", headers=vac)).json()["vaccine_groups"]
        assert answer["forecast"] == shown
        assert _rows(await _stored(subject)) == _as_stored(shown)
    # What the check said of the dose's groups is what the record answered.
    assert [g for g in plain["forecast"] if g["vaccine_group"] in {"DTP", "HepB", "Hib"}] == checked["forecast"]
    dtp = next(g for g in allergic.json()["forecast"] if g["vaccine_group"] == "DTP")
    assert dtp["advice"]["action"] == "do not give"

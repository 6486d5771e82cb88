"""Vaccination sessions and campaigns through the API: a vaccinator plans today's
session at their facility, its roster is the due list of that day (gzip), a child is
marked absent or postponed, a dose given in the session opens its vial under the
session's name, closing writes the vial's rest off and the report counts what happened;
bad plans are refused naming the field; a campaign counts its target group and progress.

The world is test_records' (vac1 at F1; S1 and S1y managed by F1, both overdue for DTP;
F1's store holds pentavalent, one dose a vial; MR comes in 10-dose vials).
"""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx

from api import clock
from api.stock import services as ledger
from db.tables import Dose, SessionAttendance, StockOpenVial, VaccinationSession
from tests.api.test_dose_followups import MR, _mr_lot
from tests.api.test_records import _body, _key
from tests.api.test_stock import Stock, _on_hand, _receive
from tests.world import World


def _today() -> str:
    return clock.current().today().isoformat()


async def _plan(client: httpx.AsyncClient, headers: dict[str, str], **changes: Any) -> httpx.Response:
    body = {
        "held_on": _today(),
        "kind": "fixed",
        "place_name": "Trạm Y tế",
        "vaccine_groups": ["DTP", "Measles/MR"],
        **changes,
    }
    return await client.post("/api/sessions", json=body, headers={**headers, **_key()})


async def _roster(client: httpx.AsyncClient, headers: dict[str, str], session_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/sessions/{session_id}/roster", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _mr_dose(
    client: httpx.AsyncClient, headers: dict[str, str], world: World, stock: Stock, **fields: Any
) -> dict[str, Any]:
    """S1 given MR from a fresh 10-dose lot of F1 (in the session or campaign ``fields`` name)."""
    body = _body(world, stock, vaccine_code=MR, lot_id=await _mr_lot(stock), route="SC", **fields)
    dose = await client.post("/api/doses", json=body, headers={**headers, **_key()})
    assert dose.status_code == 201, dose.text
    return dict(dose.json()["dose"])


def _child(roster: dict[str, Any], subject_id: int) -> dict[str, Any]:
    return next(c for c in roster["children"] if c["id"] == subject_id)


async def test_a_session_from_plan_to_report(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    vac = await token_for("vac1")
    s1, s1y, s1x = world.subjects["S1"], world.subjects["S1y"], world.subjects["S1x"]
    planned = await _plan(client, vac)
    assert planned.status_code == 201, planned.text
    session = planned.json()
    assert session["status"] == "planned" and session["facility_id"] == world.facilities["F1"]
    listed = (await client.get("/api/sessions", headers=vac)).json()
    assert [s["id"] for s in listed] == [session["id"]]

    # The roster: F1's children due today for DTP or Measles/MR, each not seen yet; S1x (F1b's) not on it.
    roster = await _roster(client, vac, session["id"])
    ids = {c["id"] for c in roster["children"]}
    assert {s1, s1y} <= ids and s1x not in ids
    assert _child(roster, s1)["attendance"]["status"] == "expected"
    assert {g["vaccine_group"] for c in roster["children"] for g in c["groups"]} <= {"DTP", "Measles/MR"}

    # S1 gets MR in the session (a 10-dose vial opened under the session's name), S1y is absent.
    dose = await _mr_dose(client, vac, world, stock, session=session["id"])
    assert dose["session_id"] == session["id"]
    vial = await StockOpenVial.select().where(StockOpenVial.id == dose["open_vial"]).first()
    assert vial is not None and vial["session"] == f"session-{session['id']}"
    marked = await client.post(
        f"/api/sessions/{session['id']}/attendance",
        json={"subject_id": s1y, "status": "absent"},
        headers={**vac, **_key()},
    )
    assert marked.status_code == 200, marked.text
    roster = await _roster(client, vac, session["id"])
    assert roster["session"]["status"] == "open"  # the first dose opened it
    assert _child(roster, s1)["attendance"] == {"status": "vaccinated", "reason": "", "vaccine_codes": [MR]}
    assert _child(roster, s1y)["attendance"]["status"] == "absent"

    # Closing: the vial's 9 other doses are written off, the report says so.
    closed = await client.post(f"/api/sessions/{session['id']}/close", headers={**vac, **_key()})
    assert closed.status_code == 200, closed.text
    report = closed.json()["report"]
    assert closed.json()["status"] == "closed"
    assert report["roster"] == len(roster["children"]) and report["vaccinated"] == 1 and report["absent"] == 1
    assert report["not_seen"] == report["roster"] - 2
    assert report["doses_per_vaccine"] == [{"vaccine_code": MR, "doses": 1}]
    assert (report["vials_opened"], report["doses_opened"], report["doses_given_from_vials"]) == (1, 10, 1)
    assert report["doses_wasted"] == 9 and report["wastage_rate"] == 0.9
    assert await _on_hand(stock, "F1", "mr") == 10  # 20 received, 1 given, 9 thrown away
    assert await ledger.check() == []
    assert (await client.get(f"/api/sessions/{session['id']}/report", headers=vac)).json() == report

    # Closing twice, marking or recording a dose in a closed session: 409, nothing written.
    again = await client.post(f"/api/sessions/{session['id']}/close", headers={**vac, **_key()})
    assert again.status_code == 409 and "đã kết thúc" in again.json()["error"]["message"]
    late = await client.post(
        f"/api/sessions/{session['id']}/attendance",
        json={"subject_id": s1y, "status": "absent"},
        headers={**vac, **_key()},
    )
    assert late.status_code == 409
    await _receive(stock, "F1", "penta_a", 5)
    dose_late = await client.post(
        "/api/doses", json=_body(world, stock, session=session["id"]), headers={**vac, **_key()}
    )
    assert dose_late.status_code == 409 and await Dose.count() == 1


async def test_the_roster_is_gzip_compressed_for_a_device_that_accepts_it(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    vac = await token_for("vac1")
    session = (await _plan(client, vac, vaccine_groups=["DTP", "Measles/MR", "Polio", "HepB"])).json()
    # httpx decodes gzip itself: read the raw bytes to see what went over the wire.
    async with client.stream(
        "GET", f"/api/sessions/{session['id']}/roster", headers={**vac, "Accept-Encoding": "gzip"}
    ) as response:
        wire = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.status_code == 200
    if response.headers.get("content-encoding") == "gzip":
        body = json.loads(gzip.decompress(wire))
        assert len(wire) < len(gzip.decompress(wire))
    else:  # too small to be worth it
        body = json.loads(wire)
        assert len(wire) < 1024
    assert body["session"]["id"] == session["id"] and body["children"]


async def test_the_planning_screens_offer_the_schedules_groups_and_each_is_accepted(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    vac = await token_for("vac1")
    groups = (await client.get("/api/sessions/groups", headers=vac)).json()
    assert {"Measles/MR", "DTP", "Meningococcal"} <= set(groups) and "Ebola" not in groups
    planned = await _plan(client, vac, vaccine_groups=groups)
    assert planned.status_code == 201, planned.text
    assert planned.json()["vaccine_groups"] == groups


async def test_bad_plans_are_refused_naming_the_field(client: httpx.AsyncClient, token_for: Any, world: World) -> None:
    vac = await token_for("vac1")
    yesterday = (clock.current().today() - timedelta(days=1)).isoformat()
    past = await _plan(client, vac, held_on=yesterday)
    assert past.status_code == 422 and past.json()["error"]["details"]["field"] == "held_on"
    unknown = await _plan(client, vac, facility_id=999999)
    assert unknown.status_code == 422 and unknown.json()["error"]["details"]["field"] == "facility_id"
    foreign = await _plan(client, vac, facility_id=world.facilities["F2"])
    assert foreign.status_code == 403
    groups = await _plan(client, vac, vaccine_groups=["Ebola"])
    assert groups.status_code == 422 and groups.json()["error"]["details"]["field"] == "vaccine_groups"
    staff = await _plan(client, vac, staff=[world.users["vac2"]])  # another facility's vaccinator
    assert staff.status_code == 422 and staff.json()["error"]["details"]["field"] == "staff"
    kind = await _plan(client, vac, kind="mobile")
    assert kind.status_code == 400
    # In Vietnamese by default for a person who reads it.
    vi = await client.post(
        "/api/sessions",
        json={"held_on": yesterday, "vaccine_groups": ["DTP"]},
        headers={**vac, **_key(), "Accept-Language": "vi"},
    )
    assert "Buổi tiêm" in vi.json()["error"]["message"] or "buổi tiêm" in vi.json()["error"]["message"]
    assert await VaccinationSession.count() == 0


async def test_attendance_only_for_a_child_on_the_roster_and_postponing_needs_a_reason(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    vac = await token_for("vac1")
    session = (await _plan(client, vac)).json()
    path = f"/api/sessions/{session['id']}/attendance"
    stranger = await client.post(
        path, json={"subject_id": world.subjects["S1x"], "status": "absent"}, headers={**vac, **_key()}
    )
    assert stranger.status_code == 422 and stranger.json()["error"]["details"]["field"] == "subject_id"
    no_reason = await client.post(
        path, json={"subject_id": world.subjects["S1"], "status": "postponed"}, headers={**vac, **_key()}
    )
    assert no_reason.status_code == 422 and no_reason.json()["error"]["details"]["field"] == "reason"
    postponed = await client.post(
        path,
        json={"subject_id": world.subjects["S1"], "status": "postponed", "reason": "sốt 38,5 độ"},
        headers={**vac, **_key()},
    )
    assert postponed.status_code == 200, postponed.text
    child = _child(await _roster(client, vac, session["id"]), world.subjects["S1"])
    assert child["attendance"] == {"status": "postponed", "reason": "sốt 38,5 độ", "vaccine_codes": []}
    assert await SessionAttendance.count() == 1
    # Another facility's vaccinator does not see the session.
    other = await client.get(f"/api/sessions/{session['id']}/roster", headers=await token_for("vac2"))
    assert other.status_code == 404


async def test_attendance_goes_through_the_batch_sync(client: httpx.AsyncClient, token_for: Any, world: World) -> None:
    vac = await token_for("vac1")
    session = (await _plan(client, vac)).json()
    key = str(uuid.uuid4())
    item = {
        "key": key,
        "method": "POST",
        "path": f"/api/sessions/{session['id']}/attendance",
        "body": {"subject_id": world.subjects["S1"], "status": "absent"},
    }
    first = await client.post("/api/sync", json={"items": [item]}, headers=vac)
    again = await client.post("/api/sync", json={"items": [item]}, headers=vac)
    assert first.status_code == 200, first.text
    assert first.json()["items"][0]["outcome"] == "applied"
    assert again.json()["items"][0]["outcome"] == "already_applied"
    rows = await SessionAttendance.select(SessionAttendance.subject, SessionAttendance.status)
    assert rows == [{"subject": world.subjects["S1"], "status": "absent"}]


async def test_a_campaign_counts_its_target_group_and_the_children_reached(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    com = await token_for("com1")
    today = clock.current().today()
    body = {
        "name": "Sởi - Rubella 1-5 tuổi",
        "vaccine_group": "Measles/MR",
        "min_age_months": 12,
        "max_age_months": 59,
        "place_id": world.places["C1"],
        "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=13)).isoformat(),
    }
    created = await client.post("/api/campaigns", json=body, headers={**com, **_key()})
    assert created.status_code == 201, created.text
    campaign = created.json()
    # S1 and S1x live in C1 and are 1-5 years old (the woman W1 is not).
    assert campaign["target"] >= 2 and campaign["reached"] == 0
    vac = await token_for("vac1")
    # A dose of another group (DTP) in the dates does not reach the child for MR.
    await _receive(stock, "F1", "penta_a", 5)
    other = await client.post("/api/doses", json=_body(world, stock), headers={**vac, **_key()})
    assert other.status_code == 201, other.text
    assert (await client.get(f"/api/campaigns/{campaign['id']}", headers=com)).json()["reached"] == 0
    dose = await _mr_dose(client, vac, world, stock, campaign=campaign["id"])
    assert dose["campaign_id"] == campaign["id"]
    listed = (await client.get("/api/campaigns", headers=vac)).json()
    found = next(c for c in listed if c["id"] == campaign["id"])
    assert found["reached"] == 1 and found["progress"] == round(1 / campaign["target"], 3)
    # Refused: a vaccinator planning one, an area above the officer's, an unknown campaign on a dose.
    by_vac = await client.post("/api/campaigns", json=body, headers={**vac, **_key()})
    assert by_vac.status_code == 403
    above = await client.post(
        "/api/campaigns", json={**body, "place_id": world.places["P1"]}, headers={**com, **_key()}
    )
    assert above.status_code == 403
    unknown = await client.post(
        "/api/doses",
        json=_body(
            world,
            stock,
            subject_id=world.subjects["S1y"],
            vaccine_code=MR,
            lot_id=dose["lot_id"],
            route="SC",
            campaign=999999,
        ),
        headers={**vac, **_key()},
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["details"]["field"] == "campaign"

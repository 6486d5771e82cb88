"""Due lists: the children of a facility (or living in a place) whose stored forecast is
due or overdue in a range, with the guardian's phone, counts per vaccine group and the
doses and vials a session needs with the facility's measured wastage; only inside the
caller's area; paged with a ``Link`` header; read by an index range scan.

World: tests/world.py (vac1 at F1 in C1; S1 and S1y are managed by F1, S1 and S1x live
in C1); stock: tests/api/test_stock.py (F1's store, pentavalent one dose per vial).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from api import clock
from api.context import Actor
from api.records.due import services as due
from api.stock import services as ledger
from db.tables import SubjectForecast
from tests.api.test_stock import Stock, _receive
from tests.conftest import Database
from tests.world import World

PENTAVALENT = "198"
ACTOR = Actor.system("test")


def _today() -> date:
    return clock.current().today()


async def _list(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> httpx.Response:
    return await client.get("/api/due", params={k: str(v) for k, v in params.items()}, headers=headers)


def _child(answer: dict[str, Any], subject_id: int) -> dict[str, Any] | None:
    return next((c for c in answer["children"] if c["id"] == subject_id), None)


async def _dtp_due(subject_id: int) -> date:
    row = (
        await SubjectForecast.select(SubjectForecast.due)
        .where((SubjectForecast.subject == subject_id) & (SubjectForecast.vaccine_group == "DTP"))
        .first()
    )
    assert row is not None and row["due"] is not None
    return row["due"]


async def test_a_vaccinators_list_holds_their_facilitys_children_due_in_the_range_with_the_guardians_phone(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    vac = await token_for("vac1")
    s1 = world.subjects["S1"]
    dtp_due = await _dtp_due(s1)  # S1 has no dose: DTP 1 is due at 2 months

    answer = await _list(client, vac, **{"from": dtp_due, "to": dtp_due + timedelta(days=6)})
    before = await _list(client, vac, **{"from": dtp_due - timedelta(days=30), "to": dtp_due - timedelta(days=1)})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["facility_id"] == world.facilities["F1"] and body["from"] == dtp_due.isoformat()
    child = _child(body, s1)
    assert child is not None and child["guardian_phone"] == "+84912345678"
    dtp = next(g for g in child["groups"] if g["vaccine_group"] == "DTP")
    assert dtp["due"] == dtp_due.isoformat() and dtp["dose_number"] == 1 and dtp["state"] == "due"
    # Children managed elsewhere are not on F1's list (S1x lives in C1 but F1b manages it).
    assert _child(body, world.subjects["S1x"]) is None and _child(body, world.subjects["S2"]) is None
    counts = {c["vaccine_group"]: c for c in body["counts"]}
    assert counts["DTP"]["total"] >= 1
    # A week before DTP 1 was due, S1 was not due for it yet.
    earlier = _child(before.json(), s1)
    assert earlier is None or "DTP" not in {g["vaccine_group"] for g in earlier["groups"]}


async def test_overdue_children_stay_on_the_list_until_the_dose_is_given(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    s1 = world.subjects["S1"]
    listed = (await _list(client, vac)).json()  # today and the next 7 days
    dtp = next(g for g in _child(listed, s1)["groups"] if g["vaccine_group"] == "DTP")  # type: ignore[index]
    assert dtp["state"] == "overdue"  # born March 2025: DTP 1 was due at 2 months
    overdue_before = {c["vaccine_group"]: c["overdue"] for c in listed["counts"]}["DTP"]

    given = await client.post(
        "/api/doses",
        json={
            "subject_id": s1,
            "vaccine_code": PENTAVALENT,
            "store_id": stock.stores["F1"]["id"],
            "lot_id": stock.lots["penta_a"],
            "route": "IM",
            "site": "left_thigh",
        },
        headers={**vac, "Idempotency-Key": str(uuid.uuid4())},
    )

    assert given.status_code == 201, given.text
    after = (await _list(client, vac)).json()
    groups = {g["vaccine_group"] for g in (_child(after, s1) or {"groups": []})["groups"]}
    assert "DTP" not in groups  # the next DTP dose is four weeks away
    assert {c["vaccine_group"]: c["overdue"] for c in after["counts"]}.get("DTP", 0) == overdue_before - 1


async def test_the_session_needs_doses_and_vials_with_the_facilitys_measured_wastage(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    vac = await token_for("vac1")
    # F1 gave one pentavalent dose (to S1x, who lives in its commune) and broke one vial:
    # 2 doses issued for 1 administered, a wastage factor of 2.
    given = await client.post(
        "/api/doses",
        json={
            "subject_id": world.subjects["S1x"],
            "vaccine_code": PENTAVALENT,
            "store_id": stock.stores["F1"]["id"],
            "lot_id": stock.lots["penta_a"],
        },
        headers={**vac, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert given.status_code == 201, given.text
    await ledger.adjust(ACTOR, stock.stores["F1"], "broken", stock.lots["penta_a"], 1)

    body = (await _list(client, vac, to=_today() + timedelta(days=30))).json()

    penta_groups = {"DTP", "HepB", "Hib"}
    children = {c["id"] for c in body["children"] if penta_groups & {g["vaccine_group"] for g in c["groups"]}}
    assert children, "no child of F1 is due for the pentavalent"
    need = next(n for n in body["needs"] if n["product"] == "DTP-HepB-Hib")
    assert set(need["vaccine_groups"]) <= penta_groups
    assert need["children"] == len(children)  # a child due for DTP and Hib needs one vial
    assert need["wastage_factor"] == 2.0
    assert need["doses"] == 2 * len(children) and need["doses_per_vial"] == 1 and need["vials"] == need["doses"]
    # A vaccine F1 has not given from stock yet: doses at factor 1, vials unknown.
    unknown = [n for n in body["needs"] if n["product"] is None]
    assert unknown and all(
        n["wastage_factor"] == 1.0 and n["doses"] == n["children"] and n["vials"] is None for n in unknown
    )


async def test_officers_list_a_place_in_their_area_and_nothing_outside(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    com1 = await token_for("com1")
    wide = {"to": _today() + timedelta(days=365)}
    commune = await _list(client, com1, place_id=world.places["C1"], **wide)

    assert commune.status_code == 200, commune.text
    ids = {c["id"] for c in commune.json()["children"]}
    # Those living in Ba Đình, whoever manages them; not S1y, who lives in Hoàn Kiếm.
    assert {world.subjects["S1"], world.subjects["S1x"]} <= ids and world.subjects["S1y"] not in ids
    outside = await _list(client, com1, place_id=world.places["C2"])
    above = await _list(client, com1, place_id=world.places["P1"])
    other_facility = await _list(client, await token_for("vac1"), facility_id=world.facilities["F2"])
    parent = await _list(client, await token_for("parent1"), facility_id=world.facilities["F1"])
    assert outside.status_code == 404 and other_facility.status_code == 404
    assert above.status_code == 403 and "trên địa bàn của bạn" in above.json()["error"]["message"]
    assert parent.status_code == 403


async def test_the_list_is_paged_with_a_link_to_the_next_page(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    prov = await token_for("prov1")
    first = await _list(client, prov, place_id=world.places["P1"], to=_today() + timedelta(days=365), limit=1)

    assert first.status_code == 200, first.text
    link = first.headers["Link"]
    assert 'rel="next"' in link and "after_subject_id" in link
    seen = [c["id"] for c in first.json()["children"]]
    url = link.split(";")[0].strip("<>")
    while url:
        page = await client.get(url, headers=prov)
        seen += [c["id"] for c in page.json()["children"]]
        url = page.headers["Link"].split(";")[0].strip("<>") if "Link" in page.headers else ""
    whole = await _list(client, prov, place_id=world.places["P1"], to=_today() + timedelta(days=365))
    assert seen == [c["id"] for c in whole.json()["children"]] and len(seen) == len(set(seen)) > 1
    assert first.json()["counts"] == whole.json()["counts"]  # counts are the whole range's


async def test_a_station_lists_the_free_programmes_vaccines_apart_from_the_paid_ones(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    """S1, with no dose, is overdue for every group, paid vaccines included: a station
    calling the children for its EPI sessions asks for ``programme=epi`` (else every
    child who never bought a flu shot stays on its list for good)."""
    vac = await token_for("vac1")
    s1 = world.subjects["S1"]
    lists = {}
    for programme in ("all", "epi", "service"):
        answer = await _list(client, vac, programme=programme)
        assert answer.status_code == 200, answer.text
        child = _child(answer.json(), s1)
        assert child is not None
        groups = {g["vaccine_group"] for g in child["groups"]}
        assert groups == {c["vaccine_group"] for c in answer.json()["counts"]} & groups
        lists[programme] = groups
    assert {"DTP", "Measles/MR", "Polio"} <= lists["epi"] and "Influenza" not in lists["epi"]
    assert "Influenza" in lists["service"] and not lists["service"] & {"DTP", "Measles/MR", "Polio"}
    assert lists["epi"] | lists["service"] == lists["all"] and not lists["epi"] & lists["service"]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"from": "2026-12-10", "to": "2026-12-01"}, 422, "to"),
        ({"from": "2026-01-01", "to": "2027-06-01"}, 422, "to"),
        ({"facility_id": "1", "place_id": "1"}, 422, "place_id"),
        ({"from": "tomorrow"}, 400, None),
        ({"limit": "0"}, 400, None),
        ({"programme": "free"}, 400, None),
    ],
)
async def test_bad_input_is_refused_with_a_message(
    client: httpx.AsyncClient, token_for: Any, world: World, params: dict[str, str], status: int, field: str | None
) -> None:
    answer = await client.get("/api/due", params=params, headers=await token_for("vac1"))
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["message"]
    if field:
        assert error["details"]["field"] == field


async def test_an_officer_names_the_facility_or_the_place(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    answer = await _list(client, await token_for("com1"))
    assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == "facility_id"


async def test_the_due_list_is_an_index_range_scan_on_postgresql(database: Database, world: World) -> None:
    if database.kind != "postgres":
        pytest.skip("the plan is PostgreSQL's")
    today = _today()
    for where, index in (
        (due.Area(world.facilities["F1"], frozenset(), None), "subject_forecast_facility_due"),
        (due.Area(None, frozenset({world.places["C1"]}), None), "subject_forecast_place_due"),
    ):
        query = SubjectForecast.select(SubjectForecast.subject).where(due._where(where, today, today, None))
        # Six subjects fit in a page, where a sequential scan is cheaper: ask for the
        # plan PostgreSQL uses once the table is large. In one transaction, so the setting
        # and the EXPLAIN share a connection of the pool (apart, the EXPLAIN could run on
        # another connection and plan a sequential scan).
        async with SubjectForecast._meta.db.transaction():
            await SubjectForecast.raw("SET LOCAL enable_seqscan = off")
            plan = "\n".join(r["QUERY PLAN"] for r in await SubjectForecast.raw(f"EXPLAIN {query}"))
        assert index in plan, plan
        assert "Index Cond" in plan and "due <=" in plan, plan

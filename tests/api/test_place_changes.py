"""Effective dates of hierarchy changes lie in a window (at most one year ahead), and a
change still to come can be revoked by an officer who could have made it."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date, timedelta
from typing import Any

import pytest

from api import clock
from api.context import Actor
from api.errors import Conflict, Invalid
from api.places import importer, revocation
from api.places import services as service
from db.tables import PlaceChange

FAR_FUTURE = "2999-12-31"
NEW_NAME = "Phường Ba Đình Mới"


def ahead(days: int) -> str:
    return (clock.current().today() + timedelta(days=days)).isoformat()


async def rename(client: Any, headers: dict[str, str], place_id: int, name: str, effective: str) -> Any:
    return await client.post(
        f"/api/places/{place_id}/rename", json={"name": name, "effective_date": effective}, headers=headers
    )


async def pending(client: Any, headers: dict[str, str], place_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/api/places/{place_id}/changes", headers=headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


async def revoke(client: Any, headers: dict[str, str], place_id: int, change_id: int) -> Any:
    return await client.delete(f"/api/places/{place_id}/changes/{change_id}", headers=headers)


async def snapshot(client: Any, headers: dict[str, str], place_ids: list[int], as_of: str) -> dict[str, Any]:
    """What a user can read about these units: today, as of ``as_of``, and their history."""
    found: dict[str, Any] = {"tree": (await client.get("/api/places", params={"as_of": as_of}, headers=headers)).json()}
    for place_id in place_ids:
        found[f"{place_id} today"] = (await client.get(f"/api/places/{place_id}", headers=headers)).json()
        found[f"{place_id} then"] = (
            await client.get(f"/api/places/{place_id}", params={"as_of": as_of}, headers=headers)
        ).json()
        found[f"{place_id} history"] = (await client.get(f"/api/places/{place_id}/history", headers=headers)).json()
    return found


def requests_dated(world: Any, day: str) -> dict[str, tuple[str, dict[str, Any]]]:
    c1, c1b, p1 = world.places["C1"], world.places["C1b"], world.places["P1"]
    return {
        "create": (
            "/api/places",
            {"code": "00099", "name": "Phường Mới", "level": "commune", "parent_id": p1, "valid_from": day},
        ),
        "rename": (f"/api/places/{c1}/rename", {"name": NEW_NAME, "effective_date": day}),
        "move": (f"/api/places/{c1b}/move", {"parent_id": c1, "effective_date": day}),
        "merge": ("/api/places/merge", {"source_ids": [c1b], "into_id": c1, "effective_date": day}),
        "abolish": (f"/api/places/{c1b}/abolish", {"effective_date": day}),
    }


@pytest.mark.usefixtures("english")  # checks the words as raised
@pytest.mark.parametrize("operation", ["create", "rename", "move", "merge", "abolish"])
@pytest.mark.parametrize("day", [FAR_FUTURE, "1900-01-01"])
async def test_an_effective_date_outside_the_window_is_refused(
    client: Any, world: Any, token_for: Any, operation: str, day: str
) -> None:
    path, body = requests_dated(world, day)[operation]
    response = await client.post(path, json=body, headers=await token_for("prov1"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    field = "valid_from" if operation == "create" else "effective_date"
    assert error["details"]["field"] == field
    today = clock.current().today()
    latest = date(today.year + 1, today.month, today.day).isoformat()
    assert day in error["message"] and "1976-07-02" in error["message"] and latest in error["message"]
    assert "one year from today" in error["message"]


async def test_a_future_rename_revoked_lets_a_change_dated_today_through(
    client: Any, world: Any, token_for: Any
) -> None:
    prov1, c1 = await token_for("prov1"), world.places["C1"]
    scheduled = await rename(client, prov1, c1, NEW_NAME, ahead(60))
    assert scheduled.status_code == 200, scheduled.text
    blocked = await rename(client, prov1, c1, "Phường Ba Đình Hôm Nay", ahead(0))
    assert blocked.status_code == 422 and blocked.json()["error"]["details"]["field"] == "effective_date"

    [change] = await pending(client, prov1, c1)
    assert change["kind"] == "renamed" and change["effective_date"] == ahead(60)
    assert NEW_NAME in change["summary"] and change["made_by"] == "prov1"
    revoked = await revoke(client, prov1, c1, change["id"])
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert await pending(client, prov1, c1) == []
    later = (await client.get(f"/api/places/{c1}", params={"as_of": ahead(90)}, headers=prov1)).json()
    assert later["name"] == "Phường Ba Đình" and later["valid_to"] is None

    today = await rename(client, prov1, c1, "Phường Ba Đình Hôm Nay", ahead(0))
    assert today.status_code == 200, today.text
    assert (await client.get(f"/api/places/{c1}", headers=prov1)).json()["name"] == "Phường Ba Đình Hôm Nay"

    log = (await client.get("/api/audit", params={"action": "place.revoke"}, headers=prov1)).json()
    [entry] = log
    assert entry["entity_id"] == str(change["id"]) and entry["before"]["summary"] == change["summary"]


@pytest.mark.usefixtures("english")  # checks the words as raised
async def test_a_change_in_force_cannot_be_revoked(client: Any, world: Any, token_for: Any) -> None:
    prov1, c1 = await token_for("prov1"), world.places["C1"]
    assert (await rename(client, prov1, c1, NEW_NAME, ahead(0))).status_code == 200
    assert await pending(client, prov1, c1) == []
    change = await PlaceChange.select(PlaceChange.id).order_by(PlaceChange.id, ascending=False).first()
    assert change is not None
    response = await revoke(client, prov1, c1, change["id"])
    assert response.status_code == 409
    assert "took effect" in response.json()["error"]["message"]
    assert (await client.get(f"/api/places/{c1}", headers=prov1)).json()["name"] == NEW_NAME


@pytest.mark.usefixtures("english")  # checks the words as raised
async def test_only_an_officer_who_could_make_the_change_revokes_it(client: Any, world: Any, token_for: Any) -> None:
    prov1, c1 = await token_for("prov1"), world.places["C1"]
    assert (await rename(client, prov1, c1, NEW_NAME, ahead(30))).status_code == 200
    [change] = await pending(client, prov1, c1)
    prov2 = await token_for("prov2")
    assert (await client.get(f"/api/places/{c1}/changes", headers=prov2)).status_code == 404
    assert (await revoke(client, prov2, c1, change["id"])).status_code == 404
    # The commune officer may not rename their own commune, so may not revoke its renaming.
    assert (await revoke(client, await token_for("com1"), c1, change["id"])).status_code == 403
    assert (await revoke(client, await token_for("vac1"), c1, change["id"])).status_code == 403
    # A change is revoked through a unit it touches, not through any visible id.
    assert (await revoke(client, prov1, world.places["C1b"], change["id"])).status_code == 404
    assert [c["id"] for c in await pending(client, prov1, c1)] == [change["id"]]
    assert (await revoke(client, await token_for("admin"), c1, change["id"])).status_code == 200
    again = await revoke(client, prov1, c1, change["id"])
    assert again.status_code == 409 and "already revoked" in again.json()["error"]["message"]


async def test_a_scheduled_merge_revoked_leaves_both_communes_as_before(
    client: Any, world: Any, token_for: Any
) -> None:
    prov1, c1, c1b = await token_for("prov1"), world.places["C1"], world.places["C1b"]
    day, after = ahead(45), ahead(50)
    before = await snapshot(client, prov1, [c1, c1b], after)
    merged = await client.post(
        "/api/places/merge", json={"source_ids": [c1b], "into_id": c1, "effective_date": day}, headers=prov1
    )
    assert merged.status_code == 200, merged.text
    ended = (await client.get(f"/api/places/{c1b}/history", headers=prov1)).json()[-1]
    assert ended["valid_to"] == day and ended["successor_id"] == c1
    assert "00070" not in {r["code"] for r in (await snapshot(client, prov1, [], after))["tree"]}

    [change] = await pending(client, prov1, c1b)
    assert change["kind"] == "merged" and set(change["place_ids"]) >= {c1, c1b}
    assert await pending(client, prov1, c1) == [change]
    assert (await revoke(client, prov1, c1, change["id"])).status_code == 200
    assert await snapshot(client, prov1, [c1, c1b], after) == before


async def test_a_later_change_of_the_same_unit_is_revoked_first(client: Any, world: Any, token_for: Any) -> None:
    prov1, c1 = await token_for("prov1"), world.places["C1"]
    assert (await rename(client, prov1, c1, NEW_NAME, ahead(30))).status_code == 200
    assert (await rename(client, prov1, c1, "Phường Ba Đình Sau", ahead(90))).status_code == 200
    first, second = await pending(client, prov1, c1)
    refused = await revoke(client, prov1, c1, first["id"])
    assert refused.status_code == 409 and refused.json()["error"]["details"]["blocking_change_id"] == second["id"]
    assert (await revoke(client, prov1, c1, second["id"])).status_code == 200
    assert (await revoke(client, prov1, c1, first["id"])).status_code == 200
    history = (await client.get(f"/api/places/{c1}/history", headers=prov1)).json()
    assert [(v["name"], v["valid_to"]) for v in history] == [("Phường Ba Đình", None)]


async def test_a_scheduled_unit_revoked_frees_its_code(client: Any, world: Any, token_for: Any) -> None:
    prov1, p1 = await token_for("prov1"), world.places["P1"]
    body = {"code": "00099", "name": "Phường Mới", "level": "commune", "parent_id": p1, "valid_from": ahead(20)}
    assert (await client.post("/api/places", json=body, headers=prov1)).status_code == 201
    [change] = await pending(client, prov1, p1)
    assert change["kind"] == "created"
    assert (await revoke(client, prov1, p1, change["id"])).status_code == 200
    codes = {r["code"] for r in (await client.get("/api/places", params={"as_of": ahead(30)}, headers=prov1)).json()}
    assert "00099" not in codes
    again = await client.post("/api/places", json={**body, "valid_from": ahead(0)}, headers=prov1)
    assert again.status_code == 201, again.text


async def test_the_importer_refuses_an_out_of_window_row_and_writes_nothing(world: Any) -> None:
    text = (
        "code,name,level,parent_code,valid_from\n"
        "00098,Phường Một,commune,01,2025-07-01\n"
        f"00099,Phường Hai,commune,01,{FAR_FUTURE}\n"
    )
    with pytest.raises(
        Invalid, match=f"line 3, code 00099, column valid_from: {FAR_FUTURE} is outside the allowed window"
    ):
        await importer.import_units(Actor.system("test"), text)
    assert await service.place_id_by_code("00098") is None
    assert await service.place_id_by_code("00099") is None


async def test_a_scheduled_abolition_revoked_gives_the_district_its_communes_back(
    client: Any, world: Any, token_for: Any
) -> None:
    prov1, p1 = await token_for("prov1"), world.places["P1"]
    district = await client.post(
        "/api/places",
        json={"code": "001", "name": "Quận Ba Đình", "level": "district", "parent_id": p1, "valid_from": "2025-07-01"},
        headers=prov1,
    )
    district_id = district.json()["id"]
    moved = await client.post(
        f"/api/places/{world.places['C1']}/move",
        json={"parent_id": district_id, "effective_date": "2025-08-01"},
        headers=prov1,
    )
    assert moved.status_code == 200, moved.text
    after = ahead(40)
    before = await snapshot(client, prov1, [district_id, world.places["C1"]], after)
    abolished = await client.post(
        f"/api/places/{district_id}/abolish", json={"effective_date": ahead(30)}, headers=prov1
    )
    assert abolished.status_code == 200, abolished.text
    commune = (await client.get(f"/api/places/{world.places['C1']}", params={"as_of": after}, headers=prov1)).json()
    assert commune["parent_id"] == p1

    [change] = await pending(client, prov1, world.places["C1"])
    assert change["kind"] == "abolished"
    assert (await revoke(client, prov1, district_id, change["id"])).status_code == 200
    assert await snapshot(client, prov1, [district_id, world.places["C1"]], after) == before


async def test_two_changes_on_one_future_day_are_revoked_one_at_a_time(client: Any, world: Any, token_for: Any) -> None:
    """A reform renames and re-parents on the same day: the second amends the first's version."""
    admin, c1, day = await token_for("admin"), world.places["C1"], ahead(30)
    assert (await rename(client, admin, c1, NEW_NAME, day)).status_code == 200
    moved = await client.post(
        f"/api/places/{c1}/move", json={"parent_id": world.places["P2"], "effective_date": day}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    renamed, moved_change = await pending(client, admin, c1)
    assert (await revoke(client, admin, c1, moved_change["id"])).status_code == 200
    then = (await client.get(f"/api/places/{c1}", params={"as_of": day}, headers=admin)).json()
    assert (then["name"], then["parent_id"], then["change"]) == (NEW_NAME, world.places["P1"], "renamed")
    assert (await revoke(client, admin, c1, renamed["id"])).status_code == 200
    then = (await client.get(f"/api/places/{c1}", params={"as_of": day}, headers=admin)).json()
    assert (then["name"], then["valid_from"], then["valid_to"]) == ("Phường Ba Đình", "2025-07-01", None)


async def test_a_revocation_racing_a_later_change_leaves_one_consistent_history(world: Any) -> None:
    """On PostgreSQL the two transactions interleave statement by statement: without the
    hierarchy's lock the later rename closed a version the revocation was deleting."""
    actor, c1 = Actor.system("test"), world.places["C1"]
    await service.rename(actor, c1, name=NEW_NAME, effective=date.fromisoformat(ahead(60)))
    [change] = await revocation.pending(c1)
    outcomes = await asyncio.gather(
        revocation.revoke(actor, c1, change["id"]),
        service.rename(actor, c1, name="Phường Ba Đình Sau", effective=date.fromisoformat(ahead(90))),
        return_exceptions=True,
    )
    service.forget_tree()
    history = (await service.load_tree()).history(c1)
    assert all(earlier.valid_to == later.valid_from for earlier, later in itertools.pairwise(history))
    assert history[-1].valid_to is None and history[-1].name == "Phường Ba Đình Sau"
    revoked, _ = outcomes
    names = [v.name for v in history]
    if isinstance(revoked, Conflict):  # the rename came first and builds on the change
        assert names == ["Phường Ba Đình", NEW_NAME, "Phường Ba Đình Sau"]
    else:
        assert not isinstance(revoked, BaseException), revoked
        assert names == ["Phường Ba Đình", "Phường Ba Đình Sau"]

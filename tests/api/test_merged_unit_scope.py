"""An officer whose unit no longer exists answers for its successor's area, or for
nothing when there is none: never the whole country.

In the world of tests/world.py, Ba Đình (C1, officer com1, facility F1) is merged into
Hoàn Kiếm (C1b, facility F1b); com1 is not reassigned.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.auth.principal import Principal
from api.auth.roles import Role
from api.context import Actor
from api.places import services as places
from api.scope import scope_of
from db.tables import PlaceVersion
from tests.world import World

MERGED_ON = date(2026, 1, 1)


@pytest.fixture
async def merged(world: World) -> World:
    await places.merge(Actor.system("test"), [world.places["C1"]], into_id=world.places["C1b"], effective=MERGED_ON)
    return world


@pytest.fixture
async def dissolved(world: World) -> World:
    """Ba Đình ended with no successor, as a unit of an imported historical map can."""
    await PlaceVersion.update({PlaceVersion.valid_to: MERGED_ON}).where(
        (PlaceVersion.place == world.places["C1"]) & PlaceVersion.valid_to.is_null()
    )
    places.forget_tree()
    return world


async def names_found(client: Any, headers: dict[str, str], *names: str) -> set[str]:
    found: set[str] = set()
    for name in names:
        response = await client.get("/api/subjects", params={"q": name}, headers=headers)
        assert response.status_code == 200, response.text
        found |= {hit["full_name"] for hit in response.json()["items"] if hit["full_name"] == name}
    return found


EVERY_CHILD = ("Nguyễn Văn An", "Lê Thị Hồng", "Võ Minh Khoa")


async def test_name_search_finds_only_the_successors_children(client: Any, merged: World, token_for: Any) -> None:
    com1 = await token_for("com1")
    # S1 lived in Ba Đình (now Hoàn Kiếm's), S1b in Hoàn Kiếm; S2 in Bến Thành (P2) stays out.
    assert await names_found(client, com1, *EVERY_CHILD) == {"Nguyễn Văn An", "Lê Thị Hồng"}
    s2 = await client.get(f"/api/subjects/{merged.subjects['S2']}", headers=com1)
    assert s2.status_code == 404


async def test_the_audit_log_holds_only_the_successors_area(client: Any, merged: World, token_for: Any) -> None:
    events = (await client.get("/api/audit", params={"limit": 500}, headers=await token_for("com1"))).json()
    # Phúc Xá (C1m) was merged into Ba Đình (C1) earlier, so its rows belong here too.
    assert {e["place"] for e in events} == {merged.places[k] for k in ("C1", "C1b", "C1m")}
    assert "place.merge" in {e["action"] for e in events}  # filed under Hoàn Kiếm, the heir


async def test_facilities_and_users_lists_hold_only_the_successors_area(
    client: Any, merged: World, token_for: Any
) -> None:
    com1 = await token_for("com1")
    by_id = {v: k for k, v in merged.facilities.items()}
    listed = (await client.get("/api/facilities", headers=com1)).json()
    assert {by_id[f["id"]] for f in listed} == {"F1", "F1b", "F1c"}
    users = (await client.get("/api/users", headers=com1)).json()
    # Ba Đình's and Hoàn Kiếm's staff (Phúc Xá's officer too: that commune became Ba Đình).
    assert {u["username"] for u in users} == {"com1", "vac1", "clerk1", "vac1c", "com1m", "com1b", "vac1b"}
    assert (await client.get(f"/api/users/{merged.users['prov2']}", headers=com1)).status_code == 404


async def test_the_merged_communes_station_serves_the_successors_residents(
    client: Any, merged: World, token_for: Any
) -> None:
    """F1 stands in Hoàn Kiếm now: its staff see who lives there, still not Bến Thành."""
    vac1 = await token_for("vac1")
    assert (await client.get(f"/api/subjects/{merged.subjects['S1b']}", headers=vac1)).status_code == 200
    assert (await client.get(f"/api/subjects/{merged.subjects['S2']}", headers=vac1)).status_code == 404


async def test_others_keep_their_areas_after_the_merge(client: Any, merged: World, token_for: Any) -> None:
    assert await names_found(client, await token_for("prov2"), *EVERY_CHILD) == {"Võ Minh Khoa"}
    assert await names_found(client, await token_for("admin"), *EVERY_CHILD) == set(EVERY_CHILD)
    events = (await client.get("/api/audit", params={"limit": 500}, headers=await token_for("admin"))).json()
    assert merged.places["C2"] in {e["place"] for e in events}


async def test_an_officer_of_a_unit_with_no_successor_sees_nothing(
    client: Any, dissolved: World, token_for: Any
) -> None:
    com1 = await token_for("com1")
    assert await names_found(client, com1, *EVERY_CHILD) == set()
    assert (await client.get("/api/audit", headers=com1)).json() == []
    assert (await client.get("/api/facilities", headers=com1)).json() == []
    assert (await client.get("/api/users", headers=com1)).json() == []
    assert (await client.get("/api/places", headers=com1)).json() == []
    assert (await client.get(f"/api/subjects/{dissolved.subjects['S2']}", headers=com1)).status_code == 404


@pytest.mark.parametrize(
    ("role", "national"),
    [(Role.NATIONAL_ADMIN, True), (Role.PROVINCE_OFFICER, False), (Role.COMMUNE_OFFICER, False)],
)
async def test_only_a_national_admin_is_national(world: World, role: Role, national: bool) -> None:
    """Even with the country as its unit (a misconfigured account), no other role is."""
    caller = Principal(
        account_id=world.users["admin"],
        username="someone",
        full_name="Someone",
        role=role,
        scope_place_id=world.places["VN"],
        scope_facility_id=None,
        session_id=1,
        csrf_token="-",
        via="bearer",
    )
    assert (await scope_of(caller)).national is national

"""The scope rules on the world of tests/world.py, asked directly: what a commune
officer, a vaccinator and a parent count as theirs, what they may merely see (the units
above them), and what answers 403 or 404. (What an officer of a merged unit sees is
tested with that rule in api/scope.py's own tests.)"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.auth.principal import Principal
from api.auth.roles import Role
from api.errors import Forbidden, NotFound
from api.scope import Scope, scope_of

ROLES = {
    "com1": Role.COMMUNE_OFFICER,
    "com1m": Role.COMMUNE_OFFICER,
    "vac1": Role.VACCINATOR,
    "parent1": Role.PARENT,
    "prov1": Role.PROVINCE_OFFICER,
}


async def scope_for(world: Any, user: str, day: date | None = None) -> Scope:
    place = {"com1": "C1", "com1m": "C1m", "prov1": "P1"}.get(user)
    principal = Principal(
        account_id=world.users[user],
        username=user,
        full_name=user.title(),
        role=ROLES[user],
        scope_place_id=world.places[place] if place else None,
        scope_facility_id=world.facilities["F1"] if user == "vac1" else None,
        session_id=1,
        csrf_token="-",
        via="bearer",
    )
    return await scope_of(principal, day)


async def test_a_commune_officer(world: Any) -> None:
    p = world.places
    com1 = await scope_for(world, "com1")
    assert (com1.root_place_id, com1.facility_id, com1.national) == (p["C1"], None, False)
    assert com1.contains_place(p["C1"]) and com1.contains_place(p["C1m"])  # Phúc Xá's records are Ba Đình's now
    assert not com1.contains_place(p["C1b"]) and not com1.contains_place(p["P1"])
    assert com1.place_ids() == frozenset({p["C1"], p["C1m"]})
    assert com1.contains_facility(world.facilities["F1c"], p["C1"])
    assert not com1.contains_facility(world.facilities["F1b"], p["C1b"])
    # The units above are shown (names on the path), not counted as the officer's.
    assert [com1.sees_place(p[k]) for k in ("VN", "P1", "C1", "C1m", "C1b", "P2", "C2")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert not com1.sees_place(999_999)
    com1.require_place(p["C1"])
    with pytest.raises(Forbidden) as above:
        com1.require_place(p["P1"])
    assert above.value.message == "This unit is above your area: ask an officer responsible for it"
    with pytest.raises(NotFound) as elsewhere:
        com1.require_place(p["C2"])
    assert elsewhere.value.message == f"Place {p['C2']} not found"


async def test_a_vaccinator_answers_for_a_facility_not_a_place(world: Any) -> None:
    p, f = world.places, world.facilities
    vac1 = await scope_for(world, "vac1")
    assert (vac1.root_place_id, vac1.facility_id) == (p["C1"], f["F1"])
    assert not vac1.contains_place(p["C1"])  # the facility's commune is not the vaccinator's area
    assert vac1.place_ids() == frozenset()
    assert vac1.contains_facility(f["F1"], p["C1"]) and not vac1.contains_facility(f["F1c"], p["C1"])
    assert vac1.sees_place(p["C1"]) and vac1.sees_place(p["P1"]) and not vac1.sees_place(p["C1b"])
    with pytest.raises(Forbidden):
        vac1.require_place(p["C1"])


async def test_a_parent_has_no_area(world: Any) -> None:
    parent = await scope_for(world, "parent1")
    assert (parent.root_place_id, parent.facility_id, parent.national) == (None, None, False)
    assert [parent.contains_place(world.places[k]) for k in ("VN", "C1")] == [False, False]
    assert [parent.sees_place(world.places[k]) for k in ("VN", "C1")] == [False, False]
    assert parent.place_ids() == frozenset()
    with pytest.raises(NotFound):
        parent.require_place(world.places["C1"])


async def test_a_scope_keeps_its_day_when_reloaded(world: Any) -> None:
    p = world.places
    before_the_merge = await scope_for(world, "prov1", date(2025, 8, 1))
    assert before_the_merge.place_ids() == frozenset({p["P1"], p["C1"], p["C1b"], p["C1m"]})
    reloaded = await before_the_merge.reload()
    assert (reloaded.day, reloaded.root_place_id) == (date(2025, 8, 1), p["P1"])


async def test_an_officer_of_a_merged_commune_answers_for_its_successor(world: Any) -> None:
    """Phúc Xá (C1m) was merged into Ba Đình (C1) on 2025-09-01; com1m was not reassigned."""
    p = world.places
    today = await scope_for(world, "com1m")
    assert today.root_place_id == p["C1"]
    assert today.place_ids() == frozenset({p["C1"], p["C1m"]})
    assert today.contains_place(p["C1"]) and not today.contains_place(p["C1b"])
    before = await scope_for(world, "com1m", date(2025, 8, 1))
    assert before.root_place_id == p["C1m"]
    assert before.place_ids() == frozenset({p["C1m"]})

"""Who sees a child who lives in one commune and is managed from another
(tests/world.py): S1x lives in Ba Đình (C1) and is managed by Hoàn Kiếm's station (F1b);
S1y lives in Hoàn Kiếm (C1b) and is managed by Ba Đình's station (F1). Opening the
record and finding it by name must agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from api.accounts.users import services as users
from api.auth.roles import Role
from api.context import Actor
from db.tables import ParentLink
from tests.api.test_registry import child
from tests.world import PASSWORD

NAMES = {"S1x": "Hoàng Đức Duy", "S1y": "Đặng Ngọc Hà"}
# user → (sees S1x, sees S1y), and why
SEES = {
    "admin": (True, True),
    "prov1": (True, True),  # both live and are managed in Hà Nội
    "com1": (True, True),  # S1x lives in Ba Đình; S1y is managed from Ba Đình
    "com1b": (True, True),  # S1x is managed from Hoàn Kiếm; S1y lives there
    "vac1": (True, True),  # S1x lives in F1's commune; F1 manages S1y
    "vac1b": (True, True),  # F1b manages S1x; S1y lives in F1b's commune
    "vac1c": (True, False),  # the other facility of Ba Đình: S1x lives there; S1y neither lives nor is managed there
    "prov2": (False, False),
    "vac2": (False, False),
    "parent1": (False, False),  # linked to S1 only
}


@pytest.mark.parametrize("user", list(SEES))
async def test_lives_in_one_commune_managed_from_another(client: Any, world: Any, token_for: Any, user: str) -> None:
    """The record, the search by name (also with a birth-date start that excludes it) and
    the merge history answer alike."""
    headers = await token_for(user)
    for key, expected in zip(("S1x", "S1y"), SEES[user], strict=True):
        subject_id = world.subjects[key]
        opened = await client.get(f"/api/subjects/{subject_id}", headers=headers)
        assert opened.status_code == (200 if expected else 404), (user, key, opened.text)
        if not expected:
            assert opened.json()["error"]["message"] == f"Không tìm thấy đối tượng {subject_id}"
        found = await client.get("/api/subjects", params={"q": NAMES[key]}, headers=headers)
        assert found.status_code == 200, found.text
        assert (subject_id in [hit["id"] for hit in found.json()["items"]]) is expected, (user, key)
        # S1x was born on 9 June 2023, S1y on 27 January 2022: a later start finds neither.
        later = await client.get("/api/subjects", params={"q": NAMES[key], "born_from": "2024-01-01"}, headers=headers)
        assert later.status_code == 200 and later.json()["items"] == [], (user, key)
        merges = await client.get(f"/api/subjects/{subject_id}/merges", headers=headers)
        if user == "parent1":
            assert merges.status_code == 403  # a parent does not read merge histories at all
        elif expected:
            assert (merges.status_code, merges.json()) == (200, []), (user, key)
        else:
            assert merges.status_code == 404, (user, key)
            assert merges.json()["error"]["message"] == f"Không tìm thấy đối tượng {subject_id}"


async def test_a_parent_sees_only_their_own_links(client: Any, world: Any, token_for: Any) -> None:
    """parent1 is linked to S1; another parent's link to S1y shows parent1 nothing more."""
    other = await users.create(
        Actor.system("test"), username="parent2", full_name="Parent 2", password=PASSWORD, role=Role.PARENT
    )
    await ParentLink.insert(
        ParentLink(account=other["id"], subject=world.subjects["S1y"], method="card", linked_at=datetime.now(UTC))
    )
    parent1 = await token_for("parent1")
    for name, found in (("Đặng Ngọc Hà", []), ("Nguyễn Văn An", [world.subjects["S1"]])):
        response = await client.get("/api/subjects", params={"q": name}, headers=parent1)
        assert [hit["id"] for hit in response.json()["items"]] == found, name
    response = await client.get(
        "/api/subjects", params={"q": "Nguyễn Văn An", "born_from": "2025-06-01"}, headers=parent1
    )
    assert response.json()["items"] == []  # S1 was born on 14 March 2025


async def test_registering_at_a_facility_outside_ones_area_names_it_as_unknown(
    client: Any, world: Any, token_for: Any
) -> None:
    body = child(world, facility_id=world.facilities["F2"])  # Bến Thành's station, for a Ba Đình officer
    response = await client.post("/api/subjects", json=body, headers=await token_for("com1"))
    assert response.status_code == 404, response.text
    assert response.json()["error"]["message"] == f"Không tìm thấy cơ sở {world.facilities['F2']}"

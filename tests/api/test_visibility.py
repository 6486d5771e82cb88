"""Who sees a child who lives in one commune and is managed from another
(tests/world.py): S1x lives in Ba Đình (C1) and is managed by Hoàn Kiếm's station (F1b);
S1y lives in Hoàn Kiếm (C1b) and is managed by Ba Đình's station (F1). Opening the
record and finding it by name must agree."""

from __future__ import annotations

from typing import Any

import pytest

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
    headers = await token_for(user)
    for key, expected in zip(("S1x", "S1y"), SEES[user], strict=True):
        subject_id = world.subjects[key]
        opened = await client.get(f"/api/subjects/{subject_id}", headers=headers)
        assert opened.status_code == (200 if expected else 404), (user, key, opened.text)
        found = await client.get("/api/subjects", params={"q": NAMES[key]}, headers=headers)
        assert found.status_code == 200, found.text
        assert (subject_id in [hit["id"] for hit in found.json()["items"]]) is expected, (user, key)

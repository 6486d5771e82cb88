"""Lists show a caller their own area and nothing of anyone else's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.world import World

# (role, facilities seen, users seen) in the world of tests/world.py
P1_STAFF = {"prov1", "com1", "vac1", "clerk1", "com1b", "vac1b", "vac1c", "com1m"}
SEEN = [
    ("admin", {"F1", "F1b", "F1c", "F2"}, {"admin", "prov2", "vac2", "parent1", *P1_STAFF}),
    ("prov1", {"F1", "F1b", "F1c"}, P1_STAFF),
    # F1c is Ba Đình's second facility; com1m's Phúc Xá was merged into Ba Đình, so its
    # officer's account belongs to Ba Đình's area now.
    ("com1", {"F1", "F1c"}, {"com1", "vac1", "clerk1", "vac1c", "com1m"}),
    ("vac1", {"F1"}, None),
]


@pytest.mark.parametrize(("user", "facilities", "users"), SEEN, ids=[s[0] for s in SEEN])
async def test_lists_hold_exactly_the_callers_area(
    client: Any, world: World, token_for: Any, user: str, facilities: set[str], users: set[str] | None
) -> None:
    headers = await token_for(user)
    by_id = {v: k for k, v in world.facilities.items()}
    listed = (await client.get("/api/facilities", headers=headers)).json()
    assert {by_id[f["id"]] for f in listed} == facilities
    if users is not None:
        listed = (await client.get("/api/users", headers=headers)).json()
        assert {u["username"] for u in listed} == users


async def test_the_audit_log_shows_only_the_callers_area(client: Any, world: World, token_for: Any) -> None:
    """Writes in both provinces; each province officer reads only their own."""
    for user, facility in (("prov1", "F1"), ("prov2", "F2")):
        response = await client.patch(
            f"/api/facilities/{world.facilities[facility]}",
            json={"name": f"Trạm đổi tên bởi {user}"},
            headers=await token_for(user),
        )
        assert response.status_code == 200
    for user in ("prov1", "prov2"):
        events = (
            await client.get("/api/audit", params={"action": "facility.update"}, headers=await token_for(user))
        ).json()
        assert [e["actor_name"] for e in events] == [user]
    everything = (
        await client.get("/api/audit", params={"action": "facility.update"}, headers=await token_for("admin"))
    ).json()
    assert {e["actor_name"] for e in everything} == {"prov1", "prov2"}

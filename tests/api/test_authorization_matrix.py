"""Every route × every role × inside/outside the role's scope × anonymous.

Expected: anonymous → 401; a role without the permission → 403; inside the scope →
2xx; outside → 404 (the row's existence does not leak)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from tests.world import World

ROLES = ["admin", "prov1", "com1", "vac1", "clerk1", "parent1"]
EVERYONE = set(ROLES)

# Which users may call which route at all (by role), independent of scope.
OFFICERS = {"admin", "prov1", "com1"}
STAFF = OFFICERS | {"vac1", "clerk1"}
PLACE_WRITERS = {"admin", "prov1"}
SUBJECT_WRITERS = OFFICERS | {"vac1"}


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    allowed: frozenset[str]
    # (world, user, inside?) -> (path, json body) ; None when the route has no target.
    target: Callable[[World, str, bool], tuple[str, Any]]
    scoped: bool = True


def _own_place(w: World, user: str) -> int:
    return w.places["VN" if user == "admin" else "P1" if user == "prov1" else "C1"]


def _in_months(months: int) -> str:
    return (date.today() + timedelta(days=30 * months)).isoformat()


ROUTES = [
    Route("list places", "GET", frozenset(STAFF), lambda w, u, i: ("/api/places", None), scoped=False),
    Route(
        "get place",
        "GET",
        frozenset(STAFF),
        lambda w, u, i: (f"/api/places/{_own_place(w, u) if i else w.places['C2']}", None),
    ),
    Route(
        "place history",
        "GET",
        frozenset(STAFF),
        lambda w, u, i: (f"/api/places/{_own_place(w, u) if i else w.places['C2']}/history", None),
    ),
    Route(
        "create place",
        "POST",
        frozenset(PLACE_WRITERS),
        lambda w, u, i: (
            "/api/places",
            {
                "code": "99999",
                "name": "Xã Mới",
                "level": "commune",
                "parent_id": w.places["P1" if i else "P2"],
                "valid_from": "2026-01-01",
            },
        ),
    ),
    Route(
        "rename place",
        "POST",
        frozenset(PLACE_WRITERS),
        lambda w, u, i: (
            f"/api/places/{w.places['C1' if i else 'C2']}/rename",
            {"name": "Phường Mới", "effective_date": "2026-01-01"},
        ),
    ),
    Route(
        "move place",
        "POST",
        frozenset(PLACE_WRITERS),
        lambda w, u, i: (
            f"/api/places/{w.places['C1b' if i else 'C2']}/move",
            {"parent_id": w.places["C1"], "effective_date": "2026-01-01"},
        ),
    ),
    Route(
        "merge places",
        "POST",
        frozenset(PLACE_WRITERS),
        lambda w, u, i: (
            "/api/places/merge",
            {"source_ids": [w.places["C1b" if i else "C2"]], "into_id": w.places["C1"], "effective_date": "2026-01-01"},
        ),
    ),
    Route(
        "abolish place",
        "POST",
        frozenset(PLACE_WRITERS),
        lambda w, u, i: (f"/api/places/{w.places['C1b' if i else 'C2']}/abolish", {"effective_date": "2026-01-01"}),
    ),
    Route("list facilities", "GET", frozenset(STAFF), lambda w, u, i: ("/api/facilities", None), scoped=False),
    Route(
        "get facility",
        "GET",
        frozenset(STAFF),
        lambda w, u, i: (f"/api/facilities/{w.facilities['F1' if i else 'F2']}", None),
    ),
    Route(
        "create facility",
        "POST",
        frozenset(OFFICERS),
        lambda w, u, i: (
            "/api/facilities",
            {
                "code": "TYT-NEW",
                "name": "Trạm mới",
                "kind": "commune_health_station",
                "place_id": w.places["C1" if i else "C2"],
            },
        ),
    ),
    Route(
        "update facility",
        "PATCH",
        frozenset(OFFICERS),
        lambda w, u, i: (f"/api/facilities/{w.facilities['F1' if i else 'F2']}", {"name": "Trạm Y tế đổi tên"}),
    ),
    Route(
        "add store",
        "POST",
        frozenset(OFFICERS),
        lambda w, u, i: (
            f"/api/facilities/{w.facilities['F1' if i else 'F2']}/stores",
            {"name": "Tủ lạnh 2", "kind": "refrigerator"},
        ),
    ),
    Route("list users", "GET", frozenset(OFFICERS), lambda w, u, i: ("/api/users", None), scoped=False),
    Route(
        "get user", "GET", frozenset(OFFICERS), lambda w, u, i: (f"/api/users/{w.users['vac1' if i else 'vac2']}", None)
    ),
    Route(
        "create user",
        "POST",
        frozenset(OFFICERS),
        lambda w, u, i: (
            "/api/users",
            {
                "username": "vac.new",
                "full_name": "Người Mới",
                "password": "a long password 1",
                "role": "vaccinator",
                "scope_facility_id": w.facilities["F1" if i else "F2"],
            },
        ),
    ),
    Route(
        "update user",
        "PATCH",
        frozenset(OFFICERS),
        lambda w, u, i: (f"/api/users/{w.users['vac1' if i else 'vac2']}", {"full_name": "Tên Mới"}),
    ),
    Route("read audit log", "GET", frozenset(OFFICERS), lambda w, u, i: ("/api/audit", None), scoped=False),
    Route(
        "search subjects", "GET", frozenset(EVERYONE), lambda w, u, i: ("/api/subjects?q=Nguyen", None), scoped=False
    ),
    Route(
        "get subject",
        "GET",
        frozenset(EVERYONE),
        lambda w, u, i: (f"/api/subjects/{w.subjects['S1' if i else 'S2']}", None),
    ),
    Route(
        "a subject's moves",
        "GET",
        frozenset(EVERYONE),
        lambda w, u, i: (f"/api/subjects/{w.subjects['S1' if i else 'S2']}/moves", None),
    ),
    Route(
        "register subject",
        "POST",
        frozenset(SUBJECT_WRITERS),
        lambda w, u, i: (
            "/api/subjects",
            {
                "full_name": "Hoàng Gia Bảo",
                "birth_date": "2026-01-05",
                "sex": "M",
                "place_id": w.places["C1" if i else "C2"],
                "facility_id": w.facilities["F1" if i else "F2"],
            },
        ),
    ),
    Route(
        "correct subject",
        "PATCH",
        frozenset(SUBJECT_WRITERS),
        lambda w, u, i: (f"/api/subjects/{w.subjects['S1' if i else 'S2']}", {"address_detail": "Số 5 ngõ 12"}),
    ),
    Route(
        "move subject",
        "POST",
        frozenset(SUBJECT_WRITERS),
        lambda w, u, i: (
            f"/api/subjects/{w.subjects['S1' if i else 'S2']}/move",
            {
                "place_id": w.places["C1b" if i else "C2"],
                "facility_id": w.facilities["F1b" if i else "F2"],
                "moved_on": "2026-06-01",
                "reason": "The family moved",
            },
        ),
    ),
    Route(
        "record death",
        "POST",
        frozenset(SUBJECT_WRITERS),
        lambda w, u, i: (f"/api/subjects/{w.subjects['S1' if i else 'S2']}/death", {"died_on": "2026-06-01"}),
    ),
    Route(
        "record pregnancy",
        "POST",
        frozenset(SUBJECT_WRITERS),
        lambda w, u, i: (
            f"/api/subjects/{w.subjects['W1' if i else 'S2']}/pregnancies",
            {"expected_delivery": _in_months(5)},
        ),
    ),
    Route(
        "recent moves", "GET", frozenset(SUBJECT_WRITERS), lambda w, u, i: ("/api/subjects/moves", None), scoped=False
    ),
    Route("who am I", "GET", frozenset(ROLES), lambda w, u, i: ("/api/auth/me", None), scoped=False),
    Route(
        "merge subjects",
        "POST",
        frozenset(OFFICERS),
        lambda w, u, i: (
            "/api/subjects/merge",
            {"survivor_id": w.subjects["S1"], "merged_id": w.subjects["W1" if i else "S2"]},
        ),
    ),
    Route(
        "subject merges",
        "GET",
        frozenset(SUBJECT_WRITERS),
        lambda w, u, i: (f"/api/subjects/{w.subjects['S1' if i else 'S2']}/merges", None),
    ),
    Route("list duplicates", "GET", frozenset(OFFICERS), lambda w, u, i: ("/api/duplicates", None), scoped=False),
    Route(
        "run duplicate check",
        "POST",
        frozenset(OFFICERS),
        lambda w, u, i: ("/api/duplicates/run", {"place_id": _own_place(w, u) if i else w.places["C2"]}),
    ),
    Route(
        "subject card",
        "GET",
        frozenset(EVERYONE),
        lambda w, u, i: (f"/api/subjects/{w.subjects['S1' if i else 'S2']}/card", None),
    ),
    # Parents only; the linking writes (POST /api/me/links/...) are in test_parent_linking.py,
    # as staff cannot call them (the audit checks below write as a province officer).
    Route(
        "my linked subjects", "GET", frozenset({"parent1"}), lambda w, u, i: ("/api/me/subjects", None), scoped=False
    ),
]

CASES = [
    pytest.param(route, user, inside, id=f"{route.name}-{user}-{'inside' if inside else 'outside'}")
    for route in ROUTES
    for user in ROLES
    for inside in ((True, False) if route.scoped and user in route.allowed and user != "admin" else (True,))
]


@pytest.mark.parametrize(("route", "user", "inside"), CASES)
async def test_route_answers_by_role_and_scope(
    client: Any, world: World, token_for: Any, route: Route, user: str, inside: bool
) -> None:
    path, body = route.target(world, user, inside)
    response = await client.request(route.method, path, json=body, headers=await token_for(user))
    if user not in route.allowed:
        expected = {403}
    elif inside:
        expected = {200, 201}
    else:
        expected = {404}
    assert response.status_code in expected, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message", "details"}


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
async def test_anonymous_is_asked_to_sign_in(client: Any, world: World, route: Route) -> None:
    path, body = route.target(world, "admin", True)
    response = await client.request(route.method, path, json=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


WRITES = [r for r in ROUTES if r.method != "GET"]


@pytest.mark.parametrize("route", WRITES, ids=[r.name for r in WRITES])
async def test_every_write_is_audited_with_its_request_id(
    client: Any, world: World, token_for: Any, route: Route
) -> None:
    headers = {**(await token_for("prov1")), "X-Device-Id": "tablet-7"}
    before = (await client.get("/api/audit", params={"limit": 500}, headers=await token_for("admin"))).json()
    path, body = route.target(world, "prov1", True)
    response = await client.request(route.method, path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    after = (await client.get("/api/audit", params={"limit": 500}, headers=await token_for("admin"))).json()
    new = [e for e in after if e["id"] not in {b["id"] for b in before}]
    assert new, f"{route.name} wrote no audit row"
    assert {e["request_id"] for e in new} == {response.headers["x-request-id"]}
    assert all(e["actor_name"] == "prov1" and e["device_id"] == "tablet-7" for e in new)


@pytest.mark.parametrize("route", WRITES, ids=[r.name for r in WRITES])
async def test_refused_write_leaves_no_audit_row(client: Any, world: World, token_for: Any, route: Route) -> None:
    count = len((await client.get("/api/audit", params={"limit": 500}, headers=await token_for("admin"))).json())
    path, body = route.target(world, "prov1", False)
    response = await client.request(route.method, path, json=body, headers=await token_for("prov1"))
    assert response.status_code == 404
    assert (
        len((await client.get("/api/audit", params={"limit": 500}, headers=await token_for("admin"))).json()) == count
    )

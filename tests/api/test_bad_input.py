"""Bad input gets a 4xx in the one error shape, naming the field; nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest


def assert_error_shape(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "details"}
    assert error["message"]
    if code:
        assert error["code"] == code
    assert error["request_id"] == response.headers["x-request-id"]
    return error


async def test_malformed_json(client: Any, token_for: Any) -> None:
    response = await client.post(
        "/api/facilities",
        content=b'{"code": ',
        headers={**(await token_for("prov1")), "content-type": "application/json"},
    )
    error = assert_error_shape(response, 400)
    assert "JSON" in error["message"]


async def test_wrong_type_names_the_field(client: Any, token_for: Any, world: Any) -> None:
    response = await client.post(
        "/api/facilities",
        json={"code": "X1", "name": "Trạm", "kind": "commune_health_station", "place_id": "one"},
        headers=await token_for("prov1"),
    )
    error = assert_error_shape(response, 400, "invalid_request")
    assert "place_id" in error["message"]


async def test_unknown_field_is_refused_not_dropped(client: Any, token_for: Any, world: Any) -> None:
    response = await client.post(
        "/api/facilities",
        json={
            "code": "X1",
            "name": "Trạm",
            "kind": "commune_health_station",
            "place_id": world.places["C1"],
            "colour": "blue",
        },
        headers=await token_for("prov1"),
    )
    error = assert_error_shape(response, 400, "invalid_request")
    assert "colour" in error["message"]


async def test_value_out_of_choices(client: Any, token_for: Any, world: Any) -> None:
    response = await client.post(
        "/api/facilities",
        json={"code": "X1", "name": "Trạm", "kind": "spaceport", "place_id": world.places["C1"]},
        headers=await token_for("prov1"),
    )
    error = assert_error_shape(response, 400, "invalid_request")
    assert "kind" in error["message"]


async def test_oversize_body_is_413(client: Any, token_for: Any, app: Any) -> None:
    big = b'{"name": "' + b"x" * (app.state.settings.max_body_bytes + 10) + b'"}'
    response = await client.post(
        "/api/facilities", content=big, headers={**(await token_for("prov1")), "content-type": "application/json"}
    )
    assert_error_shape(response, 413, "too_large")


async def test_unknown_route_is_404_in_the_error_shape(client: Any) -> None:
    assert_error_shape(await client.get("/api/no-such-thing"), 404, "not_found")


async def test_unknown_id_is_404(client: Any, token_for: Any) -> None:
    assert_error_shape(await client.get("/api/places/999999", headers=await token_for("admin")), 404, "not_found")


async def test_rule_breaking_input_is_422_naming_the_field(client: Any, token_for: Any, world: Any) -> None:
    response = await client.post(
        f"/api/places/{world.places['C1']}/rename",
        json={"name": "Phường X", "effective_date": "2020-01-01"},
        headers=await token_for("prov1"),
    )
    error = assert_error_shape(response, 422, "invalid")
    assert error["details"]["field"] == "effective_date"


async def test_duplicate_code_is_409(client: Any, token_for: Any, world: Any) -> None:
    response = await client.post(
        "/api/facilities",
        json={"code": "TYT-F1", "name": "Trạm", "kind": "commune_health_station", "place_id": world.places["C1"]},
        headers=await token_for("prov1"),
    )
    assert_error_shape(response, 409, "conflict")


async def test_failed_merge_writes_nothing(client: Any, token_for: Any, world: Any) -> None:
    headers = await token_for("admin")
    # The second source ended already: the whole merge is refused, the first source untouched.
    ended = await client.post(
        f"/api/places/{world.places['C2']}/abolish", json={"effective_date": "2026-01-01"}, headers=headers
    )
    assert ended.status_code == 200
    audit_before = len((await client.get("/api/audit", params={"limit": 500}, headers=headers)).json())
    response = await client.post(
        "/api/places/merge",
        json={
            "source_ids": [world.places["C1b"], world.places["C2"]],
            "into_id": world.places["C1"],
            "effective_date": "2026-02-01",
        },
        headers=headers,
    )
    assert_error_shape(response, 409, "conflict")
    c1b = (await client.get(f"/api/places/{world.places['C1b']}", headers=headers)).json()
    assert c1b["valid_to"] is None and c1b["successor_id"] is None
    assert len((await client.get("/api/audit", params={"limit": 500}, headers=headers)).json()) == audit_before


NEW_VACCINATOR = {
    "username": "new.user",
    "full_name": "Người Mới",
    "password": "a long password 1",
    "role": "vaccinator",
}


@pytest.mark.parametrize(
    ("caller", "changes", "status", "field"),
    [
        ("com1", {"password": "123"}, 422, "password"),
        ("com1", {"password": "iloveyou2024"}, 422, "password"),
        ("com1", {"phone": "12345"}, 422, "phone"),
        ("com1", {"role": "province_officer", "scope_place_id": "P1"}, 403, None),  # above the caller's rank
        ("prov1", {"role": "province_officer", "scope_place_id": "C1"}, 422, "scope_place_id"),  # not a province
    ],
    ids=["weak-password", "common-password", "invalid-phone", "above-rank", "scope-unfit-for-role"],
)
async def test_bad_new_users_are_refused_naming_the_field(
    client: Any, token_for: Any, world: Any, caller: str, changes: dict[str, Any], status: int, field: str | None
) -> None:
    body = {**NEW_VACCINATOR, "scope_facility_id": world.facilities["F1"], **changes}
    if "scope_place_id" in changes:
        body.pop("scope_facility_id")
        body["scope_place_id"] = world.places[changes["scope_place_id"]]
    error = assert_error_shape(await client.post("/api/users", json=body, headers=await token_for(caller)), status)
    if field is None:
        assert error["code"] == "forbidden"
    else:
        assert error["details"]["field"] == field


async def test_numbers_too_large_for_the_database_are_400_not_500(client: Any, token_for: Any) -> None:
    headers = await token_for("admin")
    huge = "69595538454101041152"
    for path in (f"/api/places/{huge}", f"/api/facilities/{huge}", f"/api/subjects/{huge}"):
        response = await client.get(path, headers=headers)
        assert response.status_code in (400, 404), (path, response.text)
    assert_error_shape(await client.get("/api/audit", params={"before_id": huge}, headers=headers), 400)

"""The list a vaccinator downloads for offline reading: a facility's subjects in the
compact shape, only for whoever answers for the facility; and undoing a dismissed
duplicate pair (the officers' review screen's "undo")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from db.tables import DuplicateCandidate
from tests.api.test_registry_duplicates import listed, person, plant, run_check


async def compact(client: Any, headers: dict[str, str], facility_id: int, **params: Any) -> Any:
    return await client.get(
        f"/api/facilities/{facility_id}/subjects", params={"format": "compact", **params}, headers=headers
    )


async def test_a_vaccinator_downloads_the_subjects_their_facility_manages(
    client: Any, world: Any, token_for: Any
) -> None:
    vac1 = await token_for("vac1")
    response = await compact(client, vac1, world.facilities["F1"])
    assert response.status_code == 200, response.text
    page = response.json()
    by_id = {item["id"]: item for item in page["items"]}
    # Managed by F1: S1, W1 (live in C1) and S1y (lives in C1b); S1x lives in C1 but F1b manages it.
    assert set(by_id) == {world.subjects[k] for k in ("S1", "W1", "S1y")}
    s1 = by_id[world.subjects["S1"]]
    assert s1["name"] == "Nguyễn Văn An"
    assert s1["birth_date"] == "2025-03-14" and s1["sex"] == "M" and s1["status"] == "active"
    assert s1["phone"] == "+84912345678"  # as stored: E.164
    assert len(s1["code"].replace("-", "")) == 9 and "-" in s1["code"]
    # Next due doses: what the forecast says is due within 30 days, earliest first.
    forecast = await client.post("/api/forecast", json={"birth_date": "2025-03-14", "sex": "M"}, headers=vac1)
    assessed = forecast.json()
    horizon = date.fromisoformat(assessed["assessment_date"]) + timedelta(days=30)
    expected = sorted(
        (g["recommended"], g["vaccine_group"])
        for g in assessed["vaccine_groups"]
        if g["status"] == "Not Complete" and g["recommended"] and date.fromisoformat(g["recommended"]) <= horizon
    )
    assert [(d["due"], d["group"]) for d in s1["next_due"]] == expected


async def test_the_list_pages(client: Any, world: Any, token_for: Any) -> None:
    vac1 = await token_for("vac1")
    first = (await compact(client, vac1, world.facilities["F1"], page_size=2)).json()
    second = (await compact(client, vac1, world.facilities["F1"], page_size=2, page=2)).json()
    assert len(first["items"]) == 2 and first["has_more"]
    assert len(second["items"]) == 1 and not second["has_more"]
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


async def test_only_whoever_answers_for_the_facility_gets_its_list(client: Any, world: Any, token_for: Any) -> None:
    f1 = world.facilities["F1"]
    assert (await compact(client, await token_for("com1"), f1)).status_code == 200
    assert (await compact(client, await token_for("prov1"), f1)).status_code == 200
    for outsider in ("vac2", "vac1b", "prov2", "parent1"):
        response = await compact(client, await token_for(outsider), f1)
        assert response.status_code in (403, 404), (outsider, response.text)
        assert "Nguyễn Văn An" not in response.text
    assert (await compact(client, await token_for("vac1"), 999999)).status_code == 404


async def test_a_shape_other_than_compact_is_refused(client: Any, world: Any, token_for: Any) -> None:
    response = await compact(client, await token_for("vac1"), world.facilities["F1"], format="full")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


async def test_an_officer_undoes_a_dismissal(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    await plant(client, prov1, person(world, "Nguyen Van An", "2025-03-14", "M", "C1"))
    await run_check(client, prov1)
    pair = next(iter((await listed(client, prov1)).values()))
    assert (await client.post(f"/api/duplicates/{pair['id']}/dismiss", headers=prov1)).status_code == 200
    assert (
        await client.post(f"/api/duplicates/{pair['id']}/reopen", headers=await token_for("prov2"))
    ).status_code == 404

    reopened = await client.post(f"/api/duplicates/{pair['id']}/reopen", headers=prov1)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "open" and reopened.json()["reasons"] == pair["reasons"]
    row = await DuplicateCandidate.select().where(DuplicateCandidate.id == pair["id"]).first()
    assert row is not None and row["status"] == "open" and row["decided_at"] is None
    assert pair["id"] in {p["id"] for p in (await listed(client, prov1)).values()}
    # Only a dismissed pair can be reopened; the nightly check keeps listing it meanwhile.
    again = await client.post(f"/api/duplicates/{pair['id']}/reopen", headers=prov1)
    assert again.status_code == 409
    await run_check(client, prov1)
    assert pair["id"] in {p["id"] for p in (await listed(client, prov1)).values()}


async def test_the_download_says_what_is_due_after_the_doses_on_record(client: Any, world: Any, token_for: Any) -> None:
    """A dose entered from the child's card: the download no longer lists that dose as
    due, and says what the child's record says (it listed what a child with no dose at
    all would be due)."""
    vac1 = await token_for("vac1")
    s1 = world.subjects["S1"]

    async def downloaded() -> list[dict[str, Any]]:
        items = (await compact(client, vac1, world.facilities["F1"])).json()["items"]
        return list(next(item for item in items if item["id"] == s1)["next_due"])

    before = await downloaded()
    record = (await client.get(f"/api/subjects/{s1}/forecast", headers=vac1)).json()
    first = next(g for g in record["vaccine_groups"] if g["vaccine_group"] == before[0]["group"])
    card = {"subject_id": s1, "vaccine_code": first["vaccines"][0], "source": "historical"}
    given = await client.post(
        "/api/doses",
        json={**card, "administered_on": first["recommended"], "override_reason": "as on the card"},
        headers={**vac1, "Idempotency-Key": "6f0c3f52-7f0a-4a0e-9a51-0b4f3c2d1e01"},
    )
    assert given.status_code == 201, given.text

    after = await downloaded()
    assert after != before
    assert {"group": first["vaccine_group"], "dose": first["dose_number"]} not in [
        {"group": d["group"], "dose": d["dose"]} for d in after
    ]
    assessed = (await client.get(f"/api/subjects/{s1}/forecast", headers=vac1)).json()
    horizon = date.fromisoformat(assessed["assessment_date"]) + timedelta(days=30)
    expected = sorted(
        (g["recommended"], g["vaccine_group"], g["dose_number"])
        for g in assessed["vaccine_groups"]
        if g["status"] == "Not Complete" and g["recommended"] and date.fromisoformat(g["recommended"]) <= horizon
    )
    assert [(d["due"], d["group"], d["dose"]) for d in after] == expected

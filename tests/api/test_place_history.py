"""The 2025 reform in miniature: a district abolished and two communes merged, after
which questions "as of" an earlier date still get the earlier tree."""

from __future__ import annotations

from typing import Any

REFORM = "2025-07-01"


async def names(client: Any, headers: dict[str, str], as_of: str) -> dict[str, str | None]:
    """code → parent's code, for the tree as of a date."""
    rows = (await client.get("/api/places", params={"as_of": as_of}, headers=headers)).json()
    by_id = {r["id"]: r for r in rows}
    return {r["code"]: by_id[r["parent_id"]]["code"] if r["parent_id"] in by_id else None for r in rows}


async def create(
    client: Any, headers: dict[str, str], code: str, name: str, level: str, parent: int, since: str = "2020-01-01"
) -> int:
    response = await client.post(
        "/api/places",
        json={"code": code, "name": name, "level": level, "parent_id": parent, "valid_from": since},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_merge_and_district_abolition_keep_the_old_tree(client: Any, world: Any, token_for: Any) -> None:
    admin = await token_for("admin")
    province = await create(client, admin, "02", "Tỉnh Hà Giang", "province", world.places["VN"], "2000-01-01")
    district = await create(client, admin, "024", "Huyện Bắc Mê", "district", province)
    a = await create(client, admin, "00700", "Xã Yên Phong", "commune", district)
    b = await create(client, admin, "00703", "Xã Minh Ngọc", "commune", district)
    await create(client, admin, "00706", "Xã Yên Cường", "commune", district)

    merged = await client.post(
        "/api/places/merge", json={"source_ids": [b], "into_id": a, "effective_date": REFORM}, headers=admin
    )
    assert merged.status_code == 200, merged.text
    abolished = await client.post(f"/api/places/{district}/abolish", json={"effective_date": REFORM}, headers=admin)
    assert abolished.status_code == 200, abolished.text
    renamed = await client.post(
        f"/api/places/{a}/rename", json={"name": "Xã Bắc Mê", "effective_date": REFORM}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text

    before = await names(client, admin, "2025-06-30")
    assert before["024"] == "02"
    assert before["00700"] == before["00703"] == before["00706"] == "024"

    after = await names(client, admin, REFORM)
    assert "024" not in after and "00703" not in after
    assert after["00700"] == after["00706"] == "02"

    old = (await client.get(f"/api/places/{a}", params={"as_of": "2025-06-30"}, headers=admin)).json()
    new = (await client.get(f"/api/places/{a}", headers=admin)).json()
    assert old["name"] == "Xã Yên Phong" and old["parent_id"] == district
    assert new["name"] == "Xã Bắc Mê" and new["parent_id"] == province

    history = (await client.get(f"/api/places/{b}/history", headers=admin)).json()
    assert history[-1]["valid_to"] == REFORM and history[-1]["successor_id"] == a


async def test_records_of_a_merged_commune_stay_in_the_new_communes_scope(
    client: Any, world: Any, token_for: Any
) -> None:
    """com1 is responsible for C1; once C1b is merged into C1, C1b's facility is theirs."""
    com1 = await token_for("com1")
    assert (await client.get(f"/api/facilities/{world.facilities['F1b']}", headers=com1)).status_code == 404
    merged = await client.post(
        "/api/places/merge",
        json={"source_ids": [world.places["C1b"]], "into_id": world.places["C1"], "effective_date": "2026-01-01"},
        headers=await token_for("prov1"),
    )
    assert merged.status_code == 200
    assert (await client.get(f"/api/facilities/{world.facilities['F1b']}", headers=com1)).status_code == 200
    assert (await client.get(f"/api/places/{world.places['C1b']}", headers=com1)).status_code == 200


async def test_a_unit_cannot_move_under_its_own_descendant(client: Any, world: Any, token_for: Any) -> None:
    response = await client.post(
        f"/api/places/{world.places['P1']}/move",
        json={"parent_id": world.places["C1"], "effective_date": "2026-01-01"},
        headers=await token_for("admin"),
    )
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "parent_id"


async def test_officers_cannot_restructure_their_own_area(client: Any, world: Any, token_for: Any) -> None:
    response = await client.post(
        f"/api/places/{world.places['P1']}/rename",
        json={"name": "Hà Nội mới", "effective_date": "2026-01-01"},
        headers=await token_for("prov1"),
    )
    assert response.status_code == 403


async def test_province_officer_sees_their_province_and_the_path_above(client: Any, world: Any, token_for: Any) -> None:
    rows = (await client.get("/api/places", headers=await token_for("prov1"))).json()
    codes = [r["code"] for r in rows]
    assert codes[0] == "VN" and "01" in codes and "00004" in codes and "00070" in codes
    assert "79" not in codes and "26734" not in codes

"""Registering, correcting, moving and recording deaths and pregnancies, as staff do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest


def child(world: Any, **changes: Any) -> dict[str, Any]:
    body = {
        "full_name": "phạm  minh  châu",
        "birth_date": "2026-02-01",
        "sex": "F",
        "place_id": world.places["C1"],
        "facility_id": world.facilities["F1"],
        "address_detail": "Số 3 ngõ 7 phố Đội Cấn",
        "guardians": [
            {
                "full_name": "Phạm Thị Nga",
                "relationship": "mother",
                "phone": "0912 000 333",
                "messaging_consent": True,
                "is_primary": True,
            }
        ],
    }
    return {**body, **changes}


async def test_a_vaccinator_registers_a_child_with_a_lifelong_code(client: Any, world: Any, token_for: Any) -> None:
    response = await client.post("/api/subjects", json=child(world), headers=await token_for("vac1"))
    assert response.status_code == 201, response.text
    subject = response.json()
    assert subject["full_name"] == "Phạm Minh Châu"  # tidied as people write it
    assert len(subject["code"]) == 9 and subject["code_display"].count("-") == 2
    assert subject["guardians"][0]["phone"] == "+84912000333"
    found = await client.get(f"/api/subjects?q={subject['code_display'].lower()}", headers=await token_for("com1"))
    assert [s["id"] for s in found.json()["items"]] == [subject["id"]]


async def test_registering_the_same_child_again_is_stopped_with_the_evidence(
    client: Any, world: Any, token_for: Any
) -> None:
    headers = await token_for("vac1")
    first = await client.post("/api/subjects", json=child(world), headers=headers)
    again = await client.post("/api/subjects", json=child(world, full_name="Pham Minh Chau"), headers=headers)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "possible_duplicates"
    candidate = error["details"]["candidates"][0]
    assert candidate["subject_id"] == first.json()["id"]
    assert {"same_name", "same_birth_date", "same_phone"} <= {r["code"] for r in candidate["reasons"]}
    assert all(r["text"] for r in candidate["reasons"])


async def test_twins_are_registered_after_confirming_they_are_two_children(
    client: Any, world: Any, token_for: Any
) -> None:
    headers = await token_for("vac1")
    first = (await client.post("/api/subjects", json=child(world), headers=headers)).json()
    twin = child(world, full_name="Phạm Minh Khang", sex="M")
    stopped = await client.post("/api/subjects", json=twin, headers=headers)
    assert stopped.status_code == 409
    confirmed = await client.post("/api/subjects", json={**twin, "not_duplicate_of": [first["id"]]}, headers=headers)
    assert confirmed.status_code == 201
    assert confirmed.json()["id"] != first["id"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "2099-01-01"}, "birth_date"),
        ({"birth_date": "1850-01-01"}, "birth_date"),
        ({"personal_id": "00130"}, "personal_id"),
        ({"personal_id": "001226000123"}, "personal_id"),  # says born 2026 male … but 2 = male 2000s: check sex
        ({"guardians": [{"full_name": "A", "relationship": "mother", "phone": "12345"}]}, "guardians[0].phone"),
        # Ten digits like a mobile number, but no 06x network exists: possible, not valid.
        ({"guardians": [{"full_name": "A", "relationship": "mother", "phone": "0612 345 678"}]}, "guardians[0].phone"),
        ({"place_id": 999999}, "place_id"),
    ],
    ids=["future-birth", "absurdly-old", "short-id", "id-wrong-sex", "bad-phone", "no-such-network", "unknown-place"],
)
async def test_bad_registrations_are_422_naming_the_field(
    client: Any, world: Any, token_for: Any, changes: dict[str, Any], field: str
) -> None:
    headers = await token_for("admin")
    response = await client.post("/api/subjects", json=child(world, **changes), headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == field


async def test_a_consistent_personal_id_is_accepted_and_unique(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("vac1")
    ok = await client.post("/api/subjects", json=child(world, personal_id="001326000123"), headers=headers)
    assert ok.status_code == 201, ok.text  # 001 Hà Nội, 3 = female born 2000s, 26 = 2026
    other = child(world, full_name="Lý Thu Trang", birth_date="2026-03-03", personal_id="001326000123", guardians=[])
    assert (await client.post("/api/subjects", json=other, headers=headers)).status_code == 409


async def test_correction_is_audited_and_guarded_by_version(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("com1")
    subject = (await client.get(f"/api/subjects/{world.subjects['S1']}", headers=headers)).json()
    fixed = await client.patch(
        f"/api/subjects/{subject['id']}",
        headers=headers,
        json={"version": subject["version"], "full_name": "Nguyễn Văn Ân"},
    )
    assert fixed.status_code == 200 and fixed.json()["version"] == subject["version"] + 1
    stale = await client.patch(
        f"/api/subjects/{subject['id']}",
        headers=headers,
        json={"version": subject["version"], "address_detail": "khác"},
    )
    assert stale.status_code == 409 and stale.json()["error"]["details"]["field"] == "version"
    audit = (
        await client.get("/api/audit", params={"entity": "subject", "entity_id": str(subject["id"])}, headers=headers)
    ).json()
    correction = next(e for e in audit if e["action"] == "subject.correct")
    assert correction["before"]["full_name"] == "Nguyễn Văn An" and correction["after"]["full_name"] == "Nguyễn Văn Ân"
    found = (await client.get("/api/subjects", params={"q": "nguyen van an"}, headers=headers)).json()
    assert subject["id"] in [s["id"] for s in found["items"]]


async def test_a_move_keeps_history_and_both_communes_see_it(client: Any, world: Any, token_for: Any) -> None:
    """S2 moves from Bến Thành (P2) to Ba Đình (C1): the new side claims it by code."""
    s2 = world.subjects["S2"]
    com1 = await token_for("com1")
    assert (await client.get(f"/api/subjects/{s2}", headers=com1)).status_code == 404
    code = (await client.get(f"/api/subjects/{s2}", headers=await token_for("admin"))).json()["code"]
    found = (await client.get("/api/subjects", params={"q": code}, headers=com1)).json()["items"]
    assert [s["id"] for s in found] == [s2]
    moved = await client.post(
        f"/api/subjects/{s2}/move",
        headers=com1,
        json={
            "place_id": world.places["C1"],
            "facility_id": world.facilities["F1"],
            "moved_on": str(date.today()),
            "reason": "The family moved for work",
            "proof": code,
        },
    )
    assert moved.status_code == 200, moved.text
    assert (await client.get(f"/api/subjects/{s2}", headers=com1)).status_code == 200
    assert (await client.get(f"/api/subjects/{s2}", headers=await token_for("vac2"))).status_code == 404
    for officer in ("com1", "prov2"):  # the receiving commune and the province left behind
        moves = (await client.get("/api/subjects/moves", headers=await token_for(officer))).json()
        assert [m["subject"] for m in moves] == [s2]
    # The record's own history shows the move to whoever sees the record, and to nobody else.
    history = (await client.get(f"/api/subjects/{s2}/moves", headers=com1)).json()
    assert [(m["to_place"], m["to_facility"]) for m in history] == [(world.places["C1"], world.facilities["F1"])]
    assert (await client.get(f"/api/subjects/{s2}/moves", headers=await token_for("vac2"))).status_code == 404


async def test_death_and_pregnancy(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("vac1")
    expected = str(date.today() + timedelta(days=150))
    woman = await client.post(
        f"/api/subjects/{world.subjects['W1']}/pregnancies", headers=headers, json={"expected_delivery": expected}
    )
    assert woman.status_code == 201 and woman.json()["pregnancies"][-1]["expected_delivery"] == expected
    man = await client.post(
        f"/api/subjects/{world.subjects['S1']}/pregnancies", headers=headers, json={"expected_delivery": expected}
    )
    assert man.status_code == 422
    died = await client.post(
        f"/api/subjects/{world.subjects['S1']}/death", headers=headers, json={"died_on": str(date.today())}
    )
    assert died.status_code == 200 and died.json()["status"] == "deceased"
    future = await client.post(
        f"/api/subjects/{world.subjects['W1']}/death", headers=headers, json={"died_on": "2099-01-01"}
    )
    assert future.status_code == 422 and future.json()["error"]["details"]["field"] == "died_on"


async def test_a_parent_sees_only_linked_children(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    assert (await client.get(f"/api/subjects/{world.subjects['S1']}", headers=headers)).status_code == 200
    assert (await client.get(f"/api/subjects/{world.subjects['S1b']}", headers=headers)).status_code == 404
    found = (await client.get("/api/subjects", params={"q": "Lê Thị Hồng"}, headers=headers)).json()
    assert found["items"] == []
    assert (await client.post("/api/subjects", json=child(world), headers=headers)).status_code == 403

"""Taking over a subject from another area: with the card's code or the personal ID
number as proof, or through a transfer request the side it comes from decides.

In the world of tests/world.py, S2 (Võ Minh Khoa) lives in Bến Thành (C2, P2) and is
managed by F2 (vac2); vac1 works at F1 in Ba Đình (C1, P1) and cannot see S2.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from db.tables import AuditEvent, Subject
from tests.world import World

UNKNOWN_ID = 987_654
S2_PERSONAL_ID = "079225004321"  # male, born 2025, registered in Hồ Chí Minh City
S1B_PERSONAL_ID = "001324000777"  # female, born 2024, registered in Hà Nội


@pytest.fixture
async def ids(world: World) -> World:
    """S2 and S1b with personal ID numbers, as on their birth certificates."""
    for key, number in (("S2", S2_PERSONAL_ID), ("S1b", S1B_PERSONAL_ID)):
        await Subject.update({Subject.personal_id: number}).where(Subject.id == world.subjects[key])
    return world


def to_f1(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "place_id": world.places["C1"],
        "facility_id": world.facilities["F1"],
        "moved_on": str(date.today()),
        "reason": "The family moved for work",
        **extra,
    }


async def move(client: Any, headers: dict[str, str], subject_id: int, body: dict[str, Any]) -> Any:
    return await client.post(f"/api/subjects/{subject_id}/move", json=body, headers=headers)


def without_id(response: Any, subject_id: int) -> tuple[int, dict[str, Any]]:
    """Status and error body with the id as typed blanked out (and the request id)."""
    error = dict(response.json()["error"])
    error.pop("request_id")
    error["message"] = error["message"].replace(str(subject_id), "N")
    return response.status_code, error


async def s2_facility(world: World) -> int:
    row = await Subject.select(Subject.facility).where(Subject.id == world.subjects["S2"]).first()
    assert row is not None
    return int(row["facility"])


async def move_audits() -> int:
    return await AuditEvent.count().where(AuditEvent.action.is_in(["subject.move", "subject.moved_out"]))


async def code_of(world: World, key: str) -> str:
    row = await Subject.select(Subject.code).where(Subject.id == world.subjects[key]).first()
    assert row is not None
    return str(row["code"])


async def test_a_guessed_id_answers_as_an_unknown_one_and_moves_nothing(
    client: Any, ids: World, token_for: Any
) -> None:
    vac1 = await token_for("vac1")
    s2 = ids.subjects["S2"]
    taken = await move(client, vac1, s2, to_f1(ids))
    unknown = await move(client, vac1, UNKNOWN_ID, to_f1(ids))
    assert taken.status_code == 404
    assert without_id(taken, s2) == without_id(unknown, UNKNOWN_ID)
    assert "Võ Minh Khoa" not in taken.text and "0903111222" not in taken.text
    assert await s2_facility(ids) == ids.facilities["F2"]
    assert await move_audits() == 0


@pytest.mark.parametrize(
    "proof",
    [
        "code of S1",  # another child's card (one vac1 can see)
        "code of S1b",  # another child's card (one vac1 cannot see)
        S1B_PERSONAL_ID,  # another child's birth certificate
        "001225000999",  # a well-formed ID number nobody has
    ],
)
async def test_a_wrong_proof_answers_as_an_unknown_id(client: Any, ids: World, token_for: Any, proof: str) -> None:
    if proof.startswith("code of "):
        proof = await code_of(ids, proof.removeprefix("code of "))
    vac1 = await token_for("vac1")
    s2 = ids.subjects["S2"]
    wrong = await move(client, vac1, s2, to_f1(ids, proof=proof))
    unknown = await move(client, vac1, UNKNOWN_ID, to_f1(ids, proof=proof))
    assert wrong.status_code == 404
    assert without_id(wrong, s2) == without_id(unknown, UNKNOWN_ID)
    assert await s2_facility(ids) == ids.facilities["F2"]
    assert await move_audits() == 0


async def test_a_mistyped_code_is_a_typing_mistake_whatever_the_id(client: Any, ids: World, token_for: Any) -> None:
    vac1 = await token_for("vac1")
    code = await code_of(ids, "S2")
    mistyped = code[:-1] + ("0" if code[-1] != "0" else "1")
    for subject_id in (ids.subjects["S2"], UNKNOWN_ID):
        response = await move(client, vac1, subject_id, to_f1(ids, proof=mistyped))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"]["field"] == "proof"


async def test_the_personal_id_number_as_printed_takes_the_child_over(client: Any, ids: World, token_for: Any) -> None:
    vac1, vac2 = await token_for("vac1"), await token_for("vac2")
    s2 = ids.subjects["S2"]
    moved = await move(client, vac1, s2, to_f1(ids, proof="079 225 004 321"))
    assert moved.status_code == 200, moved.text
    assert moved.json()["facility"] == ids.facilities["F1"]
    assert (await client.get(f"/api/subjects/{s2}", headers=vac1)).status_code == 200
    assert (await client.get(f"/api/subjects/{s2}", headers=vac2)).status_code == 404
    for officer in ("com1", "prov2"):  # the receiving commune and the province left behind
        moves = (await client.get("/api/subjects/moves", headers=await token_for(officer))).json()
        assert [m["subject"] for m in moves] == [s2]


async def test_the_code_in_any_display_format_takes_the_child_over(client: Any, ids: World, token_for: Any) -> None:
    code = await code_of(ids, "S2")
    typed = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()  # as on the card, typed in lower case
    moved = await move(client, await token_for("vac1"), ids.subjects["S2"], to_f1(ids, proof=typed))
    assert moved.status_code == 200, moved.text
    assert await s2_facility(ids) == ids.facilities["F1"]


def request_for_s2(world: World, **extra: Any) -> dict[str, Any]:
    """What vac1 has when the family comes without papers: what they say."""
    return {
        "from_place_id": world.places["C2"],
        "full_name": "vo minh khoa",
        "birth_date": "2025-08-30",
        "moved_on": str(date.today()),
        "to_place_id": world.places["C1"],
        "to_facility_id": world.facilities["F1"],
        "guardian_phone": "0903111222",
        "reason": "Gia đình chuyển đến Ba Đình, mất thẻ tiêm chủng",
        **extra,
    }


async def file(client: Any, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/transfer-requests", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_request_says_nothing_of_whether_the_child_exists(client: Any, ids: World, token_for: Any) -> None:
    vac1 = await token_for("vac1")
    real = await file(client, vac1, request_for_s2(ids))
    invented = await file(client, vac1, request_for_s2(ids, full_name="Không Có Ai", birth_date="2025-01-01"))
    assert real.keys() == invented.keys()
    assert (real["status"], real["subject"], real["candidates"]) == ("pending", None, [])
    assert (invented["status"], invented["subject"], invented["candidates"]) == ("pending", None, [])


async def test_a_request_approved_by_the_managing_side_moves_the_child(client: Any, ids: World, token_for: Any) -> None:
    vac1, vac2 = await token_for("vac1"), await token_for("vac2")
    s2 = ids.subjects["S2"]
    filed = await file(client, vac1, request_for_s2(ids))
    assert filed["full_name"] == "Vo Minh Khoa"
    # Bến Thành's station sees it, with the record it may be about.
    incoming = (await client.get("/api/transfer-requests", headers=vac2)).json()
    assert [(r["id"], r["candidates"]) for r in incoming] == [(filed["id"], [s2])]
    assert (await client.get("/api/transfer-requests", headers=await token_for("com1"))).json() == []
    approved = await client.post(f"/api/transfer-requests/{filed['id']}/approve", json={"subject_id": s2}, headers=vac2)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["subject"]) == ("approved", s2)
    assert approved.json()["decided_by"] == ids.users["vac2"]
    assert (await client.get(f"/api/subjects/{s2}", headers=vac1)).json()["facility"] == ids.facilities["F1"]
    outgoing = (
        await client.get("/api/transfer-requests", params={"side": "outgoing", "status": "approved"}, headers=vac1)
    ).json()
    assert [(r["id"], r["subject"]) for r in outgoing] == [(filed["id"], s2)]
    actions = {
        e["action"]
        for e in (await client.get("/api/audit", params={"limit": 500}, headers=await token_for("admin"))).json()
    }
    assert {"transfer.request", "transfer.approve", "subject.move", "subject.moved_out"} <= actions
    again = await client.post(f"/api/transfer-requests/{filed['id']}/approve", json={"subject_id": s2}, headers=vac2)
    assert again.status_code == 409


async def test_a_declined_request_moves_nothing(client: Any, ids: World, token_for: Any) -> None:
    vac1, prov2 = await token_for("vac1"), await token_for("prov2")
    filed = await file(client, vac1, request_for_s2(ids))
    declined = await client.post(f"/api/transfer-requests/{filed['id']}/decline", headers=prov2)
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    assert await s2_facility(ids) == ids.facilities["F2"]
    assert await move_audits() == 0
    late = await client.post(
        f"/api/transfer-requests/{filed['id']}/approve", json={"subject_id": ids.subjects["S2"]}, headers=prov2
    )
    assert late.status_code == 409
    outgoing = (
        await client.get("/api/transfer-requests", params={"side": "outgoing", "status": "declined"}, headers=vac1)
    ).json()
    assert [r["id"] for r in outgoing] == [filed["id"]]


async def test_a_requester_cannot_approve_their_own_request(client: Any, ids: World, token_for: Any) -> None:
    """prov1 answers for both Hoàn Kiếm (where S1b comes from) and Ba Đình, and still
    needs someone else to approve what they asked for."""
    prov1 = await token_for("prov1")
    s1b = ids.subjects["S1b"]
    filed = await file(
        client,
        prov1,
        request_for_s2(ids, from_place_id=ids.places["C1b"], full_name="Lê Thị Hồng", birth_date="2024-11-02"),
    )
    own = await client.post(f"/api/transfer-requests/{filed['id']}/approve", json={"subject_id": s1b}, headers=prov1)
    assert own.status_code == 403
    assert (await client.get(f"/api/subjects/{s1b}", headers=prov1)).json()["facility"] == ids.facilities["F1b"]
    by_admin = await client.post(
        f"/api/transfer-requests/{filed['id']}/approve", json={"subject_id": s1b}, headers=await token_for("admin")
    )
    assert by_admin.status_code == 200, by_admin.text
    assert (await client.get(f"/api/subjects/{s1b}", headers=prov1)).json()["facility"] == ids.facilities["F1"]


async def test_only_the_side_the_child_comes_from_decides(client: Any, ids: World, token_for: Any) -> None:
    """com1 (Ba Đình) neither sees nor decides a request about Bến Thành's child, and the
    managing side cannot hand over a record of another area."""
    filed = await file(client, await token_for("vac1"), request_for_s2(ids))
    com1 = await token_for("com1")
    outsider = await client.post(f"/api/transfer-requests/{filed['id']}/decline", headers=com1)
    assert outsider.status_code == 404
    vac2 = await token_for("vac2")
    not_theirs = await client.post(
        f"/api/transfer-requests/{filed['id']}/approve", json={"subject_id": ids.subjects["S1b"]}, headers=vac2
    )
    assert not_theirs.status_code == 404
    assert await s2_facility(ids) == ids.facilities["F2"]


async def test_the_requester_cancels_a_pending_request(client: Any, ids: World, token_for: Any) -> None:
    vac1 = await token_for("vac1")
    filed = await file(client, vac1, request_for_s2(ids))
    cancelled = await client.post(f"/api/transfer-requests/{filed['id']}/cancel", headers=vac1)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await client.get("/api/transfer-requests", headers=await token_for("vac2"))).json() == []


async def test_guessing_personal_id_numbers_is_stopped_after_twenty_wrong_proofs(
    client: Any, ids: World, token_for: Any
) -> None:
    """Personal ID numbers are partly predictable (province, century and sex, year): an
    account that sends twenty that match no child is told to wait, even with the right one."""
    vac1 = await token_for("vac1")
    s2 = ids.subjects["S2"]
    for guess in range(20):
        wrong = await move(client, vac1, s2, to_f1(ids, proof=f"0792250{guess:05d}"))
        assert wrong.status_code == 404, wrong.text
    stopped = await move(client, vac1, s2, to_f1(ids, proof=S2_PERSONAL_ID))
    assert stopped.status_code == 429, stopped.text
    assert int(stopped.headers["retry-after"]) > 0
    assert await s2_facility(ids) != ids.facilities["F1"]
    # Another account's proofs are its own.
    com1 = await token_for("com1")
    assert (await move(client, com1, s2, to_f1(ids, proof=S2_PERSONAL_ID))).status_code == 200


async def destinations(client: Any, headers: dict[str, str], typed: str) -> Any:
    return await client.get("/api/transfer-destinations", params={"q": typed}, headers=headers)


async def test_a_destination_outside_the_area_is_found_by_its_commune_without_accents(
    client: Any, ids: World, token_for: Any
) -> None:
    """vac1 (Ba Đình) finds Bến Thành's station in Hồ Chí Minh City, which their own
    place and facility lists never show, to move a child there or to say where a
    family came from."""
    found = await destinations(client, await token_for("vac1"), "ben thanh")
    assert found.status_code == 200, found.text
    assert found.json() == [
        {
            "facility_id": ids.facilities["F2"],
            "facility_name": "Trạm Y tế F2",
            "place_id": ids.places["C2"],
            "place_name": "Phường Bến Thành",
            "above": "Thành phố Hồ Chí Minh",
        }
    ]


async def test_destinations_of_a_province_list_the_callers_own_facility_first(
    client: Any, ids: World, token_for: Any
) -> None:
    found = (await destinations(client, await token_for("vac1b"), "Hà Nội")).json()
    assert found[0]["facility_id"] == ids.facilities["F1b"]
    assert {d["facility_id"] for d in found} == {ids.facilities[k] for k in ("F1", "F1b", "F1c")}


@pytest.mark.parametrize("typed", ["", " b ", "--"])
async def test_a_destination_search_needs_two_letters(client: Any, ids: World, token_for: Any, typed: str) -> None:
    found = await destinations(client, await token_for("vac1"), typed)
    assert found.status_code == 422
    assert found.json()["error"]["details"]["field"] == "q"


async def test_parents_cannot_search_destinations(client: Any, ids: World, token_for: Any) -> None:
    assert (await destinations(client, await token_for("parent1"), "ben thanh")).status_code == 403


async def test_both_sides_read_the_request_with_the_names_of_the_places(
    client: Any, ids: World, token_for: Any
) -> None:
    """The deciding side cannot read the requester's facility by id, nor the requester the
    commune the family came from: the request names them."""
    filed = await file(client, await token_for("vac1"), request_for_s2(ids))
    [seen] = (await client.get("/api/transfer-requests", headers=await token_for("vac2"))).json()
    for request in (filed, seen):
        assert (request["from_place_name"], request["to_place_name"], request["to_facility_name"]) == (
            "Phường Bến Thành",
            "Phường Ba Đình",
            "Trạm Y tế F1",
        )


async def test_the_record_s_history_names_the_commune_the_child_came_from(
    client: Any, ids: World, token_for: Any
) -> None:
    """After the takeover vac1 reads S2's moves: Bến Thành is outside vac1's place list
    (``/api/places/{id}`` answers 404), so the move names it."""
    vac1, s2 = await token_for("vac1"), ids.subjects["S2"]
    taken = await move(client, vac1, s2, to_f1(ids, proof=S2_PERSONAL_ID))
    assert taken.status_code == 200, taken.text
    assert (await client.get(f"/api/places/{ids.places['C2']}", headers=vac1)).status_code == 404
    [moved] = (await client.get(f"/api/subjects/{s2}/moves", headers=vac1)).json()
    assert (moved["from_place_name"], moved["to_place_name"]) == ("Phường Bến Thành", "Phường Ba Đình")
    assert (moved["from_facility_name"], moved["to_facility_name"]) == ("Trạm Y tế F2", "Trạm Y tế F1")

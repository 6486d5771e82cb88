"""What a person sees of a merge besides the rows it moves: the words and details of its
refusals, the audit rows it writes, and the duplicate pairs in which the merged record is
the second subject (``subject_b``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar

from api import clock
from db.tables import Account, AuditEvent, DuplicateCandidate, Subject, SubjectMerge
from tests.api.test_registry_duplicates import person, plant
from tests.api.test_registry_merge import correct, snapshot, woman_twice


@pytest.fixture(autouse=True)
async def english_officer(world: Any) -> None:
    """The province officers read the app in English: the refusals below are the API's
    English wording (tests/api/test_wording.py checks the Vietnamese one)."""
    await Account.update({Account.language: "en"}).where(Account.id.is_in([world.users["prov1"], world.users["prov2"]]))


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return dict(error)


async def merge(client: Any, headers: dict[str, str], survivor_id: int, merged_id: int) -> Any:
    return await client.post(
        "/api/subjects/merge", json={"survivor_id": survivor_id, "merged_id": merged_id}, headers=headers
    )


async def an(client: Any, world: Any, headers: dict[str, str]) -> dict[str, Any]:
    """S1 registered again in C1, with one guardian of her own."""
    return await plant(
        client,
        headers,
        person(world, "Nguyen Van An", "2025-03-14", "M", "C1", guardians=(("Lê Văn Tâm", "father", "0914777888"),)),
    )


async def test_the_refusals_say_what_is_wrong_and_which_field(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    s = world.subjects
    itself = error_of(await merge(client, prov1, s["S1"], s["S1"]), 422, "invalid")
    assert itself["message"] == "A subject cannot be merged into itself"
    assert itself["details"] == {"field": "merged_id"}

    missing = error_of(await merge(client, prov1, s["S1"], 999999), 404, "not_found")
    assert missing["message"] == "Subject 999999 not found"
    missing = error_of(await merge(client, prov1, 999998, s["S1"]), 404, "not_found")
    assert missing["message"] == "Subject 999998 not found"

    plain = await an(client, world, prov1)
    assert (await merge(client, prov1, s["S1"], plain["id"])).status_code == 201
    twice = error_of(await merge(client, prov1, s["S1b"], plain["id"]), 409, "conflict")
    assert twice["message"] == f"Subject {plain['id']} was already merged into subject {s['S1']}"
    assert twice["details"] == {"field": "merged_id", "merged_into": s["S1"]}
    into = error_of(await merge(client, prov1, plain["id"], s["S1b"]), 409, "conflict")
    assert into["message"] == f"Subject {plain['id']} was already merged into subject {s['S1']}"
    assert into["details"] == {"field": "survivor_id", "merged_into": s["S1"]}

    one = await woman_twice(client, world, prov1)
    other = await plant(
        client, prov1, person(world, "Trần Thị Bích", "1998-05-20", "F", "C1b", personal_id="001198000789")
    )
    two = error_of(await merge(client, prov1, one["id"], other["id"]), 409, "conflict")
    assert two["message"] == (
        "The two records have different personal ID numbers, so they are two people: correct the wrong number first"
    )
    assert two["details"] == {"field": "personal_id"}
    assert await SubjectMerge.count() == 1


async def test_the_refusals_of_undo(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    s = world.subjects
    missing = error_of(await client.post("/api/merges/999999/undo", headers=prov1), 404, "not_found")
    assert missing["message"] == "Merge 999999 not found"

    a = await an(client, world, prov1)
    b = await plant(client, prov1, person(world, "Nguyễn Văn An", "2025-03-14", "M", "C1b"))
    first = (await merge(client, prov1, a["id"], b["id"])).json()
    second = (await merge(client, prov1, s["S1"], a["id"])).json()
    outside = error_of(
        await client.post(f"/api/merges/{first['id']}/undo", headers=await token_for("prov2")), 404, "not_found"
    )
    assert outside["message"] == f"Merge {first['id']} not found"

    blocked = error_of(await client.post(f"/api/merges/{first['id']}/undo", headers=prov1), 409, "conflict")
    assert blocked["message"] == (
        f"Subject {a['id']} has since been merged into subject {s['S1']}: undo that merge first"
    )
    assert blocked["details"] == {"merged_into": s["S1"]}

    assert (await client.post(f"/api/merges/{second['id']}/undo", headers=prov1)).status_code == 200
    again = error_of(await client.post(f"/api/merges/{second['id']}/undo", headers=prov1), 409, "conflict")
    assert again["message"] == "This merge was already undone"
    assert set(again["details"]) == {"undone_at"} and again["details"]["undone_at"]


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def audit_rows(after_id: int) -> list[dict[str, Any]]:
    rows = await AuditEvent.select().where(AuditEvent.id > after_id).order_by(AuditEvent.id)
    return [{**r, "before": _loaded(r["before"]), "after": _loaded(r["after"])} for r in rows]


async def test_the_audit_rows_of_a_merge_and_its_undo(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    s1 = world.subjects["S1"]
    plain = await an(client, world, prov1)
    last = (await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first())["id"]

    done = await merge(client, prov1, s1, plain["id"])
    assert done.status_code == 201, done.text
    merge_id = done.json()["id"]
    rows = {r["action"]: r for r in await audit_rows(last)}
    assert set(rows) == {"subject.merged", "subject.merge"}
    merged, survivor = rows["subject.merged"], rows["subject.merge"]
    assert (merged["entity"], merged["entity_id"], merged["place"], merged["actor_name"]) == (
        "subject",
        str(plain["id"]),
        world.places["C1"],
        "prov1",
    )
    assert (merged["before"]["status"], merged["before"]["merged_into"]) == ("active", None)
    assert (merged["after"]["status"], merged["after"]["merged_into"]) == ("merged", s1)
    assert merged["after"]["merge_id"] == merge_id and merged["after"]["survivor"] == s1
    assert merged["after"]["moved"] == {"subject_guardian": 1}
    assert merged["after"]["version"] == merged["before"]["version"] + 1
    assert "merged" not in merged["after"]
    assert (survivor["entity"], survivor["entity_id"], survivor["place"]) == ("subject", str(s1), world.places["C1"])
    assert survivor["after"]["merge_id"] == merge_id and survivor["after"]["merged"] == plain["id"]
    assert survivor["after"]["moved"] == {"subject_guardian": 1}
    assert "survivor" not in survivor["after"]

    last = (await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first())["id"]
    assert (await client.post(f"/api/merges/{merge_id}/undo", headers=prov1)).status_code == 200
    rows = {r["action"]: r for r in await audit_rows(last)}
    assert set(rows) == {"subject.merge_undo", "subject.unmerged"}
    undo_survivor, unmerged = rows["subject.merge_undo"], rows["subject.unmerged"]
    assert undo_survivor["entity_id"] == str(s1)
    assert undo_survivor["after"]["merge_id"] == merge_id and undo_survivor["after"]["merged"] == plain["id"]
    assert unmerged["entity_id"] == str(plain["id"])
    assert unmerged["after"]["merge_id"] == merge_id and unmerged["after"]["survivor"] == s1
    assert (unmerged["after"]["status"], unmerged["after"]["merged_into"]) == ("active", None)
    assert (unmerged["before"]["status"], unmerged["before"]["merged_into"]) == ("merged", s1)


DECIDED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


async def test_pairs_in_which_the_merged_record_is_the_second_subject(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    s = world.subjects
    plain = await an(client, world, prov1)
    now = datetime.now(UTC)

    async def pair(a: int, b: int, status: str = "open", decided_at: datetime | None = None) -> int:
        rows = await DuplicateCandidate.insert(
            DuplicateCandidate(
                place=world.places["C1"],
                subject_a=a,
                subject_b=b,
                score=0.6,
                reasons=[],
                status=status,
                found_at=now,
                decided_at=decided_at,
            )
        ).returning(DuplicateCandidate.id)
        return int(rows[0]["id"])

    itself = await pair(s["S1"], plain["id"], "dismissed", DECIDED)  # the pair itself, dismissed once
    moves = await pair(s["S1b"], plain["id"])  # passes to the survivor as its subject_b
    again = await pair(plain["id"], s["S1b"])  # the same two again: the survivor has it now
    await pair(s["S2"], s["S1"])
    closes = await pair(s["S2"], plain["id"])  # the survivor has this pair already
    moves_a = await pair(plain["id"], s["W1"])  # passes to the survivor as its subject_a
    stays = await pair(s["W1"], plain["id"], "dismissed", DECIDED)
    before = await snapshot()

    done = await merge(client, prov1, s["S1"], plain["id"])
    assert done.status_code == 201, done.text
    recorded = {c["id"]: c for c in done.json()["moved"]["candidates"]}
    assert set(recorded) == {itself, moves, again, closes, moves_a}
    assert recorded[itself] == {"id": itself, "status": "dismissed", "decided_at": "2026-11-20T08:00:00+00:00"}
    assert recorded[closes] == {"id": closes, "status": "open", "decided_at": None}
    assert recorded[moves_a] == {"id": moves_a, "column": "subject_a"}
    # Of the same two pairs with S1b, one passes to the survivor and the other is closed.
    assert sorted([recorded[moves], recorded[again]], key=len) == sorted(
        [{"id": moves, "column": "subject_b"}, {"id": again, "status": "open", "decided_at": None}]
        if "column" in recorded[moves]
        else [{"id": again, "column": "subject_a"}, {"id": moves, "status": "open", "decided_at": None}],
        key=len,
    )
    rows = {r["id"]: r for r in await DuplicateCandidate.select()}
    assert (rows[itself]["status"], rows[itself]["subject_b"]) == ("merged", plain["id"])
    assert rows[itself]["decided_at"] is not None and rows[itself]["decided_at"] != DECIDED
    with_s1b = [(rows[i]["subject_a"], rows[i]["subject_b"], rows[i]["status"]) for i in (moves, again)]
    assert with_s1b in (
        [(s["S1b"], s["S1"], "open"), (plain["id"], s["S1b"], "merged")],
        [(s["S1b"], plain["id"], "merged"), (s["S1"], s["S1b"], "open")],
    )
    assert (rows[closes]["subject_b"], rows[closes]["status"]) == (plain["id"], "merged")
    assert (rows[moves_a]["subject_a"], rows[moves_a]["subject_b"], rows[moves_a]["status"]) == (
        s["S1"],
        s["W1"],
        "open",
    )
    assert rows[closes]["decided_at"] is not None
    assert (rows[stays]["subject_b"], rows[stays]["status"], rows[stays]["decided_at"]) == (
        plain["id"],
        "dismissed",
        DECIDED,
    )

    undone = await client.post(f"/api/merges/{done.json()['id']}/undo", headers=prov1)
    assert undone.status_code == 200, undone.text
    assert await snapshot() == before
    rows = {r["id"]: r for r in await DuplicateCandidate.select()}
    assert (rows[itself]["status"], rows[itself]["decided_at"]) == ("dismissed", DECIDED)
    assert (rows[moves]["subject_b"], rows[moves]["status"]) == (plain["id"], "open")
    assert (rows[closes]["status"], rows[closes]["decided_at"]) == ("open", None)


async def test_undo_empties_every_filled_field_and_gives_back_the_status_and_number(
    client: Any, world: Any, token_for: Any
) -> None:
    """The other record was marked lost and has a birth time; another person in the
    registry has a personal ID number of her own."""
    com1, prov1 = await token_for("com1"), await token_for("prov1")
    w1 = world.subjects["W1"]
    dup = await woman_twice(client, world, com1)  # ethnicity Kinh, personal ID 001198000456
    await correct(client, com1, dup["id"], birth_time="23:10:00", status="lost")
    await plant(client, prov1, person(world, "Lê Thị Hoa", "1990-01-02", "F", "C1b", personal_id="001190000321"))
    done = await merge(client, com1, w1, dup["id"])
    assert done.status_code == 201, done.text
    assert done.json()["moved"]["merged_before"] == {"status": "lost", "personal_id": "001198000456"}

    undone = await client.post(f"/api/merges/{done.json()['id']}/undo", headers=com1)
    assert undone.status_code == 200, undone.text
    survivor = (await client.get(f"/api/subjects/{w1}", headers=com1)).json()
    assert (survivor["ethnicity"], survivor["birth_time"], survivor["personal_id"]) == (None, None, None)
    back = await Subject.select().where(Subject.id == dup["id"]).first()
    assert (back["status"], back["merged_into"], back["personal_id"]) == ("lost", None, "001198000456")


async def test_a_number_taken_since_the_merge_stays_with_its_new_holder(
    client: Any, world: Any, token_for: Any
) -> None:
    """After the merge the survivor's number was corrected, and the number that came
    from the merged record was then registered for someone else: undo leaves it there."""
    com1 = await token_for("com1")
    w1 = world.subjects["W1"]
    dup = await woman_twice(client, world, com1)  # personal ID 001198000456
    done = await merge(client, com1, w1, dup["id"])
    assert done.status_code == 201, done.text
    await correct(client, com1, w1, personal_id="001198000999")
    holder = await plant(
        client, com1, person(world, "Đào Thị Mai", "1998-07-07", "F", "C1", personal_id="001198000456")
    )

    undone = await client.post(f"/api/merges/{done.json()['id']}/undo", headers=com1)
    assert undone.status_code == 200, undone.text
    numbers = {r["id"]: r["personal_id"] for r in await Subject.select(Subject.id, Subject.personal_id)}
    assert (numbers[w1], numbers[dup["id"]], numbers[holder["id"]]) == ("001198000999", None, "001198000456")
    back = await Subject.select(Subject.status).where(Subject.id == dup["id"]).first()
    assert back["status"] == "active"


async def test_a_subjects_merges_newest_first_and_only_its_own(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    s = world.subjects
    a = await an(client, world, prov1)
    b = await plant(client, prov1, person(world, "Nguyễn Văn An", "2025-03-14", "M", "C1b"))
    c = await plant(client, prov1, person(world, "Le Thi Hong", "2024-11-02", "F", "C1b"))
    ids = []
    for survivor, merged in ((s["S1"], a["id"]), (s["S1"], b["id"]), (s["S1b"], c["id"])):
        done = await merge(client, prov1, survivor, merged)
        assert done.status_code == 201, done.text
        ids.append(done.json()["id"])
    listed = (await client.get(f"/api/subjects/{s['S1']}/merges", headers=prov1)).json()
    assert [(m["id"], m["merged"]) for m in listed] == [(ids[1], b["id"]), (ids[0], a["id"])]
    listed = (await client.get(f"/api/subjects/{s['S1b']}/merges", headers=prov1)).json()
    assert [(m["id"], m["survivor"], m["merged"]) for m in listed] == [(ids[2], s["S1b"], c["id"])]


@pytest.fixture
def fixed_clock(app: Litestar) -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock(datetime(2026, 11, 30, 9, 15, tzinfo=UTC))
    app.state.clock = fixed
    with clock.using(fixed):
        yield fixed
    app.state.clock = clock.SYSTEM_CLOCK


async def test_a_merge_and_its_undo_are_dated_by_the_apps_clock(
    client: Any, world: Any, token_for: Any, fixed_clock: clock.FixedClock
) -> None:
    prov1 = await token_for("prov1")
    plain = await an(client, world, prov1)
    done = await merge(client, prov1, world.subjects["S1"], plain["id"])
    assert done.status_code == 201, done.text
    assert done.json()["merged_at"].startswith("2026-11-30T09:15:00")
    fixed_clock.advance(timedelta(minutes=5))
    undone = await client.post(f"/api/merges/{done.json()['id']}/undo", headers=prov1)
    assert undone.status_code == 200, undone.text
    assert undone.json()["merged_at"].startswith("2026-11-30T09:15:00")
    assert undone.json()["undone_at"].startswith("2026-11-30T09:20:00")

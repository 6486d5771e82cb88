"""Merging two records of one person, and undoing it: what moves, what the survivor
fills in, where codes lead, and what is refused (outside the scope, twice, into itself)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from api.accounts.users import services as users
from api.auth.roles import Role
from api.context import Actor
from db.tables import (
    AuditEvent,
    DuplicateCandidate,
    Outbox,
    ParentLink,
    Pregnancy,
    Subject,
    SubjectGuardian,
    SubjectMerge,
    SubjectMove,
)
from tests.api.test_registry_duplicates import person, plant
from tests.world import PASSWORD

TABLES = (Subject, SubjectGuardian, Pregnancy, SubjectMove, ParentLink, Outbox, DuplicateCandidate)


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a merge may touch (a subject's version and update time aside)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in TABLES:
        found = await table.select().order_by(table._meta.primary_key)
        for row in found:
            row.pop("version", None)
            row.pop("updated_at", None)
            if isinstance(row.get("reasons"), str):
                row["reasons"] = json.loads(row["reasons"])
        rows[table._meta.tablename] = found
    return rows


async def resolve(client: Any, headers: dict[str, str], code: str) -> list[int]:
    response = await client.get("/api/subjects", params={"q": code}, headers=headers)
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["items"]]


async def woman_twice(client: Any, world: Any, headers: dict[str, str]) -> dict[str, Any]:
    """W1 registered again, with what W1's record lacks: a personal ID number, an
    ethnicity, a pregnancy, and her own phone besides her mother's."""
    return await plant(
        client,
        headers,
        person(
            world,
            "Tran Thi Bich",
            "1998-05-20",
            "F",
            "C1",
            guardians=(("Ngô Thị Tư", "mother", "0913000111"), ("Trần Thị Bích", "self", "0913555666")),
            personal_id="001198000456",
            ethnicity="Kinh",
            expected_delivery=datetime.now(UTC).date().isoformat(),
        ),
    )


async def test_merge_moves_everything_and_undo_puts_it_back(client: Any, world: Any, token_for: Any) -> None:
    prov1, com1 = await token_for("prov1"), await token_for("com1")
    survivor_id = world.subjects["W1"]
    dup = await woman_twice(client, world, prov1)
    # A move away and back, messages waiting, two parent accounts (one also linked to W1).
    for commune, facility in (("C1b", "F1b"), ("C1", "F1")):
        moved = await client.post(
            f"/api/subjects/{dup['id']}/move",
            json={
                "place_id": world.places[commune],
                "facility_id": world.facilities[facility],
                "moved_on": "2026-01-10",
                "reason": "The family moved",
            },
            headers=prov1,
        )
        assert moved.status_code == 200, moved.text
    parent2 = await users.create(
        Actor.system("test"), username="parent2", full_name="Parent 2", password=PASSWORD, role=Role.PARENT
    )
    now = datetime.now(UTC)
    for account, subject in ((world.users["parent1"], survivor_id), (world.users["parent1"], dup["id"])):
        await ParentLink.insert(ParentLink(account=account, subject=subject, method="phone", linked_at=now))
    await ParentLink.insert(ParentLink(account=parent2["id"], subject=dup["id"], method="card", linked_at=now))
    await Outbox.insert(
        Outbox(
            channel="sms",
            recipient="+84913555666",
            template="reminder",
            body="Nhắc lịch",
            reference=f"subject:{dup['id']}",
            created_at=now,
        )
    )
    assert (await client.post("/api/duplicates/run", headers=com1)).status_code == 200
    pair = await DuplicateCandidate.select().first()
    assert {pair["subject_a"], pair["subject_b"]} == {survivor_id, dup["id"]} and pair["status"] == "open"
    assert await resolve(client, com1, dup["code"]) == [dup["id"]]
    before = await snapshot()
    last_audit = (await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first())["id"]

    response = await client.post(
        "/api/subjects/merge", json={"survivor_id": survivor_id, "merged_id": dup["id"]}, headers=com1
    )
    assert response.status_code == 201, response.text
    merge = response.json()
    assert (merge["survivor"], merge["merged"], merge["merged_by_name"]) == (survivor_id, dup["id"], "com1")
    moved = {(r["table"], r["column"]): r["ids"] for r in merge["moved"]["rows"]}
    assert set(moved) == {
        ("subject_guardian", "subject"),
        ("pregnancy", "subject"),
        ("subject_move", "subject"),
        ("parent_link", "subject"),
    }
    assert len(moved[("subject_guardian", "subject")]) == 1  # her own phone; the shared mother stays linked once
    assert len(moved[("parent_link", "subject")]) == 1  # parent2; parent1 was linked to W1 already
    assert len(moved[("subject_move", "subject")]) == 2

    survivor = (await client.get(f"/api/subjects/{survivor_id}", headers=com1)).json()
    assert survivor["full_name"] == "Trần Thị Bích"  # the survivor keeps its own fields
    assert (survivor["personal_id"], survivor["ethnicity"]) == ("001198000456", "Kinh")  # and fills empty ones
    assert {g["relationship"] for g in survivor["guardians"]} == {"mother", "self"}
    assert len(survivor["pregnancies"]) == 1
    merged = await Subject.select().where(Subject.id == dup["id"]).first()
    assert (merged["status"], merged["merged_into"], merged["personal_id"]) == ("merged", survivor_id, None)
    assert await resolve(client, com1, dup["code"]) == [survivor_id]  # the old code leads to the survivor
    assert (await client.get(f"/api/subjects/{dup['id']}", headers=com1)).json()["id"] == survivor_id
    # A queued message keeps the reference its sender chose: the merged record's id still
    # leads to the survivor, and delivery needs only the recipient.
    assert await Outbox.select(Outbox.reference).first() == {"reference": f"subject:{dup['id']}"}
    assert (await DuplicateCandidate.select(DuplicateCandidate.status).first())["status"] == "merged"
    audit = await AuditEvent.select().where(AuditEvent.id > last_audit).order_by(AuditEvent.id)
    assert {(e["action"], e["entity_id"]) for e in audit} == {
        ("subject.merge", str(survivor_id)),
        ("subject.merged", str(dup["id"])),
    }
    by_action = {e["action"]: e for e in audit}
    after = by_action["subject.merged"]["after"]
    after = json.loads(after) if isinstance(after, str) else after
    assert after["status"] == "merged" and after["merge_id"] == merge["id"]
    listed = (await client.get(f"/api/subjects/{dup['id']}/merges", headers=com1)).json()
    assert [m["id"] for m in listed] == [merge["id"]]
    survivor_merges = (await client.get(f"/api/subjects/{survivor_id}/merges", headers=com1)).json()
    assert [(m["id"], m["merged_code"]) for m in survivor_merges] == [(merge["id"], dup["code"])]

    undone = await client.post(f"/api/merges/{merge['id']}/undo", headers=com1)
    assert undone.status_code == 200, undone.text
    assert undone.json()["undone_at"]
    assert await snapshot() == before  # every row back where it was
    assert await resolve(client, com1, dup["code"]) == [dup["id"]]
    assert await resolve(client, com1, survivor["code"]) == [survivor_id]
    assert (await client.get(f"/api/subjects/{dup['id']}", headers=com1)).json()["id"] == dup["id"]
    again = await client.post(f"/api/merges/{merge['id']}/undo", headers=com1)
    assert again.status_code == 409
    assert await snapshot() == before


async def test_open_pairs_of_the_merged_record_pass_to_the_survivor(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    s = world.subjects
    plain = await plant(client, prov1, person(world, "Nguyen Van An", "2025-03-14", "M", "C1"))
    now = datetime.now(UTC)

    async def pair(a: int, b: int, status: str = "open") -> int:
        rows = await DuplicateCandidate.insert(
            DuplicateCandidate(
                place=world.places["C1"], subject_a=a, subject_b=b, score=0.6, reasons=[], status=status, found_at=now
            )
        ).returning(DuplicateCandidate.id)
        return int(rows[0]["id"])

    with_s1b = await pair(plain["id"], s["S1b"])  # moves to the survivor
    with_w1 = await pair(plain["id"], s["W1"])  # the survivor has this pair already: closed
    await pair(s["S1"], s["W1"], "dismissed")
    dismissed = await pair(plain["id"], s["S2"], "dismissed")  # stays as it is
    before = await snapshot()
    merge = await client.post(
        "/api/subjects/merge", json={"survivor_id": s["S1"], "merged_id": plain["id"]}, headers=prov1
    )
    assert merge.status_code == 201, merge.text
    rows = {r["id"]: r for r in await DuplicateCandidate.select()}
    assert {rows[with_s1b]["subject_a"], rows[with_s1b]["subject_b"]} == {s["S1"], s["S1b"]}
    assert rows[with_s1b]["status"] == "open"
    assert rows[with_w1]["status"] == "merged"
    assert rows[dismissed]["status"] == "dismissed" and rows[dismissed]["subject_a"] == plain["id"]
    listed = (await client.get("/api/duplicates", headers=prov1)).json()["items"]
    assert [{p["id"] for p in item["subjects"]} for item in listed] == [{s["S1"], s["S1b"]}]
    assert (await client.post(f"/api/merges/{merge.json()['id']}/undo", headers=prov1)).status_code == 200
    assert await snapshot() == before


async def test_a_merge_outside_the_scope_is_refused_and_changes_nothing(
    client: Any, world: Any, token_for: Any
) -> None:
    s = world.subjects
    before = await snapshot()
    audit_count = await AuditEvent.count()
    for user, survivor, merged in (
        ("com1", "S1", "S2"),
        ("com1", "S2", "S1"),
        ("com1", "S1", "S1b"),  # another commune of the same province
        ("prov2", "S2", "W1"),
    ):
        response = await client.post(
            "/api/subjects/merge",
            json={"survivor_id": s[survivor], "merged_id": s[merged]},
            headers=await token_for(user),
        )
        assert response.status_code == 404, (user, survivor, merged)
        assert response.json()["error"]["code"] == "not_found"
    for user in ("vac1", "clerk1", "parent1"):
        response = await client.post(
            "/api/subjects/merge", json={"survivor_id": s["S1"], "merged_id": s["W1"]}, headers=await token_for(user)
        )
        assert response.status_code == 403, user
    assert await snapshot() == before
    assert await AuditEvent.count() == audit_count
    assert await SubjectMerge.count() == 0


async def test_what_cannot_be_merged(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    s = world.subjects
    itself = await client.post(
        "/api/subjects/merge", json={"survivor_id": s["S1"], "merged_id": s["S1"]}, headers=prov1
    )
    assert itself.status_code == 422 and itself.json()["error"]["details"]["field"] == "merged_id"

    plain = await plant(client, prov1, person(world, "Nguyen Van An", "2025-03-14", "M", "C1"))
    first = await client.post(
        "/api/subjects/merge", json={"survivor_id": s["S1"], "merged_id": plain["id"]}, headers=prov1
    )
    assert first.status_code == 201
    for body in (
        {"survivor_id": s["S1b"], "merged_id": plain["id"]},
        {"survivor_id": plain["id"], "merged_id": s["S1b"]},
    ):
        response = await client.post("/api/subjects/merge", json=body, headers=prov1)
        assert response.status_code == 409, body
    assert await SubjectMerge.count() == 1

    # Two different personal ID numbers are two people.
    one = await woman_twice(client, world, prov1)
    other = await plant(
        client,
        prov1,
        person(world, "Trần Thị Bích", "1998-05-20", "F", "C1b", personal_id="001198000789"),
    )
    response = await client.post(
        "/api/subjects/merge", json={"survivor_id": one["id"], "merged_id": other["id"]}, headers=prov1
    )
    assert response.status_code == 409 and response.json()["error"]["details"]["field"] == "personal_id"


async def test_undo_is_refused_while_the_survivor_is_merged_itself(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    s = world.subjects
    a = await plant(client, prov1, person(world, "Nguyen Van An", "2025-03-14", "M", "C1"))
    b = await plant(client, prov1, person(world, "Nguyễn Văn An", "2025-03-14", "M", "C1b"))
    first = (
        await client.post("/api/subjects/merge", json={"survivor_id": a["id"], "merged_id": b["id"]}, headers=prov1)
    ).json()
    second = (
        await client.post("/api/subjects/merge", json={"survivor_id": s["S1"], "merged_id": a["id"]}, headers=prov1)
    ).json()
    assert await resolve(client, prov1, b["code"]) == [s["S1"]]  # an earlier merge leads to the last survivor
    assert (await client.post(f"/api/merges/{first['id']}/undo", headers=prov1)).status_code == 409
    assert (await client.post(f"/api/merges/{second['id']}/undo", headers=prov1)).status_code == 200
    assert (await client.post(f"/api/merges/{first['id']}/undo", headers=prov1)).status_code == 200
    assert await resolve(client, prov1, b["code"]) == [b["id"]]


@pytest.mark.parametrize(
    ("user", "expected"),
    [("admin", 200), ("prov1", 200), ("com1", 200), ("prov2", 404), ("vac1", 403), ("clerk1", 403), ("parent1", 403)],
)
async def test_who_may_undo_a_merge(client: Any, world: Any, token_for: Any, user: str, expected: int) -> None:
    s = world.subjects
    done = await client.post(
        "/api/subjects/merge", json={"survivor_id": s["S1"], "merged_id": s["W1"]}, headers=await token_for("com1")
    )
    merge_id = done.json()["id"]
    response = await client.post(f"/api/merges/{merge_id}/undo", headers=await token_for(user))
    assert response.status_code == expected, response.text
    assert (await client.post(f"/api/merges/{merge_id}/undo")).status_code == 401


def test_every_reference_to_a_subject_is_moved_or_kept_for_a_stated_reason() -> None:
    """What a merge moves is the schema's foreign keys to ``subject``: listing a column
    as kept or deduplicated that is not such a key (a rename, a dropped table) fails."""
    from api.registry.duplicates import merge

    references = {(table._meta.tablename, column) for table, column in merge.subject_references()}
    moved = {(m.table._meta.tablename, m.column) for m in merge.movable()}
    assert moved | set(merge.KEPT) == references
    assert not moved & set(merge.KEPT)
    assert set(merge.DEDUPLICATED) <= moved
    assert ("pregnancy", "subject") in moved and ("subject", "merged_into") in moved


async def test_a_new_table_pointing_at_subjects_follows_a_merge_and_its_undo(
    client: Any, world: Any, token_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table added later (doses, appointments) needs no change to the merge code."""
    from piccolo.columns import ForeignKey, OnDelete, Serial, Varchar
    from piccolo.table import Table

    from api.registry.duplicates import merge

    class FutureRecord(Table, tablename="future_record"):
        id = Serial(primary_key=True)
        subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict)
        note = Varchar(length=40)

    FutureRecord._meta.db = Subject._meta.db
    monkeypatch.setattr(merge, "ALL_TABLES", (*merge.ALL_TABLES, FutureRecord))
    await FutureRecord.create_table(if_not_exists=True)
    try:
        prov1 = await token_for("prov1")
        dup = await woman_twice(client, world, prov1)
        await FutureRecord.insert(FutureRecord(subject=dup["id"], note="given elsewhere"))
        response = await client.post(
            "/api/subjects/merge", json={"survivor_id": world.subjects["W1"], "merged_id": dup["id"]}, headers=prov1
        )
        assert response.status_code == 201, response.text
        assert [r["subject"] for r in await FutureRecord.select(FutureRecord.subject)] == [world.subjects["W1"]]
        undone = await client.post(f"/api/merges/{response.json()['id']}/undo", headers=prov1)
        assert undone.status_code == 200, undone.text
        assert [r["subject"] for r in await FutureRecord.select(FutureRecord.subject)] == [dup["id"]]
    finally:
        await FutureRecord.alter().drop_table(if_exists=True)


async def correct(client: Any, headers: dict[str, str], subject_id: int, **fields: Any) -> dict[str, Any]:
    current = (await client.get(f"/api/subjects/{subject_id}", headers=headers)).json()
    response = await client.patch(
        f"/api/subjects/{subject_id}", json={"version": current["version"], **fields}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_survivor_keeps_what_it_has_and_fills_only_what_it_lacks(
    client: Any, world: Any, token_for: Any
) -> None:
    """W1 already has an ethnicity and a birth time; the other record has others, and a
    personal ID number that W1 lacks."""
    com1 = await token_for("com1")
    w1 = world.subjects["W1"]
    await correct(client, com1, w1, ethnicity="Tày", birth_time="06:30:00")
    dup = await woman_twice(client, world, com1)  # ethnicity Kinh, personal ID 001198000456
    await correct(client, com1, dup["id"], birth_time="23:10:00", address_detail="Số 5 ngõ 12")
    response = await client.post("/api/subjects/merge", json={"survivor_id": w1, "merged_id": dup["id"]}, headers=com1)
    assert response.status_code == 201, response.text
    assert response.json()["moved"]["filled"] == {"personal_id": "001198000456"}
    survivor = (await client.get(f"/api/subjects/{w1}", headers=com1)).json()
    assert (survivor["full_name"], survivor["ethnicity"], survivor["birth_time"], survivor["address_detail"]) == (
        "Trần Thị Bích",
        "Tày",
        "06:30:00",
        "",  # not one of the fields a merge fills
    )
    assert survivor["personal_id"] == "001198000456"
    merged = await Subject.select().where(Subject.id == dup["id"]).first()
    assert (merged["full_name"], merged["ethnicity"], merged["personal_id"]) == ("Tran Thi Bich", "Kinh", None)

    undone = await client.post(f"/api/merges/{response.json()['id']}/undo", headers=com1)
    assert undone.status_code == 200, undone.text
    survivor = (await client.get(f"/api/subjects/{w1}", headers=com1)).json()
    assert (survivor["ethnicity"], survivor["birth_time"], survivor["personal_id"]) == ("Tày", "06:30:00", None)
    merged = await Subject.select().where(Subject.id == dup["id"]).first()
    assert (merged["status"], merged["merged_into"], merged["personal_id"]) == ("active", None, "001198000456")


async def test_undo_keeps_a_correction_made_after_the_merge(client: Any, world: Any, token_for: Any) -> None:
    """The merge fills W1's ethnicity (Kinh) and personal ID; then someone corrects the
    ethnicity to Tày. Undo empties what the merge filled and nobody changed since (the
    personal ID, which goes back to its record), and keeps the correction."""
    com1 = await token_for("com1")
    w1 = world.subjects["W1"]
    dup = await woman_twice(client, world, com1)
    await correct(client, com1, dup["id"], birth_time="23:10:00")
    merge = (
        await client.post("/api/subjects/merge", json={"survivor_id": w1, "merged_id": dup["id"]}, headers=com1)
    ).json()
    assert merge["moved"]["filled"] == {"personal_id": "001198000456", "ethnicity": "Kinh", "birth_time": "23:10:00"}
    await correct(client, com1, w1, ethnicity="Tày", birth_time="06:30:00")

    undone = await client.post(f"/api/merges/{merge['id']}/undo", headers=com1)
    assert undone.status_code == 200, undone.text
    survivor = (await client.get(f"/api/subjects/{w1}", headers=com1)).json()
    assert (survivor["ethnicity"], survivor["birth_time"], survivor["personal_id"]) == ("Tày", "06:30:00", None)
    audit = (
        await client.get("/api/audit", params={"action": "subject.merge_undo", "entity_id": str(w1)}, headers=com1)
    ).json()
    assert [(e["before"]["personal_id"], e["after"]["personal_id"]) for e in audit] == [("001198000456", None)]
    assert "ethnicity" not in audit[0]["after"]
    merged = (await client.get(f"/api/subjects/{dup['id']}", headers=com1)).json()
    assert (merged["id"], merged["personal_id"], merged["ethnicity"]) == (dup["id"], "001198000456", "Kinh")

"""Where the audit rows of a move are filed: the move itself under the commune the
subject moves to, and a "moved out" row under the one it leaves, so each side's
officers read their part in their own audit log and nobody else's."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from api.context import Actor
from api.registry.subjects import services as subjects
from db.tables import AuditEvent, SubjectMove


def _after(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def test_a_moves_audit_rows_are_filed_under_the_new_and_the_old_commune(
    client: Any, world: Any, token_for: Any
) -> None:
    s2 = world.subjects["S2"]  # lives in Bến Thành (C2, province P2), managed by F2
    await subjects.move(
        Actor(account_id=world.users["admin"], username="admin", request_id="move-1"),
        s2,
        subjects.MoveTo(world.places["C1"], world.facilities["F1c"], date(2026, 1, 10), "The family moved for work"),
    )
    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.place, AuditEvent.after).where(
        (AuditEvent.entity == "subject") & (AuditEvent.entity_id == str(s2)) & AuditEvent.action.like("subject.move%")
    )
    assert sorted((r["action"], r["place"]) for r in rows) == [
        ("subject.move", world.places["C1"]),
        ("subject.moved_out", world.places["C2"]),
    ]
    moved_out = _after(next(r["after"] for r in rows if r["action"] == "subject.moved_out"))
    assert moved_out == {
        "to_place": world.places["C1"],
        "to_facility": world.facilities["F1c"],
        "moved_on": "2026-01-10",
        "reason": "The family moved for work",
    }
    move = _after(next(r["after"] for r in rows if r["action"] == "subject.move"))
    assert (move["place"], move["facility"], move["managing_place"], move["reason"]) == (
        world.places["C1"],
        world.facilities["F1c"],
        world.places["C1"],
        "The family moved for work",
    )

    async def read(user: str) -> set[str]:
        response = await client.get(
            "/api/audit", params={"entity": "subject", "entity_id": str(s2)}, headers=await token_for(user)
        )
        assert response.status_code == 200, response.text
        return {e["action"] for e in response.json()} & {"subject.move", "subject.moved_out"}

    assert await read("com1") == {"subject.move"}
    assert await read("prov1") == {"subject.move"}
    assert await read("prov2") == {"subject.moved_out"}
    assert await read("com1b") == set()
    assert await read("admin") == {"subject.move", "subject.moved_out"}


async def test_a_direct_move_says_why_in_the_history_and_the_audit(client: Any, world: Any, token_for: Any) -> None:
    s2 = world.subjects["S2"]  # managed by F2, where vac2 works
    vac2 = await token_for("vac2")
    body = {"place_id": world.places["C1"], "facility_id": world.facilities["F1"], "moved_on": "2026-01-10"}
    for missing in ({}, {"reason": "  "}):
        refused = await client.post(f"/api/subjects/{s2}/move", json={**body, **missing}, headers=vac2)
        assert refused.status_code in (400, 422), refused.text
        assert "reason" in str(refused.json()["error"]["details"])
    assert await SubjectMove.count().where(SubjectMove.subject == s2) == 0

    moved = await client.post(
        f"/api/subjects/{s2}/move", json={**body, "reason": " Cả nhà chuyển ra Hà Nội làm việc "}, headers=vac2
    )
    assert moved.status_code == 200, moved.text
    history = (await client.get(f"/api/subjects/{s2}/moves", headers=await token_for("com1"))).json()
    assert [m["reason"] for m in history] == ["Cả nhà chuyển ra Hà Nội làm việc"]
    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.after).where(
        (AuditEvent.entity_id == str(s2)) & AuditEvent.action.like("subject.move%")
    )
    assert {r["action"]: _after(r["after"])["reason"] for r in rows} == {
        "subject.move": "Cả nhà chuyển ra Hà Nội làm việc",
        "subject.moved_out": "Cả nhà chuyển ra Hà Nội làm việc",
    }

"""After the outbox lost its subject column, a merge made before can still be undone:
the migration drops the outbox from what past merges say they moved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.context import Actor
from api.registry.duplicates import merge
from db.migrations import niis_0011_outbox_reference as migration
from db.tables import Subject, SubjectMerge
from tests.conftest import Database


async def test_a_merge_made_when_outbox_rows_moved_can_be_undone(database: Database, world: Any) -> None:
    survivor, merged = world.subjects["S1"], world.subjects["S1b"]
    await Subject.update({Subject.status: "merged", Subject.merged_into: survivor}).where(Subject.id == merged)
    moved = {
        "rows": [{"table": "outbox", "column": "subject", "ids": [1]}],
        "candidates": [],
        "filled": {},
        "merged_before": {"status": "active", "personal_id": None},
    }
    created = await SubjectMerge.insert(
        SubjectMerge(survivor=survivor, merged=merged, moved=moved, merged_at=datetime.now(UTC))
    ).returning(SubjectMerge.id)
    merge_id = int(created[0]["id"])

    past_merges = migration.SQLITE_PAST_MERGES if database.kind == "sqlite" else migration.POSTGRES_PAST_MERGES
    await database.engine.run_ddl(past_merges)

    undone = await merge.undo(Actor.system("test"), merge_id)
    assert undone["moved"]["rows"] == [] and undone["undone_at"] is not None
    restored = await Subject.select(Subject.status, Subject.merged_into).where(Subject.id == merged).first()
    assert restored == {"status": "active", "merged_into": None}

"""Merging two records of one person into one, and undoing a merge.

The survivor keeps its own fields and fills its empty ones from the merged record; the
rows that hang off the merged record move to the survivor; the merged record keeps its
code (which then leads to the survivor) with status ``merged``. ``subject_merge.moved``
records exactly what changed, so that undo puts back the same rows and nothing else:

    {"rows": [{"table": "pregnancy", "column": "subject", "ids": [7, 9]}, ...],
     "candidates": [{"id": 3, "status": "open", "decided_at": null}],
     "filled": {"ethnicity": "Kinh"},
     "merged_before": {"status": "active", "personal_id": null}}

What moves is derived from the schema: every foreign key to ``subject`` moves, unless
``KEPT`` says why not; ``DEDUPLICATED`` names the columns that keep a linked row once. A
table that later refers to subjects (doses, appointments) therefore follows merges from
the day it is added; merges made before it keep working, since undo reads the table names
from each merge's own record.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from piccolo.table import Table

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.registry.changes import subject_changed
from db.tables import (
    ALL_TABLES,
    DuplicateCandidate,
    Subject,
    SubjectMerge,
)
from db.unit_of_work import locked, unit_of_work

Visible = Callable[[dict[str, Any]], Awaitable[bool]]


@dataclass(frozen=True)
class Movable:
    """Rows of ``table`` whose ``column`` points at a subject move to the survivor,
    except those repeating one of the survivor's own (same value in ``unless_same``:
    a guardian or a parent account linked to both records stays linked once)."""

    table: type[Table]
    column: str = "subject"
    unless_same: str | None = None


# Foreign keys to ``subject`` that a merge leaves where they are, and why.
KEPT: dict[tuple[str, str], str] = {
    ("subject_merge", "survivor"): "the merge's own record",
    ("subject_merge", "merged"): "the merge's own record",
    ("duplicate_candidate", "subject_a"): "pairs are settled by the merge itself (_move_candidates)",
    ("duplicate_candidate", "subject_b"): "pairs are settled by the merge itself (_move_candidates)",
    ("name_trigram", "subject"): "the merged record keeps its own name in the index, so the old name finds it",
    ("subject_forecast", "subject"): "recomputed, never moved (docs/records.md)",
}
# Rows that repeat one of the survivor's own stay behind (one link per guardian, per account).
DEDUPLICATED: dict[tuple[str, str], str] = {
    ("subject_guardian", "subject"): "guardian",
    ("parent_link", "subject"): "account",
    ("session_attendance", "subject"): "session",
}


def subject_references() -> list[tuple[type[Table], str]]:
    """Every (table, column) whose foreign key points at ``subject``, in schema order."""
    return [
        (table, column._meta.name)
        for table in ALL_TABLES
        for column in table._meta.foreign_key_columns
        if column._foreign_key_meta.resolved_references is Subject
    ]


def movable() -> tuple[Movable, ...]:
    """What a merge moves: the references to ``subject`` that ``KEPT`` does not keep."""
    return tuple(
        Movable(table, column, DEDUPLICATED.get((table._meta.tablename, column)))
        for table, column in subject_references()
        if (table._meta.tablename, column) not in KEPT
    )


# Empty fields of the survivor that the merged record fills.
FILLABLE = ("personal_id", "ethnicity", "birth_time")


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def _move_rows(spec: Movable, survivor_id: int, merged_id: int) -> dict[str, Any] | None:
    table = spec.table
    column = getattr(table, spec.column)
    primary_key = table._meta.primary_key
    rows = await table.select(primary_key, *([getattr(table, spec.unless_same)] if spec.unless_same else [])).where(
        column == merged_id
    )
    if spec.unless_same:
        own = {
            r[spec.unless_same]
            for r in await table.select(getattr(table, spec.unless_same)).where(column == survivor_id)
        }
        rows = [r for r in rows if r[spec.unless_same] not in own]
    ids = sorted(int(r[primary_key._meta.name]) for r in rows)
    if not ids:
        return None
    await table.update({column: survivor_id}).where(primary_key.is_in(ids))
    return {"table": table._meta.tablename, "column": spec.column, "ids": ids}


async def _move_candidates(survivor_id: int, merged_id: int, now: datetime) -> list[dict[str, Any]]:
    """The pair itself is marked merged; the merged record's other open pairs move to
    the survivor, or are marked merged too when the survivor already has a pair with the
    same subject (so no open pair is left on a merged record)."""
    rows = await DuplicateCandidate.select().where(
        (DuplicateCandidate.subject_a == merged_id) | (DuplicateCandidate.subject_b == merged_id)
    )
    survivor_pairs = await DuplicateCandidate.select(DuplicateCandidate.subject_a, DuplicateCandidate.subject_b).where(
        (DuplicateCandidate.subject_a == survivor_id) | (DuplicateCandidate.subject_b == survivor_id)
    )
    paired_with_survivor = {r["subject_a"] for r in survivor_pairs} | {r["subject_b"] for r in survivor_pairs}
    changed = []
    for row in rows:
        column = "subject_a" if row["subject_a"] == merged_id else "subject_b"
        other = row["subject_b"] if column == "subject_a" else row["subject_a"]
        before = {"id": row["id"], "status": row["status"], "decided_at": _iso(row["decided_at"])}
        # The pair itself, or one the survivor already has with the same subject.
        if other == survivor_id or (row["status"] == "open" and other in paired_with_survivor):
            await DuplicateCandidate.update(
                {DuplicateCandidate.status: "merged", DuplicateCandidate.decided_at: now}
            ).where(DuplicateCandidate.id == row["id"])
            changed.append(before)
        elif row["status"] == "open":
            await DuplicateCandidate.update({getattr(DuplicateCandidate, column): survivor_id}).where(
                DuplicateCandidate.id == row["id"]
            )
            paired_with_survivor.add(other)
            changed.append({"id": row["id"], "column": column})
    return changed


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, time) else value


async def _update_subject(
    actor: Actor, row: dict[str, Any], changes: dict[str, Any], *, action: str, note: dict[str, Any]
) -> None:
    """Apply ``changes`` to a subject and write its one audit row (before/after, plus ``note``)."""
    changes = {**changes, "version": row["version"] + 1, "updated_at": clock.current().now()}
    await Subject.update({getattr(Subject, k): v for k, v in changes.items()}).where(Subject.id == row["id"])
    await audit.record(
        actor,
        action,
        "subject",
        row["id"],
        place_id=row["place"],
        before={k: row[k] for k in changes},
        after={**changes, **note},
    )


async def _subjects(survivor_id: int, merged_id: int, visible: Visible | None, missing: str) -> tuple[dict, dict]:
    """Both subjects' rows, as they are (not following merges); 404 unless the caller sees both."""
    query = Subject.select().where(Subject.id.is_in([survivor_id, merged_id])).order_by(Subject.id)
    rows = {r["id"]: r for r in await locked(query)}
    for subject_id in (survivor_id, merged_id):
        row = rows.get(subject_id)
        if row is None or (visible is not None and not await visible(row)):
            raise NotFound(missing.format(subject_id))
    return rows[survivor_id], rows[merged_id]


async def merge(actor: Actor, survivor_id: int, merged_id: int, *, visible: Visible | None = None) -> dict[str, Any]:
    """Merge ``merged_id`` into ``survivor_id``. ``visible`` says whether the caller may
    see a subject's row: both must be visible (404 otherwise, nothing changed)."""
    if survivor_id == merged_id:
        raise Invalid("A subject cannot be merged into itself", field="merged_id")
    async with unit_of_work():
        survivor, merged = await _subjects(survivor_id, merged_id, visible, "Subject {} not found")
        for row, name in ((merged, "merged_id"), (survivor, "survivor_id")):
            if row["status"] == "merged":
                raise Conflict(
                    f"Subject {row['id']} was already merged into subject {row['merged_into']}",
                    details={"field": name, "merged_into": row["merged_into"]},
                )
        if survivor["personal_id"] and merged["personal_id"]:
            raise Conflict(
                "The two records have different personal ID numbers, so they are two people: "
                "correct the wrong number first",
                details={"field": "personal_id"},
            )
        now = clock.current().now()
        moved_rows = [entry for spec in movable() if (entry := await _move_rows(spec, survivor_id, merged_id))]
        candidates = await _move_candidates(survivor_id, merged_id, now)
        filled = {f: merged[f] for f in FILLABLE if survivor[f] is None and merged[f] is not None}
        moved = {
            "rows": moved_rows,
            "candidates": candidates,
            "filled": {k: _json_value(v) for k, v in filled.items()},
            "merged_before": {"status": merged["status"], "personal_id": merged["personal_id"]},
        }
        created = await SubjectMerge.insert(
            SubjectMerge(survivor=survivor_id, merged=merged_id, moved=moved, merged_at=now, merged_by=actor.account_id)
        ).returning(SubjectMerge.id)
        merge_id = int(created[0]["id"])
        summary = {"merge_id": merge_id, "moved": {e["table"]: len(e["ids"]) for e in moved_rows}}
        merged_changes: dict[str, Any] = {"status": "merged", "merged_into": survivor_id}
        if "personal_id" in filled:
            merged_changes["personal_id"] = None  # unique: it passes to the survivor
        await _update_subject(
            actor, merged, merged_changes, action="subject.merged", note={**summary, "survivor": survivor_id}
        )
        await _update_subject(actor, survivor, filled, action="subject.merge", note={**summary, "merged": merged_id})
        # The survivor now has both records' doses; the merged record is no one's forecast.
        await subject_changed(survivor_id, merged_id)
    return await get(merge_id)


async def undo(actor: Actor, merge_id: int, *, visible: Visible | None = None) -> dict[str, Any]:
    """Put back exactly what a merge moved; 409 if it was undone already, or if the
    survivor has since been merged itself (undo that merge first)."""
    async with unit_of_work():
        found = await locked(SubjectMerge.select().where(SubjectMerge.id == merge_id))
        if not found:
            raise NotFound(f"Merge {merge_id} not found")
        row = found[0]
        survivor, merged = await _subjects(row["survivor"], row["merged"], visible, f"Merge {merge_id} not found")
        if row["undone_at"] is not None:
            raise Conflict("This merge was already undone", details={"undone_at": row["undone_at"]})
        if survivor["status"] == "merged":
            raise Conflict(
                f"Subject {survivor['id']} has since been merged into subject {survivor['merged_into']}: "
                "undo that merge first",
                details={"merged_into": survivor["merged_into"]},
            )
        moved = _loaded(row["moved"])
        for entry in moved.get("rows", []):
            table = next(t for t in ALL_TABLES if t._meta.tablename == entry["table"])
            column = getattr(table, entry["column"])
            await table.update({column: merged["id"]}).where(
                table._meta.primary_key.is_in(entry["ids"] or [-1]) & (column == survivor["id"])
            )
        await _restore_candidates(moved.get("candidates", []), survivor["id"], merged["id"])
        # Filled-in fields go back to empty unless corrected since the merge.
        emptied = {f: None for f, value in moved.get("filled", {}).items() if _json_value(survivor[f]) == value}
        now = clock.current().now()
        await SubjectMerge.update({SubjectMerge.undone_at: now}).where(SubjectMerge.id == merge_id)
        note = {"merge_id": merge_id}
        await _update_subject(
            actor, survivor, emptied, action="subject.merge_undo", note={**note, "merged": merged["id"]}
        )
        before = moved.get("merged_before", {})
        restored: dict[str, Any] = {"status": before.get("status", "active"), "merged_into": None}
        personal_id = before.get("personal_id")
        if (
            personal_id
            and merged["personal_id"] is None
            and not await Subject.exists().where(Subject.personal_id == personal_id)
        ):
            restored["personal_id"] = personal_id
        await _update_subject(
            actor, merged, restored, action="subject.unmerged", note={**note, "survivor": survivor["id"]}
        )
        await subject_changed(survivor["id"], merged["id"])
    return await get(merge_id)


async def _restore_candidates(entries: list[dict[str, Any]], survivor_id: int, merged_id: int) -> None:
    for entry in entries:
        if "column" in entry:
            column = getattr(DuplicateCandidate, entry["column"])
            await DuplicateCandidate.update({column: merged_id}).where(
                (DuplicateCandidate.id == entry["id"]) & (column == survivor_id)
            )
        else:
            decided = entry["decided_at"]
            await DuplicateCandidate.update(
                {
                    DuplicateCandidate.status: entry["status"],
                    DuplicateCandidate.decided_at: datetime.fromisoformat(decided) if decided else None,
                }
            ).where(DuplicateCandidate.id == entry["id"])


_MERGE_COLUMNS = (
    *SubjectMerge.all_columns(),
    SubjectMerge.survivor.code.as_alias("survivor_code"),
    SubjectMerge.survivor.full_name.as_alias("survivor_name"),
    SubjectMerge.merged.code.as_alias("merged_code"),
    SubjectMerge.merged.full_name.as_alias("merged_name"),
    SubjectMerge.merged_by.username.as_alias("merged_by_name"),
)


def _shaped(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "moved": _loaded(row["moved"])}


async def get(merge_id: int) -> dict[str, Any]:
    row = await SubjectMerge.select(*_MERGE_COLUMNS).where(SubjectMerge.id == merge_id).first()
    if row is None:
        raise NotFound(f"Merge {merge_id} not found")
    return _shaped(row)


async def merges_of(subject_id: int) -> list[dict[str, Any]]:
    """Merges a subject took part in (as survivor or as merged record), newest first."""
    rows = (
        await SubjectMerge.select(*_MERGE_COLUMNS)
        .where((SubjectMerge.survivor == subject_id) | (SubjectMerge.merged == subject_id))
        .order_by(SubjectMerge.id, ascending=False)
    )
    return [_shaped(r) for r in rows]

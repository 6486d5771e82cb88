"""Revoking a dated change of the hierarchy before it takes effect.

A change still to come (effective after today) can be taken back: its version rows are
deleted, the versions it closed or amended get their earlier values back (``valid_to``,
``successor``, name, parent), and a unit it created is removed. Once in force it stays:
records may already have been made under it, so the way on is a new dated change.
Changes build on one another, so a change is revoked only after any later change that
rewrote the same version rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, NotFound
from api.places.changes import ChangeRecord
from api.places.services import changing_hierarchy
from db.tables import ALL_TABLES, Place, PlaceChange, PlaceVersion


async def _rows(*conditions: Any) -> list[dict[str, Any]]:
    query = PlaceChange.select().output(load_json=True).order_by(PlaceChange.id)
    for condition in conditions:
        query = query.where(condition)
    rows: list[dict[str, Any]] = await query
    return rows


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "effective_date": row["effective_date"],
        "summary": row["summary"],
        "place_ids": row["record"]["places"],
        "made_at": row["made_at"],
        "made_by": row["made_by"],
        "revoked_at": row["revoked_at"],
    }


async def pending(place_id: int, day: date | None = None) -> list[dict[str, Any]]:
    """Changes touching ``place_id`` that are not yet in force, oldest first."""
    rows = await _rows(PlaceChange.revoked_at.is_null(), PlaceChange.effective_date > (day or clock.current().today()))
    return [_shown(row) for row in rows if place_id in row["record"]["places"]]


async def record_of(place_id: int, change_id: int) -> ChangeRecord:
    """The record of a change touching ``place_id`` (404 otherwise, like any other row)."""
    rows = await _rows(PlaceChange.id == change_id)
    if not rows or place_id not in rows[0]["record"]["places"]:
        raise NotFound(f"Change {change_id} of place {place_id} not found")
    row = rows[0]
    return ChangeRecord.from_json(row["kind"], row["effective_date"], row["record"])


async def _refuse_if_built_upon(change_id: int, record: ChangeRecord) -> None:
    touched = record.touched_versions()
    for later in await _rows(PlaceChange.id > change_id, PlaceChange.revoked_at.is_null()):
        if touched & ChangeRecord.from_json(later["kind"], later["effective_date"], later["record"]).touched_versions():
            raise Conflict(
                f"Change {later['id']} ({later['summary']}, effective {later['effective_date']}) builds on this one:"
                " revoke it first",
                details={"blocking_change_id": later["id"]},
            )


async def _delete_created_place(place_id: int) -> None:
    """Remove a unit whose creation is revoked, unless something already refers to it."""
    for table in ALL_TABLES:
        for column in table._meta.foreign_key_columns:
            if column._foreign_key_meta.resolved_references is not Place:
                continue
            if await table.exists().where(column == place_id):
                raise Conflict(
                    f"Place {place_id} is already referred to by {table._meta.tablename.replace('_', ' ')} rows:"
                    " revoke the changes made to it first, or reassign what refers to it"
                )
    await Place.delete().where(Place.id == place_id)


async def revoke(actor: Actor, place_id: int, change_id: int) -> dict[str, Any]:
    """Take back a change not yet in force (the caller has authorized it for ``place_id``)."""
    async with changing_hierarchy():
        # Claimed in the same statement that checks it, so a change is revoked only once.
        claimed = (
            await PlaceChange.update({PlaceChange.revoked_at: clock.current().now()})
            .where((PlaceChange.id == change_id) & PlaceChange.revoked_at.is_null())
            .returning(PlaceChange.id)
        )
        rows = await _rows(PlaceChange.id == change_id)
        if not rows or place_id not in rows[0]["record"]["places"]:
            raise NotFound(f"Change {change_id} of place {place_id} not found")
        row = rows[0]
        if not claimed:
            raise Conflict(f"Change {change_id} ({row['summary']}) was already revoked")
        if row["effective_date"] <= clock.current().today():
            raise Conflict(
                f"Change {change_id} ({row['summary']}) took effect on {row['effective_date']} and can no longer"
                " be revoked: make a new dated change instead",
                details={"effective_date": row["effective_date"]},
            )
        record = ChangeRecord.from_json(row["kind"], row["effective_date"], row["record"])
        await _refuse_if_built_upon(change_id, record)
        for amended in reversed(record.amended):
            earlier: dict[Any, Any] = {
                PlaceVersion.name: amended["name"],
                PlaceVersion.parent: amended["parent_id"],
                PlaceVersion.change: amended["change"],
            }
            if "valid_from" in amended:  # an earlier history recorded made the version begin earlier
                earlier[PlaceVersion.valid_from] = date.fromisoformat(amended["valid_from"])
            await PlaceVersion.update(earlier).where(PlaceVersion.id == amended["id"])
        for closed in reversed(record.closed):
            ended = date.fromisoformat(closed["valid_to"]) if closed["valid_to"] else None
            await PlaceVersion.update(
                {PlaceVersion.valid_to: ended, PlaceVersion.successor: closed["successor_id"]}
            ).where(PlaceVersion.id == closed["id"])
        if record.inserted:
            await PlaceVersion.delete().where(PlaceVersion.id.is_in(record.inserted))
        if record.created_place is not None:
            await _delete_created_place(record.created_place)
        filed_under = next(iter(record.below or record.within), None)
        await audit.record(
            actor,
            "place.revoke",
            "place_change",
            change_id,
            place_id=filed_under,
            before=_shown(row) | {"record": row["record"]},
            after={"revoked": True},
        )
        revoked = await _rows(PlaceChange.id == change_id)
    return _shown(revoked[0])

"""The administrative hierarchy: create, rename, move, merge, abolish, each with an
effective date, keeping every earlier version so "as of" questions stay answerable.

Effective dates lie in a window (``api/places/changes.py``); each change leaves a
``ChangeRecord`` of the rows it wrote, so one not yet in force can be revoked
(``api/places/revocation.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import date
from typing import Any

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.places.changes import ChangeRecord, check_effective_date
from api.places.tree import PlaceTree, VersionRow
from db.engine import bump_generation, generation
from db.tables import Place, PlaceVersion
from db.unit_of_work import on_commit, unit_of_work

GENERATION = "places"

_tree_cache: tuple[int, PlaceTree] | None = None
_tree_lock = asyncio.Lock()


async def load_tree() -> PlaceTree:
    """The whole hierarchy with its history, rebuilt only after a change."""
    global _tree_cache
    latest = await generation(GENERATION)
    if _tree_cache is not None and _tree_cache[0] == latest:
        return _tree_cache[1]
    async with _tree_lock:
        rows = await PlaceVersion.select(
            PlaceVersion.id,
            PlaceVersion.place.id.as_alias("place_id"),
            PlaceVersion.place.code.as_alias("code"),
            PlaceVersion.place.level.as_alias("level"),
            PlaceVersion.name,
            PlaceVersion.parent.id.as_alias("parent_id"),
            PlaceVersion.valid_from,
            PlaceVersion.valid_to,
            PlaceVersion.change,
            PlaceVersion.successor.id.as_alias("successor_id"),
        )
        tree = PlaceTree(VersionRow(**row) for row in rows)
        # Inside a transaction the rows may yet be rolled back: do not keep them.
        if Place._meta.db.current_transaction.get() is None:
            _tree_cache = (latest, tree)
        return tree


@asynccontextmanager
async def changing_hierarchy() -> AsyncIterator[PlaceTree]:
    """One transaction for one change of the hierarchy, on the tree as the last change left it.

    Bumping the counter first takes its row lock on PostgreSQL, so changes (and their
    revocations) run one after another instead of each acting on a tree read before the
    other committed; SQLite's ``BEGIN IMMEDIATE`` already does the same."""
    async with unit_of_work():
        await _tree_changed()
        yield await load_tree()


async def _tree_changed() -> None:
    """Other processes notice the new generation; this one also drops its copy as soon
    as the change commits (and keeps it if the change is rolled back)."""
    await bump_generation(GENERATION)
    on_commit(forget_tree)


def forget_tree() -> None:
    """Drop the cached tree (tests that recreate the database call this)."""
    global _tree_cache
    _tree_cache = None


def describe(tree: PlaceTree, place_id: int, day: date) -> dict[str, Any]:
    row = tree.version(place_id, day) or tree.latest(place_id)
    if row is None:
        raise NotFound(f"Place {place_id} does not exist")
    return {
        "id": place_id,
        "code": row.code,
        "level": row.level,
        "name": row.name,
        "parent_id": row.parent_id,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "change": row.change,
        "successor_id": row.successor_id,
    }


def _open_version(tree: PlaceTree, place_id: int, effective: date) -> VersionRow:
    """The unit's current version, which a change on ``effective`` will close."""
    check_effective_date(effective, clock.current().today(), field="effective_date")
    last = tree.latest(place_id)
    if last is None:
        raise NotFound(f"Place {place_id} does not exist")
    if last.valid_to is not None:
        raise Conflict(f"{last.name} ({last.code}) ended on {last.valid_to}; it can no longer change")
    if effective < last.valid_from:
        if last.valid_from > clock.current().today():
            raise Invalid(
                f"{last.name} has a change still to come on {last.valid_from}, and changes of a unit follow one"
                f" another in time: date this one on or after it, or first revoke the scheduled change"
                f" (GET /api/places/{place_id}/changes)",
                field="effective_date",
            )
        raise Invalid(
            f"The effective date must be on or after {last.valid_from}, when {last.name}'s current version began",
            field="effective_date",
        )
    return last


def _require_parent(tree: PlaceTree, parent_id: int | None, day: date, *, field: str = "parent_id") -> None:
    if parent_id is None:
        return
    if tree.version(parent_id, day) is None:
        raise Invalid(f"Parent place {parent_id} does not exist on {day}", field=field)


async def _close(log: ChangeRecord, version: VersionRow, effective: date, *, successor_id: int | None = None) -> None:
    ended = version.valid_to.isoformat() if version.valid_to else None
    log.closed.append({"id": version.id, "valid_to": ended, "successor_id": version.successor_id})
    log.touch(version.place_id, successor_id)
    await PlaceVersion.update({PlaceVersion.valid_to: effective, PlaceVersion.successor: successor_id}).where(
        PlaceVersion.id == version.id
    )


async def _add_version(
    log: ChangeRecord,
    place_id: int,
    name: str,
    parent_id: int | None,
    valid_from: date,
    change: str,
    valid_to: date | None = None,
) -> None:
    row = await PlaceVersion.insert(
        PlaceVersion(
            place=place_id, name=name, parent=parent_id, valid_from=valid_from, valid_to=valid_to, change=change
        )
    ).returning(PlaceVersion.id)
    log.inserted.append(int(row[0]["id"]))
    log.touch(place_id, parent_id)


async def _change(
    log: ChangeRecord,
    version: VersionRow,
    effective: date,
    change: str,
    *,
    name: str | None = None,
    parent_id: int | None = None,
) -> None:
    """Give a unit a new name or parent from ``effective``. Changes on the day its current
    version began (a reform renames and re-parents the same day) amend that version."""
    name = version.name if name is None else name
    parent_id = version.parent_id if parent_id is None else parent_id
    if effective == version.valid_from:
        log.amended.append(
            {"id": version.id, "name": version.name, "parent_id": version.parent_id, "change": version.change}
        )
        log.touch(version.place_id, parent_id)
        label = change if version.change == change else f"{version.change}+{change}"[:24]
        await PlaceVersion.update(
            {PlaceVersion.name: name, PlaceVersion.parent: parent_id, PlaceVersion.change: label}
        ).where(PlaceVersion.id == version.id)
        return
    await _close(log, version, effective)
    await _add_version(log, version.place_id, name, parent_id, effective, change)


async def _reparent(
    log: ChangeRecord, tree: PlaceTree, old_parent: int, new_parent: int, effective: date, change: str
) -> list[int]:
    moved = []
    for child_id in tree.children(old_parent, effective):
        child = _open_version(tree, child_id, effective)
        await _change(log, child, effective, change, parent_id=new_parent)
        moved.append(child_id)
    return moved


async def create_place(
    actor: Actor, *, code: str, name: str, level: str, parent_id: int | None, valid_from: date
) -> dict[str, Any]:
    check_effective_date(valid_from, clock.current().today(), field="valid_from")
    async with changing_hierarchy() as tree:
        if await Place.exists().where(Place.code == code):
            raise Conflict(f"A place with code {code} already exists", details={"field": "code"})
        _require_parent(tree, parent_id, valid_from)
        if parent_id is None and tree.roots(valid_from):
            raise Invalid("Only the country has no parent: give parent_id", field="parent_id")
        place = (
            await Place.insert(Place(code=code, level=level, created_at=clock.current().now())).returning(Place.id)
        )[0]
        log = ChangeRecord("created", valid_from, below=[], within=[parent_id] if parent_id else [])
        log.created_place = place["id"]
        await _add_version(log, place["id"], name, parent_id, valid_from, "created")
        await log.save(actor, f"{name} ({code}) created")
        after = {"code": code, "name": name, "level": level, "parent_id": parent_id, "valid_from": valid_from}
        # Filed under the parent: the new unit is in no one's area until it exists, and
        # the row must not pin a unit whose creation may yet be revoked.
        await audit.record(actor, "place.create", "place", place["id"], place_id=parent_id, after=after)
    return {"id": place["id"], **after}


async def rename(actor: Actor, place_id: int, *, name: str, effective: date) -> None:
    async with changing_hierarchy() as tree:
        current = _open_version(tree, place_id, effective)
        log = ChangeRecord("renamed", effective, below=[place_id], within=[])
        await _change(log, current, effective, "renamed", name=name)
        await log.save(actor, f"{current.name} ({current.code}) renamed to {name}")
        await audit.record(
            actor,
            "place.rename",
            "place",
            place_id,
            place_id=place_id,
            before={"name": current.name},
            after={"name": name, "effective_date": effective},
        )


async def move(actor: Actor, place_id: int, *, parent_id: int, effective: date) -> None:
    async with changing_hierarchy() as tree:
        current = _open_version(tree, place_id, effective)
        _require_parent(tree, parent_id, effective)
        if parent_id in tree.subtree(place_id, effective):
            raise Invalid("A unit cannot be moved under itself or one of its own units", field="parent_id")
        if parent_id == current.parent_id:
            raise Invalid(f"{current.name} is already in that unit", field="parent_id")
        log = ChangeRecord("moved", effective, below=[place_id], within=[parent_id])
        await _change(log, current, effective, "moved", parent_id=parent_id)
        await log.save(actor, f"{current.name} ({current.code}) moved to {_name(tree, parent_id)}")
        await audit.record(
            actor,
            "place.move",
            "place",
            place_id,
            place_id=place_id,
            before={"parent_id": current.parent_id},
            after={"parent_id": parent_id, "effective_date": effective},
        )


def _name(tree: PlaceTree, place_id: int) -> str:
    row = tree.latest(place_id)
    return f"{row.name} ({row.code})" if row else str(place_id)


async def _end_unit(
    actor: Actor,
    log: ChangeRecord,
    tree: PlaceTree,
    current: VersionRow,
    heir: int,
    effective: date,
    action: str,
    field: str,
) -> None:
    """End a unit on ``effective``: its units and its records pass to ``heir``."""
    _require_parent(tree, heir, effective, field=field)
    if heir in tree.subtree(current.place_id, effective):
        raise Invalid(f"{current.name} cannot pass to one of its own units", field=field)
    moved = await _reparent(log, tree, current.place_id, heir, effective, "moved")
    await _close(log, current, effective, successor_id=heir)
    await audit.record(
        actor,
        action,
        "place",
        current.place_id,
        place_id=heir,
        before=asdict(current),
        after={"successor_id": heir, "effective_date": effective, "units_moved": moved},
    )


async def merge(actor: Actor, source_ids: list[int], *, into_id: int, effective: date) -> None:
    """Merge units into ``into_id`` (an existing unit): the sources end on ``effective``,
    their units pass to it, and their records belong to it from then on."""
    if into_id in source_ids:
        raise Invalid("The unit merged into cannot also be one of the merged units", field="into_id")
    if not source_ids:
        raise Invalid("Name at least one unit to merge", field="source_ids")
    async with changing_hierarchy() as tree:
        log = ChangeRecord("merged", effective, below=list(source_ids), within=[into_id])
        for source_id in source_ids:
            current = _open_version(tree, source_id, effective)
            await _end_unit(actor, log, tree, current, into_id, effective, "place.merge", "into_id")
        merged = ", ".join(_name(tree, source_id) for source_id in source_ids)
        await log.save(actor, f"{merged} merged into {_name(tree, into_id)}")


async def abolish(actor: Actor, place_id: int, *, effective: date, units_to: int | None = None) -> None:
    """End a unit (e.g. a district on 1 July 2025); its units pass to ``units_to``
    (default: its own parent), and so does responsibility for its records."""
    async with changing_hierarchy() as tree:
        current = _open_version(tree, place_id, effective)
        heir = units_to if units_to is not None else current.parent_id
        if heir is None:
            raise Invalid("The country cannot be abolished", field="place_id")
        log = ChangeRecord("abolished", effective, below=[place_id], within=[heir])
        await _end_unit(actor, log, tree, current, heir, effective, "place.abolish", "units_to")
        await log.save(actor, f"{_name(tree, place_id)} abolished, its units to {_name(tree, heir)}")


State = tuple[str, int | None]


def _label(before: State | None, after: State, otherwise: str) -> str:
    """Why a version with name and parent ``after`` began after one with ``before``
    (none: the unit began then)."""
    if before is None:
        return "created"
    changed = [label for label, i in (("renamed", 0), ("moved", 1)) if before[i] != after[i]]
    return "+".join(changed) or otherwise


async def record_earlier_version(
    actor: Actor, place_id: int, *, name: str, parent_id: int | None, valid_from: date, valid_to: date
) -> None:
    """Record that a unit had ``name`` and ``parent_id`` over ``[valid_from, valid_to)``,
    before the versions the map has of it: an earlier map is being loaded (a province
    seeded as valid from 1 July 2025 existed long before). The version beginning on
    ``valid_to``, when it has the same name and parent, begins earlier instead."""
    check_effective_date(valid_from, clock.current().today(), field="valid_from")
    async with changing_hierarchy() as tree:
        history = tree.history(place_id)
        if not history:
            raise NotFound(f"Place {place_id} does not exist")
        for version in history:
            if version.valid_from < valid_to and (version.valid_to is None or valid_from < version.valid_to):
                raise Conflict(
                    f"{version.name} ({version.code}) already has a version from {version.valid_from}:"
                    " earlier history goes before the versions the map has"
                )
        _require_parent(tree, parent_id, valid_from)
        if parent_id is not None and place_id in (parent_id, *tree.ancestors(parent_id, valid_from)):
            raise Invalid(f"{history[0].name} cannot lie inside one of its own units", field="parent_id")
        state = (name, parent_id)
        before = next(((v.name, v.parent_id) for v in history if v.valid_to == valid_from), None)
        after = next((v for v in history if v.valid_from == valid_to), None)
        joins = after is not None and (after.name, after.parent_id) == state
        log = ChangeRecord("extended", valid_from, below=[place_id], within=[parent_id] if parent_id else [])
        if not joins:
            await _add_version(log, place_id, name, parent_id, valid_from, _label(before, state, "created"), valid_to)
        if after is not None:
            # It begins earlier (same name and parent), or now follows the version just recorded.
            starts = valid_from if joins else after.valid_from
            change = _label(before if joins else state, (after.name, after.parent_id), after.change)
            log.amended.append(
                {
                    "id": after.id,
                    "name": after.name,
                    "parent_id": after.parent_id,
                    "change": after.change,
                    "valid_from": after.valid_from.isoformat(),
                }
            )
            log.touch(place_id, after.parent_id)
            await PlaceVersion.update({PlaceVersion.valid_from: starts, PlaceVersion.change: change}).where(
                PlaceVersion.id == after.id
            )
        code = history[0].code
        await log.save(actor, f"{name} ({code}) recorded from {valid_from} to {valid_to}")
        await audit.record(
            actor,
            "place.extend",
            "place",
            place_id,
            place_id=place_id,
            after={"name": name, "parent_id": parent_id, "valid_from": valid_from, "valid_to": valid_to},
        )


async def place_id_by_code(code: str) -> int | None:
    row = await Place.select(Place.id).where(Place.code == code).first()
    return row["id"] if row else None

"""The administrative hierarchy: create, rename, move, merge, abolish, each with an
effective date, keeping every earlier version so "as of" questions stay answerable.

Effective dates lie in a window (``api/places/changes.py``); each change leaves a
``ChangeRecord`` of the rows it wrote, so one not yet in force can be revoked
(``api/places/revocation.py``). The checks and rows of each change are those of
``api/places/editing.py``, which ``niis import-places`` runs a whole file through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from api.context import Actor
from api.errors import NotFound
from api.places.editing import HierarchyEdit
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


_editing: ContextVar[HierarchyEdit | None] = ContextVar("niis_hierarchy_edit", default=None)


@asynccontextmanager
async def changing_hierarchy() -> AsyncIterator[HierarchyEdit]:
    """One transaction for one edit of the hierarchy (a change, or a file of them), on
    the tree as the last change left it; the edit's rows are written when the block ends.

    Bumping the counter first takes its row lock on PostgreSQL, so changes (and their
    revocations) run one after another instead of each acting on a tree read before the
    other committed; SQLite's ``BEGIN IMMEDIATE`` already does the same (and keeps the
    ids the edit takes for its rows free until it writes them)."""
    if _editing.get() is not None:
        # The inner edit would read the tree without the outer one's unwritten rows.
        raise RuntimeError("a change of the hierarchy inside another: make it a step of the outer edit")
    async with unit_of_work():
        await _tree_changed()
        edit = HierarchyEdit(await load_tree())
        token = _editing.set(edit)
        try:
            yield edit
        finally:
            _editing.reset(token)
        await edit.flush()


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


async def create_place(
    actor: Actor, *, code: str, name: str, level: str, parent_id: int | None, valid_from: date
) -> dict[str, Any]:
    async with changing_hierarchy() as edit:
        return await edit.create_place(
            actor, code=code, name=name, level=level, parent_id=parent_id, valid_from=valid_from
        )


async def rename(actor: Actor, place_id: int, *, name: str, effective: date) -> None:
    async with changing_hierarchy() as edit:
        await edit.rename(actor, place_id, name=name, effective=effective)


async def move(actor: Actor, place_id: int, *, parent_id: int, effective: date) -> None:
    async with changing_hierarchy() as edit:
        await edit.move(actor, place_id, parent_id=parent_id, effective=effective)


async def merge(actor: Actor, source_ids: list[int], *, into_id: int, effective: date) -> None:
    """Merge units into ``into_id`` (an existing unit): the sources end on ``effective``,
    their units pass to it, and their records belong to it from then on."""
    async with changing_hierarchy() as edit:
        await edit.merge(actor, source_ids, into_id=into_id, effective=effective)


async def abolish(actor: Actor, place_id: int, *, effective: date, units_to: int | None = None) -> None:
    """End a unit (e.g. a district on 1 July 2025); its units pass to ``units_to``
    (default: its own parent), and so does responsibility for its records."""
    async with changing_hierarchy() as edit:
        await edit.abolish(actor, place_id, effective=effective, units_to=units_to)


async def record_earlier_version(
    actor: Actor, place_id: int, *, name: str, parent_id: int | None, valid_from: date, valid_to: date
) -> None:
    """Record that a unit had ``name`` and ``parent_id`` over ``[valid_from, valid_to)``,
    before the versions the map has of it (see ``HierarchyEdit.record_earlier_version``)."""
    async with changing_hierarchy() as edit:
        await edit.record_earlier_version(
            actor, place_id, name=name, parent_id=parent_id, valid_from=valid_from, valid_to=valid_to
        )


async def place_id_by_code(code: str) -> int | None:
    row = await Place.select(Place.id).where(Place.code == code).first()
    return row["id"] if row else None

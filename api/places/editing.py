"""One edit of the administrative hierarchy: a change made through the API, or a whole
file of them (``niis import-places``).

Each step (create, rename, move, merge, abolish, record earlier history) is checked
against the tree as the steps before it left it: the edit changes its copy of the tree
in place instead of reading the hierarchy again. The rows a step writes (versions, its
``place_change`` record, its audit row) are kept and written together when the edit
ends (``flush``, called by ``services.changing_hierarchy``): a national file is a few
multi-row statements, not tens of thousands of single ones. Row ids are taken before the
rows are written (``db.bulk.IdSource``), so each change record names the versions it
inserted, closed and amended, and a change not yet in force can be revoked as before.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.places.changes import ChangeRecord, check_effective_date
from api.places.tree import PlaceTree, VersionRow
from db.bulk import IdSource, insert_all, update_all
from db.tables import AuditEvent, Place, PlaceChange, PlaceVersion

# What a change may rewrite in a version it did not insert (name and type, for the bulk update).
REWRITTEN_COLUMNS = (
    ("name", "varchar"),
    ("parent", "integer"),
    ("valid_from", "date"),
    ("valid_to", "date"),
    ("change", "varchar"),
    ("successor", "integer"),
)

State = tuple[str, int | None]


def _label(before: State | None, after: State, otherwise: str) -> str:
    """Why a version with name and parent ``after`` began after one with ``before``
    (none: the unit began then)."""
    if before is None:
        return "created"
    changed = [label for label, i in (("renamed", 0), ("moved", 1)) if before[i] != after[i]]
    return "+".join(changed) or otherwise


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


def _name(tree: PlaceTree, place_id: int) -> str:
    row = tree.latest(place_id)
    return f"{row.name} ({row.code})" if row else str(place_id)


class HierarchyEdit:
    """The tree being changed and the rows the changes will write."""

    def __init__(self, tree: PlaceTree) -> None:
        self.tree = tree
        self._codes: dict[str, int] | None = None
        self._place_ids = IdSource(Place)
        self._version_ids = IdSource(PlaceVersion)
        self._places: list[dict[str, Any]] = []
        self._inserted: dict[int, VersionRow] = {}
        self._rewritten: dict[int, VersionRow] = {}
        self._changes: list[dict[str, Any]] = []
        self._audit: list[dict[str, Any]] = []

    def _code_taken(self, code: str) -> bool:
        if self._codes is None:
            self._codes = {self.tree.history(pid)[0].code: pid for pid in self.tree.place_ids()}
        return code in self._codes

    # The rows, as the steps note them.

    async def _add_version(
        self,
        log: ChangeRecord,
        place_id: int,
        name: str,
        parent_id: int | None,
        valid_from: date,
        change: str,
        valid_to: date | None = None,
        *,
        code: str,
        level: str,
    ) -> None:
        row = VersionRow(
            await self._version_ids.take(), place_id, code, level, name, parent_id, valid_from, valid_to, change, None
        )
        self._inserted[row.id] = row
        self.tree.add(row)
        log.inserted.append(row.id)
        log.touch(place_id, parent_id)

    def _rewrite(self, row: VersionRow) -> None:
        """A version now reads ``row``: one this edit inserted is written so at once."""
        (self._inserted if row.id in self._inserted else self._rewritten)[row.id] = row
        self.tree.replace(row)

    def _close(
        self, log: ChangeRecord, version: VersionRow, effective: date, *, successor_id: int | None = None
    ) -> None:
        ended = version.valid_to.isoformat() if version.valid_to else None
        log.closed.append({"id": version.id, "valid_to": ended, "successor_id": version.successor_id})
        log.touch(version.place_id, successor_id)
        self._rewrite(replace(version, valid_to=effective, successor_id=successor_id))

    async def _change(
        self,
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
            self._rewrite(replace(version, name=name, parent_id=parent_id, change=label))
            return
        self._close(log, version, effective)
        await self._add_version(
            log, version.place_id, name, parent_id, effective, change, code=version.code, level=version.level
        )

    def _done(self, actor: Actor, log: ChangeRecord, summary: str, action: str, entity_id: int, **audited: Any) -> None:
        self._changes.append(log.row(actor, summary))
        self._audit.append(audit.event(actor, action, "place", entity_id, **audited))

    # The steps, each checked against the tree as the steps before left it.

    async def create_place(
        self, actor: Actor, *, code: str, name: str, level: str, parent_id: int | None, valid_from: date
    ) -> dict[str, Any]:
        check_effective_date(valid_from, clock.current().today(), field="valid_from")
        if self._code_taken(code):
            raise Conflict(f"A place with code {code} already exists", details={"field": "code"})
        _require_parent(self.tree, parent_id, valid_from)
        if parent_id is None and self.tree.roots(valid_from):
            raise Invalid("Only the country has no parent: give parent_id", field="parent_id")
        place_id = await self._place_ids.take()
        self._places.append({"id": place_id, "code": code, "level": level, "created_at": clock.current().now()})
        assert self._codes is not None  # filled by _code_taken
        self._codes[code] = place_id
        log = ChangeRecord("created", valid_from, below=[], within=[parent_id] if parent_id else [])
        log.created_place = place_id
        await self._add_version(log, place_id, name, parent_id, valid_from, "created", code=code, level=level)
        after = {"code": code, "name": name, "level": level, "parent_id": parent_id, "valid_from": valid_from}
        # Filed under the parent: the new unit is in no one's area until it exists, and
        # the row must not pin a unit whose creation may yet be revoked.
        self._done(actor, log, f"{name} ({code}) created", "place.create", place_id, place_id=parent_id, after=after)
        return {"id": place_id, **after}

    async def rename(self, actor: Actor, place_id: int, *, name: str, effective: date) -> None:
        current = _open_version(self.tree, place_id, effective)
        summary = f"{current.name} ({current.code}) renamed to {name}"
        await self._change_one(actor, current, effective, "renamed", "place.rename", summary, "name", name, [])

    async def move(self, actor: Actor, place_id: int, *, parent_id: int, effective: date) -> None:
        tree = self.tree
        current = _open_version(tree, place_id, effective)
        _require_parent(tree, parent_id, effective)
        if parent_id in tree.subtree(place_id, effective):
            raise Invalid("A unit cannot be moved under itself or one of its own units", field="parent_id")
        if parent_id == current.parent_id:
            raise Invalid(f"{current.name} is already in that unit", field="parent_id")
        summary = f"{current.name} ({current.code}) moved to {_name(tree, parent_id)}"
        to = parent_id
        await self._change_one(actor, current, effective, "moved", "place.move", summary, "parent_id", to, [to])

    async def _change_one(
        self,
        actor: Actor,
        current: VersionRow,
        effective: date,
        kind: str,
        action: str,
        summary: str,
        field: str,
        value: Any,
        within: list[int],
    ) -> None:
        """A rename or a move (``field`` of the unit's version becomes ``value``), recorded and audited."""
        log = ChangeRecord(kind, effective, below=[current.place_id], within=within)
        await self._change(log, current, effective, kind, **{field: value})
        before, after = {field: getattr(current, field)}, {field: value, "effective_date": effective}
        self._done(actor, log, summary, action, current.place_id, place_id=current.place_id, before=before, after=after)

    async def _end_unit(
        self, actor: Actor, log: ChangeRecord, current: VersionRow, heir: int, effective: date, action: str, field: str
    ) -> None:
        """End a unit on ``effective``: its units and its records pass to ``heir``."""
        tree = self.tree
        _require_parent(tree, heir, effective, field=field)
        if heir in tree.subtree(current.place_id, effective):
            raise Invalid(f"{current.name} cannot pass to one of its own units", field=field)
        moved = []
        for child_id in tree.children(current.place_id, effective):
            await self._change(log, _open_version(tree, child_id, effective), effective, "moved", parent_id=heir)
            moved.append(child_id)
        self._close(log, current, effective, successor_id=heir)
        self._audit.append(
            audit.event(
                actor,
                action,
                "place",
                current.place_id,
                place_id=heir,
                before=asdict(current),
                after={"successor_id": heir, "effective_date": effective, "units_moved": moved},
            )
        )

    async def merge(self, actor: Actor, source_ids: list[int], *, into_id: int, effective: date) -> None:
        if into_id in source_ids:
            raise Invalid("The unit merged into cannot also be one of the merged units", field="into_id")
        if not source_ids:
            raise Invalid("Name at least one unit to merge", field="source_ids")
        log = ChangeRecord("merged", effective, below=list(source_ids), within=[into_id])
        for source_id in source_ids:
            current = _open_version(self.tree, source_id, effective)
            await self._end_unit(actor, log, current, into_id, effective, "place.merge", "into_id")
        merged = ", ".join(_name(self.tree, source_id) for source_id in source_ids)
        self._changes.append(log.row(actor, f"{merged} merged into {_name(self.tree, into_id)}"))

    async def abolish(self, actor: Actor, place_id: int, *, effective: date, units_to: int | None = None) -> None:
        current = _open_version(self.tree, place_id, effective)
        heir = units_to if units_to is not None else current.parent_id
        if heir is None:
            raise Invalid("The country cannot be abolished", field="place_id")
        log = ChangeRecord("abolished", effective, below=[place_id], within=[heir])
        await self._end_unit(actor, log, current, heir, effective, "place.abolish", "units_to")
        summary = f"{_name(self.tree, place_id)} abolished, its units to {_name(self.tree, heir)}"
        self._changes.append(log.row(actor, summary))

    async def record_earlier_version(
        self, actor: Actor, place_id: int, *, name: str, parent_id: int | None, valid_from: date, valid_to: date
    ) -> None:
        """Record that a unit had ``name`` and ``parent_id`` over ``[valid_from, valid_to)``,
        before the versions the map has of it: an earlier map is being loaded (a province
        seeded as valid from 1 July 2025 existed long before). The version beginning on
        ``valid_to``, when it has the same name and parent, begins earlier instead."""
        check_effective_date(valid_from, clock.current().today(), field="valid_from")
        tree = self.tree
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
        code, level = history[0].code, history[0].level
        if not joins:
            label = _label(before, state, "created")
            await self._add_version(log, place_id, name, parent_id, valid_from, label, valid_to, code=code, level=level)
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
            self._rewrite(replace(after, valid_from=starts, change=change))
        self._done(
            actor,
            log,
            f"{name} ({code}) recorded from {valid_from} to {valid_to}",
            "place.extend",
            place_id,
            place_id=place_id,
            after={"name": name, "parent_id": parent_id, "valid_from": valid_from, "valid_to": valid_to},
        )

    async def flush(self) -> None:
        """Write what the steps noted: units first (versions name them), then versions,
        then the records and audit rows in the order the steps were taken."""
        await insert_all(Place, self._places)
        versions = [
            {
                "id": row.id,
                "place": row.place_id,
                "name": row.name,
                "parent": row.parent_id,
                "valid_from": row.valid_from,
                "valid_to": row.valid_to,
                "change": row.change,
                "successor": row.successor_id,
            }
            for row in self._inserted.values()
        ]
        await insert_all(PlaceVersion, versions)
        rewritten = [
            (row.id, row.name, row.parent_id, row.valid_from, row.valid_to, row.change, row.successor_id)
            for row in self._rewritten.values()
        ]
        await update_all(PlaceVersion, REWRITTEN_COLUMNS, rewritten)
        await insert_all(PlaceChange, self._changes)
        await insert_all(AuditEvent, self._audit)
        self._places, self._inserted, self._rewritten, self._changes, self._audit = [], {}, {}, [], []

"""Loading an official list of administrative units (CSV).

Columns: ``code,name,level,parent_code,valid_from`` (the first files had only these)
and, optionally, ``event`` and ``successor_code``. Each line is one dated fact about one
unit, as a decision list states it:

- a state line (``event`` empty, ``created``, ``renamed`` or ``moved``): from
  ``valid_from`` the unit has this name and parent. An unknown code is created, a known
  one renamed or moved as of the date; a line dated before the first version the map has
  of a unit records its earlier history (the seeded provinces, known from 1 July 2025,
  existed long before); a line the map already agrees with changes nothing.
- ``merged_into``: from ``valid_from`` the unit is part of ``successor_code``;
- ``abolished``: from ``valid_from`` the unit ends, its units passing to
  ``successor_code`` or, without one, to its parent.

The whole file is checked first, then applied day by day (state lines parents first,
then merges, then abolitions) as the steps of one edit of the hierarchy
(``api/places/editing.py``), the steps the API's changes take, so the versions,
successors, ``place_change`` and audit rows are the API's. The edit checks each line
against the tree as the lines before left it, in memory, and writes all rows together at
the end: a national file loads in seconds. Every refusal names the line and the code and
leaves the map as it was.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from api import clock
from api.context import Actor
from api.errors import AppError, Invalid
from api.http.text import describe, refused_character
from api.places import services as service
from api.places.changes import outside_window
from api.places.editing import HierarchyEdit
from api.places.tree import PlaceTree

REQUIRED_COLUMNS = ("code", "name", "level", "parent_code", "valid_from")
OPTIONAL_COLUMNS = ("event", "successor_code")
STATE_EVENTS = ("", "created", "renamed", "moved")
ENDINGS = ("merged_into", "abolished")
# A level outside these and the map's own is a typing mistake ("comune"), not a new
# depth of the hierarchy: that is created through the API first.
STANDARD_LEVELS = frozenset({"country", "province", "district", "commune"})
CODE = re.compile(r"[0-9A-Za-z._-]{1,16}")
LEVEL = re.compile(r"[a-z_]{2,16}")
NAME_LENGTH = 200
SEED_FILE = Path(__file__).parent / "data" / "provinces_2025.csv"
_EXTRA = "\0extra"

T = TypeVar("T")


def refusal(line: int, code: str | None, column: str | None, message: str) -> Invalid:
    """``line 214, code 00127, column parent_code: …``: where to look, then what is wrong."""
    where = ", ".join(part for part in (f"line {line}", code and f"code {code}", column and f"column {column}") if part)
    return Invalid(f"{where}: {message}", field=column)


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: date
    event: str = ""
    successor_code: str | None = None

    @property
    def ends(self) -> bool:
        return self.event in ENDINGS

    def refuse(self, message: str, column: str | None = None) -> Invalid:
        return refusal(self.line, self.code, column, message)


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    abolished: list[str] = field(default_factory=list)
    extended: list[str] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        lists = ("created", "renamed", "moved", "merged", "abolished", "extended")
        return {name: len(getattr(self, name)) for name in lists} | {"unchanged": self.unchanged}


def parse_units(text: str, today: date | None = None) -> list[UnitRow]:
    """Parse and check the whole file before anything is written."""
    today = today or clock.current().today()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), restkey=_EXTRA)
    try:
        columns = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise refusal(1, None, None, f"the file lacks the column(s) {', '.join(missing)}; {_COLUMNS}")
        unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if unknown:
            raise refusal(1, None, None, f"unknown column(s) {', '.join(unknown)}; {_COLUMNS}")
        reader.fieldnames = columns
        rows = [_row(reader.line_num, raw, today) for raw in reader]
    except csv.Error as exc:
        raise refusal(reader.line_num, None, None, f"not readable as CSV ({exc})") from None
    seen: dict[tuple[str, date], int] = {}
    for row in rows:
        if (earlier := seen.setdefault((row.code, row.valid_from), row.line)) != row.line:
            raise row.refuse(f"appears twice on {row.valid_from} (also on line {earlier})")
    return rows


_COLUMNS = f"expected {','.join(REQUIRED_COLUMNS)} and optionally {','.join(OPTIONAL_COLUMNS)} (see docs/operations.md)"


def _row(line: int, raw: dict[str, str | list[str] | None], today: date) -> UnitRow:
    if raw.get(_EXTRA):
        raise refusal(line, None, None, "more fields than the header has columns")

    def cell(column: str) -> str:
        value = raw.get(column)
        return value.strip() if isinstance(value, str) else ""

    code = cell("code")
    if not code:
        raise refusal(line, None, "code", "every line needs the unit's code")
    if not CODE.fullmatch(code):
        raise refusal(line, None, "code", f"{code!r} is not an official code (1 to 16 letters, digits, . _ -)")

    def refuse(column: str, message: str) -> Invalid:
        return refusal(line, code, column, message)

    for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        if bad := refused_character(cell(column)):
            raise refuse(column, f"holds {describe(bad)}, which no name or code may hold")
    event = cell("event").lower()
    if event not in STATE_EVENTS + ENDINGS:
        raise refuse("event", f"unknown event {event!r}: one of {', '.join(STATE_EVENTS[1:] + ENDINGS)}, or empty")
    try:
        valid_from = date.fromisoformat(cell("valid_from"))
    except ValueError:
        raise refuse("valid_from", f"{cell('valid_from')!r} is not a date like 2025-07-01") from None
    if problem := outside_window(valid_from, today):
        raise refuse("valid_from", problem)
    name, level = cell("name"), cell("level").lower()
    parent_code, successor_code = cell("parent_code") or None, cell("successor_code") or None
    if event in ENDINGS:
        if event == "merged_into" and successor_code is None:
            raise refuse("successor_code", "a merged_into line names the unit it is merged into")
        if successor_code == code:
            raise refuse("successor_code", "a unit cannot pass to itself")
    else:
        for column, value in (("name", name), ("level", level)):
            if not value:
                raise refuse(column, f"a line that creates, renames or moves a unit gives its {column}")
        if successor_code is not None:
            raise refuse("successor_code", "only merged_into and abolished lines name a successor")
    if len(name) > NAME_LENGTH:
        raise refuse("name", f"longer than {NAME_LENGTH} characters")
    if level and not LEVEL.fullmatch(level):
        raise refuse("level", f"unknown level {level!r}")
    if parent_code == code:
        raise refuse("parent_code", "a unit cannot be its own parent")
    return UnitRow(line, code, name, level, parent_code, valid_from, event, successor_code)


async def import_units(actor: Actor, text: str) -> ImportSummary:
    rows = parse_units(text)
    async with service.changing_hierarchy() as edit:
        return await _Loader(actor, rows, edit).run()


def _lifetime(tree: PlaceTree, place_id: int) -> str:
    history = tree.history(place_id)
    ended = f" to {history[-1].valid_to}" if history[-1].valid_to else ""
    return f" (the map has it from {history[0].valid_from}{ended})"


class _Loader:
    """One file applied to the map: which lines record history before a unit's known
    start, and the order the rest is applied in."""

    def __init__(self, actor: Actor, rows: list[UnitRow], edit: HierarchyEdit) -> None:
        self.actor = actor
        self.rows = rows
        self.edit = edit
        tree = edit.tree
        self.summary = ImportSummary()
        self.ids: dict[str, int] = {}
        self.levels = set(STANDARD_LEVELS)
        known_from: dict[str, date] = {}
        for place_id in tree.place_ids():
            first = tree.history(place_id)[0]
            self.ids[first.code] = place_id
            known_from[first.code] = first.valid_from
            self.levels.add(first.level)
        self.earliest: dict[str, UnitRow] = {}
        for row in sorted(rows, key=lambda r: r.valid_from):
            self.earliest.setdefault(row.code, row)
        for row in rows:
            start = known_from.get(row.code, date.max)
            if row.event == "created" and (self.earliest[row.code] is not row or start < row.valid_from):
                first_day = min(start, self.earliest[row.code].valid_from)
                raise row.refuse(f"created on {row.valid_from}, but the unit exists from {first_day}", "event")
        self.until, self.repeats = self._plan_earlier(rows, known_from)

    @staticmethod
    def _plan_earlier(rows: list[UnitRow], known_from: dict[str, date]) -> tuple[dict[int, date], set[int]]:
        """For each line dated before the first version the map has of its unit: until
        when that state lasted (the next such line, or the known start). A line that
        repeats the state of the one before it changes nothing."""
        earlier: dict[str, list[UnitRow]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: r.valid_from):
            start = known_from.get(row.code)
            if start is not None and row.valid_from < start:
                if row.ends:
                    raise row.refuse(f"the map has {row.code} from {start}; it cannot end on {row.valid_from}")
                earlier[row.code].append(row)
        until: dict[int, date] = {}
        repeats: set[int] = set()
        for code, lines in earlier.items():
            kept = [lines[0]]
            for row in lines[1:]:
                if (row.name, row.parent_code) == (kept[-1].name, kept[-1].parent_code):
                    repeats.add(row.line)
                else:
                    kept.append(row)
            following = known_from[code]
            for row in reversed(kept):
                until[row.line] = following
                following = row.valid_from
        return until, repeats

    async def run(self) -> ImportSummary:
        by_day: dict[date, list[UnitRow]] = defaultdict(list)
        for row in self.rows:
            by_day[row.valid_from].append(row)
        for day in sorted(by_day):
            rows = by_day[day]
            for row in _parents_first([r for r in rows if not r.ends]):
                await self._state(row)
            into: dict[str | None, list[UnitRow]] = defaultdict(list)
            for row in rows:
                if row.event == "merged_into":
                    into[row.successor_code].append(row)
            for merged in into.values():
                await self._merge(merged)
            for row in rows:
                if row.event == "abolished":
                    await self._abolish(row)
        return self.summary

    async def _call(self, row: UnitRow, work: Awaitable[T]) -> T:
        """A step's own refusal (rare: the loader checks first), placed on the line."""
        try:
            return await work
        except AppError as exc:
            raise row.refuse(exc.message) from None

    def _unit(self, tree: PlaceTree, code: str | None, row: UnitRow, column: str) -> int:
        """The unit ``code`` names, which must exist on the row's date."""
        place_id = self.ids.get(code or "")
        if place_id is None or tree.version(place_id, row.valid_from) is None:
            if place_id is not None:
                hint = _lifetime(tree, place_id)
            elif code in self.earliest:
                hint = f" (line {self.earliest[code].line} has it from {self.earliest[code].valid_from})"
            else:
                hint = ""
            raise row.refuse(f"{column} {code} is not a known unit on {row.valid_from}{hint}", column)
        return place_id

    def _check_level(self, tree: PlaceTree, row: UnitRow, place_id: int | None) -> None:
        if place_id is not None:
            known = tree.history(place_id)[0].level
            if row.level and row.level != known:
                raise row.refuse(f"{row.code} is a {known}, not a {row.level}", "level")
        elif row.level not in self.levels:
            raise row.refuse(f"unknown level {row.level!r} (known: {', '.join(sorted(self.levels))})", "level")

    async def _state(self, row: UnitRow) -> None:
        tree = self.edit.tree
        place_id = self.ids.get(row.code)
        self._check_level(tree, row, place_id)
        if row.line in self.repeats:
            self.summary.unchanged += 1
            return
        parent_id = self._unit(tree, row.parent_code, row, "parent_code") if row.parent_code else None
        day = row.valid_from
        if place_id is None:
            if parent_id is None and tree.roots(day):
                raise row.refuse("only the country has no parent: give the parent's code", "parent_code")
            created = await self._call(
                row,
                self.edit.create_place(
                    self.actor, code=row.code, name=row.name, level=row.level, parent_id=parent_id, valid_from=day
                ),
            )
            self.ids[row.code] = created["id"]
            self.summary.created.append(row.code)
            return
        if row.line in self.until:
            until = self.until[row.line]
            if parent_id is None:
                following = tree.version(place_id, until)
                parent_id = following.parent_id if following else None
            if parent_id is not None and place_id in (parent_id, *tree.ancestors(parent_id, day)):
                raise row.refuse(f"parent_code {row.parent_code} lies inside {row.code} on {day}", "parent_code")
            await self._call(
                row,
                self.edit.record_earlier_version(
                    self.actor, place_id, name=row.name, parent_id=parent_id, valid_from=day, valid_to=until
                ),
            )
            self.summary.extended.append(row.code)
            return
        await self._change(tree, row, place_id, parent_id)

    async def _change(self, tree: PlaceTree, row: UnitRow, place_id: int, parent_id: int | None) -> None:
        day = row.valid_from
        version, latest = tree.version(place_id, day), tree.latest(place_id)
        assert latest is not None  # a known unit has a version
        parent_id = parent_id if parent_id is not None else (version or latest).parent_id
        if version is not None and (version.name, version.parent_id) == (row.name, parent_id):
            self.summary.unchanged += 1
            return
        if latest.valid_to is not None and day >= latest.valid_to:
            raise row.refuse(f"{row.code} ended on {latest.valid_to}{self._heir_of(tree, place_id)}; it cannot change")
        if day < latest.valid_from or latest.valid_to is not None:
            shown = version or latest
            until = f" to {shown.valid_to}" if shown.valid_to else ""
            raise row.refuse(
                f"the map has {row.code} as {shown.name} from {shown.valid_from}{until}: a change on {day} would"
                " fall inside its recorded history (a unit's changes are loaded in date order)",
                "valid_from",
            )
        if parent_id != latest.parent_id and parent_id in tree.subtree(place_id, day):
            raise row.refuse(f"parent_code {row.parent_code} lies inside {row.code} on {day}", "parent_code")
        if latest.name != row.name:
            await self._call(row, self.edit.rename(self.actor, place_id, name=row.name, effective=day))
            self.summary.renamed.append(row.code)
        if parent_id is not None and parent_id != latest.parent_id:
            await self._call(row, self.edit.move(self.actor, place_id, parent_id=parent_id, effective=day))
            self.summary.moved.append(row.code)

    def _heir_of(self, tree: PlaceTree, place_id: int) -> str:
        last = tree.latest(place_id)
        if last is None or last.successor_id is None:
            return ""
        heir = tree.latest(last.successor_id)
        return f", passing to {heir.code}" if heir else ""

    def _ending(self, tree: PlaceTree, row: UnitRow, heir: int | None) -> int | None:
        """The unit a merged_into or abolished line ends (None: it already ended so)."""
        place_id = self.ids.get(row.code)
        if place_id is None:
            raise row.refuse(f"{row.code} is not a known unit (no earlier line creates it)", "code")
        self._check_level(tree, row, place_id)
        latest = tree.latest(place_id)
        assert latest is not None  # a known unit has a version
        if latest.valid_to is not None:
            if latest.valid_to == row.valid_from and heir in (None, latest.successor_id):
                self.summary.unchanged += 1
                return None
            raise row.refuse(f"{row.code} already ended on {latest.valid_to}{self._heir_of(tree, place_id)}")
        if row.valid_from < latest.valid_from:
            raise row.refuse(
                f"{row.code}'s current version begins on {latest.valid_from}; it cannot end on {row.valid_from}",
                "valid_from",
            )
        if heir is not None and heir in tree.subtree(place_id, row.valid_from):
            raise row.refuse(f"successor_code {row.successor_code} is one of {row.code}'s own units", "successor_code")
        return place_id

    async def _merge(self, rows: list[UnitRow]) -> None:
        """Units merged into the same unit on the same day: one merge, as through the API."""
        tree = self.edit.tree
        first = rows[0]
        into = self._unit(tree, first.successor_code, first, "successor_code")
        sources = []
        for row in rows:
            if (place_id := self._ending(tree, row, into)) is not None:
                sources.append(place_id)
                self.summary.merged.append(row.code)
        if sources:
            await self._call(first, self.edit.merge(self.actor, sources, into_id=into, effective=first.valid_from))

    async def _abolish(self, row: UnitRow) -> None:
        tree = self.edit.tree
        heir = self._unit(tree, row.successor_code, row, "successor_code") if row.successor_code else None
        place_id = self._ending(tree, row, heir)
        if place_id is None:
            return
        await self._call(row, self.edit.abolish(self.actor, place_id, effective=row.valid_from, units_to=heir))
        self.summary.abolished.append(row.code)


def _parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    """The state lines of one day, each after the line of its parent on that day."""
    by_code = {row.code: row for row in rows}
    ordered: list[UnitRow] = []
    placed: set[str] = set()
    pending = list(rows)
    while pending:
        ready = [r for r in pending if r.parent_code not in by_code or r.parent_code in placed]
        if not ready:
            chain = [pending[0].code]
            while (parent := str(by_code[chain[-1]].parent_code)) not in chain:
                chain.append(parent)
            cycle = [*chain[chain.index(parent) :], parent]
            row = by_code[parent]
            raise row.refuse(f"the parents make a cycle on {row.valid_from}: {' → '.join(cycle)}", "parent_code")
        placed.update(r.code for r in ready)
        ordered.extend(ready)
        pending = [r for r in pending if r.code not in placed]
    return ordered


async def ensure_reference_places() -> ImportSummary:
    """The country and its 34 provinces (since 1 July 2025); a no-op once present, and
    after an earlier map has extended their history back."""
    return await import_units(Actor.system("seed"), SEED_FILE.read_text(encoding="utf-8"))

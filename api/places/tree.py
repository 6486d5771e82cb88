"""The place hierarchy as of any date, held in memory.

Administrative units change rarely and there are a few tens of thousands of them
at most, so the whole history is loaded once and answered from memory; the cache
is rebuilt when a new version row appears (every change adds one). A change of the
hierarchy edits its own copy in place (``add``, ``replace``), so a file of thousands of
changes is checked against the tree as the changes before left it without reading it again.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class VersionRow:
    id: int
    place_id: int
    code: str
    level: str
    name: str
    parent_id: int | None
    valid_from: date
    valid_to: date | None
    change: str
    successor_id: int | None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class PlaceTree:
    """Every version of every unit; questions are asked "as of" a date."""

    def __init__(self, rows: Iterable[VersionRow]) -> None:
        self._versions: dict[int, list[VersionRow]] = defaultdict(list)
        # Every unit that had ``parent`` as parent in some version, by id: the children on
        # a day are read from it, so an edit updates one list instead of a per-day index.
        self._ever_children: dict[int | None, list[int]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: (r.place_id, r.valid_from, r.id)):
            self._versions[row.place_id].append(row)
            children = self._ever_children[row.parent_id]
            if not children or children[-1] != row.place_id:
                children.append(row.place_id)
        self._within_cache: dict[tuple[int, date], frozenset[int]] = {}

    def add(self, row: VersionRow) -> None:
        """A new version (of a new or a known unit)."""
        insort(self._versions[row.place_id], row, key=lambda r: (r.valid_from, r.id))
        self._note_parent(row)

    def replace(self, row: VersionRow) -> None:
        """The version with ``row.id`` now reads ``row`` (closed, amended, begun earlier)."""
        versions = self._versions[row.place_id]
        versions[:] = sorted((row if r.id == row.id else r for r in versions), key=lambda r: (r.valid_from, r.id))
        self._note_parent(row)

    def _note_parent(self, row: VersionRow) -> None:
        children = self._ever_children[row.parent_id]
        if row.place_id not in children:
            insort(children, row.place_id)
        self._within_cache.clear()

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._versions

    def place_ids(self) -> Iterator[int]:
        return iter(self._versions)

    def history(self, place_id: int) -> list[VersionRow]:
        return list(self._versions.get(place_id, ()))

    def version(self, place_id: int, day: date) -> VersionRow | None:
        """The version of ``place_id`` in force on ``day`` (None: it did not exist then)."""
        for row in reversed(self._versions.get(place_id, ())):
            if row.valid_on(day):
                return row
        return None

    def latest(self, place_id: int) -> VersionRow | None:
        versions = self._versions.get(place_id)
        return versions[-1] if versions else None

    def roots(self, day: date) -> list[int]:
        return self.children(None, day)

    def children(self, place_id: int | None, day: date) -> list[int]:
        """The units under ``place_id`` on ``day`` (None: the roots), by id."""
        found = []
        for child in self._ever_children.get(place_id, ()):
            row = self.version(child, day)
            if row is not None and row.parent_id == place_id:
                found.append(child)
        return found

    def subtree(self, root_id: int, day: date) -> list[int]:
        """``root_id`` and all its descendants on ``day``, parents before children."""
        if self.version(root_id, day) is None:
            return []
        found, stack = [], [root_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self.children(current, day)))
        return found

    def ancestors(self, place_id: int, day: date) -> list[int]:
        """The chain from the unit's parent up to the root on ``day``."""
        chain: list[int] = []
        row = self.version(place_id, day)
        while row is not None and row.parent_id is not None and row.parent_id not in chain:
            chain.append(row.parent_id)
            row = self.version(row.parent_id, day)
        return chain

    def current_unit(self, place_id: int, today: date) -> int | None:
        """Where a unit's records belong today: itself, or the unit it was merged or
        abolished into (followed through later changes)."""
        seen: set[int] = set()
        current: int | None = place_id
        while current is not None and current not in seen:
            seen.add(current)
            if self.version(current, today) is not None:
                return current
            last = self.latest(current)
            current = last.successor_id if last is not None else None
        return None

    def within(self, place_id: int, root_id: int, today: date) -> bool:
        """Whether a unit (or, for a former unit, its successor today) lies in ``root_id``'s subtree."""
        unit = self.current_unit(place_id, today)
        if unit is None:
            return False
        return unit == root_id or root_id in self.ancestors(unit, today)

    def all_within(self, root_id: int, today: date) -> frozenset[int]:
        """Every unit, present or former, whose records belong under ``root_id`` today.

        Asked on every list request of an officer: computed once per tree and day (and
        again after an edit of the tree)."""
        key = (root_id, today)
        found = self._within_cache.get(key)
        if found is None:
            area = set(self.subtree(root_id, today))
            found = frozenset(pid for pid in self._versions if self.current_unit(pid, today) in area)
            if len(self._within_cache) > 4096:
                self._within_cache.clear()
            self._within_cache[key] = found
        return found

"""Loading an official list of administrative units (CSV: code, name, level,
parent_code, valid_from). A unit already known by its code is renamed or moved as
of the row's date when its name or parent differ; new units are created."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from api import clock
from api.context import Actor
from api.errors import Invalid
from api.places import services as service
from api.places.changes import outside_window

REQUIRED_COLUMNS = ("code", "name", "level", "parent_code", "valid_from")
SEED_FILE = Path(__file__).parent / "data" / "provinces_2025.csv"


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: date


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0


def parse_units(text: str, today: date | None = None) -> list[UnitRow]:
    """Parse and check the whole file before anything is written."""
    today = today or clock.current().today()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(f"The file lacks the column(s) {', '.join(missing)}; expected {', '.join(REQUIRED_COLUMNS)}")
    rows: list[UnitRow] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        code = (raw["code"] or "").strip()
        name = (raw["name"] or "").strip()
        level = (raw["level"] or "").strip().lower()
        if not code or not name or not level:
            raise Invalid(f"Line {number}: code, name and level are required")
        if code in seen:
            raise Invalid(f"Line {number}: code {code} appears twice")
        seen.add(code)
        try:
            valid_from = date.fromisoformat((raw["valid_from"] or "").strip())
        except ValueError:
            raise Invalid(f"Line {number}: valid_from must be a date like 2025-07-01") from None
        if problem := outside_window(valid_from, today):
            raise Invalid(f"Line {number}: valid_from {problem}")
        rows.append(UnitRow(number, code, name, level, (raw["parent_code"] or "").strip() or None, valid_from))
    return rows


def _parents_first(rows: list[UnitRow], known: set[str]) -> list[UnitRow]:
    ordered: list[UnitRow] = []
    placed = set(known)
    pending = list(rows)
    while pending:
        ready = [r for r in pending if r.parent_code is None or r.parent_code in placed]
        if not ready:
            row = pending[0]
            raise Invalid(f"Line {row.line}: parent code {row.parent_code} is neither in the file nor known")
        for row in ready:
            placed.add(row.code)
        ordered.extend(ready)
        pending = [r for r in pending if r not in ready]
    return ordered


async def import_units(actor: Actor, text: str) -> ImportSummary:
    rows = parse_units(text)
    async with service.changing_hierarchy():
        return await _apply(actor, rows)


async def _apply(actor: Actor, rows: list[UnitRow]) -> ImportSummary:
    tree = await service.load_tree()
    known = {v.code for pid in tree.place_ids() if (v := tree.latest(pid)) is not None}
    summary = ImportSummary()
    for row in _parents_first(rows, known):
        place_id = await service.place_id_by_code(row.code)
        parent_id = await service.place_id_by_code(row.parent_code) if row.parent_code else None
        if place_id is None:
            await service.create_place(
                actor, code=row.code, name=row.name, level=row.level, parent_id=parent_id, valid_from=row.valid_from
            )
            summary.created.append(row.code)
            continue
        tree = await service.load_tree()
        current = tree.latest(place_id)
        if current is None or current.valid_to is not None:
            raise Invalid(f"Line {row.line}: unit {row.code} has ended and cannot be updated")
        if current.name != row.name:
            await service.rename(actor, place_id, name=row.name, effective=row.valid_from)
            summary.renamed.append(row.code)
        if current.parent_id != parent_id and parent_id is not None:
            await service.move(actor, place_id, parent_id=parent_id, effective=row.valid_from)
            summary.moved.append(row.code)
        if current.name == row.name and (current.parent_id == parent_id or parent_id is None):
            summary.unchanged += 1
    return summary


async def ensure_reference_places() -> ImportSummary:
    """The country and its 34 provinces (since 1 July 2025); a no-op once present."""
    return await import_units(Actor.system("seed"), SEED_FILE.read_text(encoding="utf-8"))

"""Finding subjects by name on either engine.

PostgreSQL answers with ``pg_trgm`` (GIN index on ``subject.name_key``); SQLite with the
``name_trigram`` table this module keeps. Both return candidates that one Python scorer
(:func:`api.registry.ranking.score`) then ranks, so the engines agree on order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api.registry.names import trigrams
from db.engine import is_sqlite
from db.tables import NameTrigram, Subject

# How many rows the index hands to the scorer at most.
CANDIDATE_LIMIT = 400


@dataclass(frozen=True)
class SubjectFilter:
    """Which subjects a search may return (scope, dates, statuses)."""

    place_ids: Sequence[int] | None = None  # None: everywhere
    facility_id: int | None = None
    subject_ids: Sequence[int] | None = None  # a parent's linked subjects
    born_from: date | None = None
    born_to: date | None = None
    sex: str | None = None
    exclude_ids: Sequence[int] = field(default_factory=tuple)
    include_merged: bool = False

    def sql(self) -> tuple[str, list[Any]]:
        """A WHERE fragment over table alias ``s`` with ``{}`` placeholders."""
        clauses: list[str] = []
        args: list[Any] = []

        def ids(values: Sequence[int]) -> str:
            args.extend(values or [-1])
            return ", ".join("{}" for _ in (values or [-1]))

        if not self.include_merged:
            clauses.append("s.status != 'merged'")
        if self.subject_ids is not None:
            clauses.append(f"s.id IN ({ids(self.subject_ids)})")
        if self.facility_id is not None:
            # A facility's staff: subjects it manages, or who live in its commune.
            args.append(self.facility_id)
            where = "s.facility = {}"
            if self.place_ids:
                where = f"({where} OR s.place IN ({ids(self.place_ids)}))"
            clauses.append(where)
        elif self.place_ids is not None:
            places = ids(self.place_ids)
            clauses.append(f"(s.place IN ({places}) OR s.managing_place IN ({ids(self.place_ids)}))")
        if self.born_from is not None:
            args.append(self.born_from)
            clauses.append("s.birth_date >= {}")
        if self.born_to is not None:
            args.append(self.born_to)
            clauses.append("s.birth_date <= {}")
        if self.sex is not None:
            args.append(self.sex)
            clauses.append("s.sex = {}")
        if self.exclude_ids:
            clauses.append(f"s.id NOT IN ({ids(self.exclude_ids)})")
        return " AND ".join(clauses) or "1 = 1", args


async def index_name(subject_id: int, key: str) -> None:
    """Keep SQLite's trigram rows in step with a subject's name key (PostgreSQL: nothing)."""
    if not is_sqlite(Subject._meta.db):
        return
    await NameTrigram.delete().where(NameTrigram.subject == subject_id)
    grams = sorted(trigrams(key))
    if grams:
        await NameTrigram.insert(*(NameTrigram(trigram=g, subject=subject_id) for g in grams))


async def name_candidates(key: str, where: SubjectFilter, *, limit: int = CANDIDATE_LIMIT) -> list[dict[str, Any]]:
    """Subjects whose name shares enough trigrams with ``key``: rows of ``subject``."""
    grams = sorted(trigrams(key))
    if not grams:
        return []
    condition, args = where.sql()
    if is_sqlite(Subject._meta.db):
        placeholders = ", ".join("{}" for _ in grams)
        # Subjects sharing at least a third of the query's trigrams, most shared first.
        sql = (
            "SELECT s.* FROM (SELECT subject, COUNT(*) AS shared FROM name_trigram "
            f"WHERE trigram IN ({placeholders}) GROUP BY subject HAVING COUNT(*) >= {{}}) t "
            f"JOIN subject s ON s.id = t.subject WHERE {condition} ORDER BY t.shared DESC LIMIT {{}}"
        )
        minimum = max(1, len(grams) // 3)
        return list(await Subject.raw(sql, *grams, minimum, *args, limit))
    # pg_trgm: % is similarity above the threshold, <% is "the query's words are in the name".
    sql = (
        "SELECT s.* FROM subject s WHERE (s.name_key % {} OR {} <% s.name_key) "
        f"AND {condition} ORDER BY similarity(s.name_key, {{}}) DESC LIMIT {{}}"
    )
    return list(await Subject.raw(sql, key, key, *args, key, limit))

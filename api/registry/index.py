"""Finding subjects by name on either engine.

The same name key is found with the btree index on ``subject.name_key``; similar keys
with ``pg_trgm`` on PostgreSQL (GIN index on ``subject.name_key``) and with the
``name_trigram`` table this module keeps on SQLite. Both engines return the same rows in
the same order (similarity as pg_trgm computes it, in single precision; ties by id), and
one Python scorer (:mod:`api.registry.ranking`) ranks them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api.registry.names import float4, trigrams
from db.engine import is_sqlite
from db.tables import NameTrigram, Subject

# How many rows the index hands to the scorer at most.
CANDIDATE_LIMIT = 400
# The least trigram similarity for a name to count as found (pg_trgm's default threshold).
MIN_SIMILARITY = 0.3
# PostgreSQL ranks at most this many similar rows (whichever the scan meets first): a typo
# in a name whose other words are common ("Nguyễn Văn Ahn") is similar to a tenth of the
# country, and ranking all of them costs seconds. Below it (any commune, any district)
# both engines return exactly the same rows; above it PostgreSQL ranks a sample.
SIMILAR_POOL = 1000
# A filter on this many places at most (a commune) is searched without the trigram index.
NARROW_PLACES = 3


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

    @property
    def narrow(self) -> bool:
        """One facility, a parent's children or a few places: a few thousand subjects."""
        if self.facility_id is not None or self.subject_ids is not None:
            return True
        return self.place_ids is not None and len(self.place_ids) <= NARROW_PLACES

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


async def same_name(key: str, display: str, where: SubjectFilter, *, limit: int) -> list[dict[str, Any]]:
    """Subjects whose name key is ``key``: the exact spelling (``display``) first, then by
    birth date (the same order on both engines, so a cut at ``limit`` is the same)."""
    condition, args = where.sql()
    sql = (
        f"SELECT s.* FROM subject s WHERE s.name_key = {{}} AND {condition} "
        "ORDER BY CASE WHEN s.full_name = {} THEN 0 ELSE 1 END, s.birth_date, s.id LIMIT {}"
    )
    return list(await Subject.raw(sql, key, *args, display, limit))


def _by_similarity(key: str, rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """What PostgreSQL's ``% … ORDER BY similarity DESC, id LIMIT`` keeps, computed here."""
    wanted = trigrams(key)
    kept = []
    for row in rows:
        grams = trigrams(row["name_key"])
        shared = len(wanted & grams)
        rank = float4(shared / (len(wanted) + len(grams) - shared))
        if rank >= MIN_SIMILARITY:
            kept.append((-rank, row["id"], row))
    kept.sort(key=lambda item: item[:2])
    return [row for _, _, row in kept[:limit]]


async def similar_names(key: str, where: SubjectFilter, *, limit: int) -> list[dict[str, Any]]:
    """Subjects whose name key differs from ``key`` but whose trigram similarity to it is
    at least :data:`MIN_SIMILARITY`, most similar first (ties by id): the same rows, in
    the same order, on both engines."""
    grams = sorted(trigrams(key))
    if not grams:
        return []
    condition, args = where.sql()
    if is_sqlite(Subject._meta.db):
        # Sharing at least MIN_SIMILARITY of the query's trigrams is necessary for that
        # similarity (shared / |query ∪ name| ≤ shared / |query|); the exact test follows.
        placeholders = ", ".join("{}" for _ in grams)
        sql = (
            "SELECT s.* FROM (SELECT subject FROM name_trigram "
            f"WHERE trigram IN ({placeholders}) GROUP BY subject HAVING COUNT(*) >= {{}}) t "
            f"JOIN subject s ON s.id = t.subject WHERE s.name_key != {{}} AND {condition}"
        )
        minimum = max(1, math.ceil(MIN_SIMILARITY * len(grams) - 1e-9))
        return _by_similarity(key, list(await Subject.raw(sql, *grams, minimum, key, *args)), limit)
    if where.narrow:
        # A commune or a facility: its few thousand subjects are cheaper to compare one by
        # one than the index is to scan for a common name, and nothing is left out.
        sql = (
            f"SELECT s.* FROM subject s WHERE s.name_key != {{}} AND {condition} "
            "AND similarity(s.name_key, {})::float8 >= {} ORDER BY similarity(s.name_key, {}) DESC, s.id LIMIT {}"
        )
        return list(await Subject.raw(sql, key, *args, key, MIN_SIMILARITY, key, limit))
    # pg_trgm: % is "similarity at least pg_trgm.similarity_threshold", set for this
    # transaction so that the server's setting cannot change what is found. At most
    # SIMILAR_POOL similar rows are ranked (see its comment).
    sql = (
        "SELECT * FROM (SELECT s.* FROM subject s WHERE s.name_key % {} AND s.name_key != {} "
        f"AND {condition} LIMIT {SIMILAR_POOL}) s ORDER BY similarity(s.name_key, {{}}) DESC, s.id LIMIT {{}}"
    )
    async with Subject._meta.db.transaction():
        await Subject.raw(f"SET LOCAL pg_trgm.similarity_threshold = {MIN_SIMILARITY}")
        return list(await Subject.raw(sql, key, key, *args, key, limit))


async def name_candidates(
    key: str, where: SubjectFilter, *, limit: int = CANDIDATE_LIMIT, display: str = "", enough: int | None = None
) -> list[dict[str, Any]]:
    """Subjects with the name key ``key`` (at most ``limit``), then, unless they are already
    ``enough``, those with a similar key, up to ``limit`` in all: rows of ``subject``."""
    rows = await same_name(key, display, where, limit=limit)
    if len(rows) >= (limit if enough is None else min(enough, limit)):
        return rows
    return rows + await similar_names(key, where, limit=limit - len(rows))

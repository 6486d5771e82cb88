"""Finding subjects by name on either engine.

Three steps, the same on both engines:

1. the same name key (btree index on ``subject.name_key``): these outrank every other;
2. longer names holding every typed word, in the order they rank (fewest words, birth
   date, id), as many as the page needs;
3. only when those do not fill the page: names holding every typed word or one typo
   away from it. The words one typo away that some name really has are looked up in
   ``name_word`` (every word of every name key: a few thousand, kept by a trigger on
   PostgreSQL and by :func:`index_name` on SQLite); the names holding them are ranked by
   :mod:`api.registry.search.ranking`, at most :data:`SIMILAR_POOL` of them (beyond that,
   SQLite takes the first by id, PostgreSQL the first it reads: the engines agree
   whenever fewer names than that hold a typo of the query in the caller's area).

PostgreSQL finds names holding words with the GIN index on
``string_to_array(name_key, ' ')`` (migration 0006), SQLite by matching ``% word %`` in
the key (a commune's registry is small). Both engines hand the scorer the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api.registry.identity.names import trigrams
from api.registry.search.ranking import PER_TYPO, SAME_WORDS, NameQuery
from db.engine import is_sqlite
from db.tables import NameTrigram, Subject

# How many rows the index hands to the scorer at most.
CANDIDATE_LIMIT = 400
# How many names holding typos of the typed words are ranked at most: "Nguyễn Văn Ahn"
# reaches ten thousand names in a country of a million; a commune never has that many.
SIMILAR_POOL = 300
# A filter on this many places at most (a commune and its parent) is read place first.
NARROW_PLACES = 3
# The best a name with a typo can score: rows above it need no search for typos.
BEST_WITH_TYPO = SAME_WORDS - PER_TYPO


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
        """One facility, a parent's children or a commune: a few thousand subjects."""
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
    """Keep SQLite's trigram rows and name words in step with a subject's name key
    (PostgreSQL: a trigger keeps ``name_word``)."""
    if not is_sqlite(Subject._meta.db):
        return
    await NameTrigram.delete().where(NameTrigram.subject == subject_id)
    grams = sorted(trigrams(key))
    if grams:
        await NameTrigram.insert(*(NameTrigram(trigram=g, subject=subject_id) for g in grams))
    words = sorted(set(key.split()))
    if words:
        values = ", ".join("({})" for _ in words)
        await Subject.raw(f"INSERT OR IGNORE INTO name_word (word) VALUES {values}", *words)


async def same_name(key: str, display: str, where: SubjectFilter, *, limit: int) -> list[dict[str, Any]]:
    """Subjects whose name key is ``key``: the exact spelling (``display``) first, then by
    birth date (the same order on both engines, so a cut at ``limit`` is the same)."""
    condition, args = where.sql()
    sql = (
        f"SELECT s.* FROM subject s WHERE s.name_key = {{}} AND {condition} "
        "ORDER BY CASE WHEN s.full_name = {} THEN 0 ELSE 1 END, s.birth_date, s.id LIMIT {}"
    )
    return list(await Subject.raw(sql, key, *args, display, limit))


async def known_spellings(query: NameQuery) -> list[list[str]]:
    """For each typed word, itself and the words one typo away that names really have."""
    wanted = sorted(set().union(*(query.spellings(word) for word in query.words)))
    if is_sqlite(Subject._meta.db):
        found = await Subject.raw(
            f"SELECT word FROM name_word WHERE word IN ({', '.join('{}' for _ in wanted)})", *wanted
        )
    else:
        found = await Subject.raw("SELECT word FROM name_word WHERE word = ANY({}::text[])", wanted)
    known = {r["word"] for r in found}
    return [sorted({word} | (query.typos[word] & known)) for word in dict.fromkeys(query.words)]


def _holding(groups: Sequence[Sequence[str]], where: SubjectFilter) -> tuple[str, list[Any]]:
    """A condition on ``s.name_key``: it holds a word of each group."""
    values: list[Any] = []
    # A commune's few thousand subjects are cheaper to read through the place index than a
    # common word's national list: the same words by an expression the index does not cover.
    words = "string_to_array(s.name_key || '', ' ')" if where.narrow else "string_to_array(s.name_key, ' ')"
    if is_sqlite(Subject._meta.db):
        parts = []
        for group in groups:
            parts.append("(" + " OR ".join("(' ' || s.name_key || ' ') LIKE {}" for _ in group) + ")")
            values.extend(f"% {word} %" for word in group)
        return " AND ".join(parts), values
    if all(len(group) == 1 for group in groups):
        return f"{words} @> {{}}::text[]", [[group[0] for group in groups]]
    return " AND ".join(f"{words} && {{}}::text[]" for _ in groups), [list(g) for g in groups]


def _rank_order() -> str:
    """ORDER BY for names holding words: word count, birth date, id (as they rank); on
    PostgreSQL the ``subject_name_rank`` index."""
    if is_sqlite(Subject._meta.db):
        return "length(s.name_key) - length(replace(s.name_key, ' ', '')), s.birth_date, s.id"
    return "cardinality(string_to_array(s.name_key, ' ')), s.birth_date, s.id"


async def longer_names(query: NameQuery, where: SubjectFilter, *, limit: int) -> list[dict[str, Any]]:
    """Subjects whose name holds every typed word and more (the given and family name
    typed, the middle name not): fewest words first, then by birth date, as they rank.

    The ids first (PostgreSQL reads them from the rank index alone), then the rows."""
    if not query.words:
        return []
    holds, values = _holding([[word] for word in sorted(set(query.words))], where)
    condition, args = where.sql()
    sql = (
        f"SELECT s.id FROM subject s WHERE {holds} AND s.name_key != {{}} AND {condition} "
        f"ORDER BY {_rank_order()} LIMIT {{}}"
    )
    ids = [r["id"] for r in await Subject.raw(sql, *values, query.key, *args, limit)]
    if not ids:
        return []
    rows = await Subject.raw(f"SELECT s.* FROM subject s WHERE s.id IN ({', '.join('{}' for _ in ids)})", *ids)
    return [r for r in rows if query.score(r["full_name"], r["name_key"]) > 0]


async def mistyped_names(query: NameQuery, where: SubjectFilter) -> list[dict[str, Any]]:
    """Subjects whose name holds every typed word or a typo of it, at most
    :data:`SIMILAR_POOL` (all of them in a commune, on both engines)."""
    if not query.words:
        return []
    holds, values = _holding(await known_spellings(query), where)
    condition, args = where.sql()
    # SQLite takes the first by id; PostgreSQL the first it reads (sorting the names that
    # hold a common word's typos, "Văn" for "Vân", would cost more than the search).
    order = "ORDER BY s.id " if is_sqlite(Subject._meta.db) else ""
    sql = f"SELECT s.* FROM subject s WHERE {holds} AND s.name_key != {{}} AND {condition} {order}LIMIT {SIMILAR_POOL}"
    rows = await Subject.raw(sql, *values, query.key, *args)
    return [r for r in rows if query.score(r["full_name"], r["name_key"]) > 0]


async def ranked_names(
    query: NameQuery, where: SubjectFilter, *, limit: int = CANDIDATE_LIMIT, enough: int | None = None
) -> list[tuple[float, dict[str, Any]]]:
    """(score, row of ``subject``) for the names found for ``query``, best first (score,
    then birth date, then id), at most ``limit``, in three steps; each runs only when the
    ones before cannot fill ``enough`` places (``limit`` when not given) with rows that
    every later step's rows rank below:

    1. the same name key;
    2. longer names holding every typed word, as many as are wanted, in rank order;
    3. names holding a typo of a typed word (the first :data:`SIMILAR_POOL`)."""
    wanted = limit if enough is None else min(enough, limit)
    rows = await same_name(query.key, query.display, where, limit=limit)
    if len(rows) < wanted:
        rows += await longer_names(query, where, limit=wanted - len(rows))
    scored = sorted(
        ((query.score(r["full_name"], r["name_key"]), r) for r in rows),
        key=lambda pair: (-pair[0], pair[1]["birth_date"], pair[1]["id"]),
    )
    if len(scored) >= wanted and scored[wanted - 1][0] > BEST_WITH_TYPO:
        return scored[:limit]
    seen = {r["id"] for r in rows}
    more = [r for r in await mistyped_names(query, where) if r["id"] not in seen]
    scored += [(query.score(r["full_name"], r["name_key"]), r) for r in more]
    scored.sort(key=lambda pair: (-pair[0], pair[1]["birth_date"], pair[1]["id"]))
    return scored[:limit]


async def name_candidates(key: str, where: SubjectFilter, *, limit: int = CANDIDATE_LIMIT) -> list[dict[str, Any]]:
    """Subjects whose name may be ``key`` (a name key), best first: rows of ``subject``."""
    return [row for _, row in await ranked_names(NameQuery(key), where, limit=limit)]

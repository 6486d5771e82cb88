"""The duplicate check: likely pairs of records of one person, listed for a person to
decide (merge, or dismiss as two people).

Run nightly for the whole country (``niis find-duplicates``) and on demand for an area.
For each subject checked, candidates are looked for across the country by blocking, never
by comparing every pair; each block is an index lookup:

- the same name key, born within a year (``subject.name_key`` index);
- a similar name (trigrams: pg_trgm on PostgreSQL, ``name_trigram`` on SQLite), born
  within a week or on the date with day and month swapped (``birth_date`` index);
- the same birth date and the same mother's name (twins, or a name typed differently);
- a guardian's phone in common (``guardian.phone`` index).

:func:`api.registry.duplicates.services.score_pair` then decides. What the blocks leave out is a
pair that could only score through a similar (not equal) name, the mother's name and a
birth date more than a week off, with no phone in common.

A pair found is listed under the commune of the subject it was found for. A pair once
dismissed or merged is never listed again; open pairs are refreshed (score, reasons) or
dropped when they no longer score. The nightly country-wide run checks the subjects
registered or changed since the previous country-wide run (a pair of two unchanged
records was looked at then); ``full=True`` (``--full``), and every run for an area,
check every subject.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, NotFound
from api.registry.duplicates import services as duplicates
from api.registry.duplicates.merge import Visible
from api.registry.duplicates.services import Profile
from api.registry.identity import codes
from api.registry.identity.names import trigrams
from api.registry.search import index
from db.engine import is_sqlite
from db.tables import AuditEvent, DuplicateCandidate, Subject, SubjectGuardian
from db.unit_of_work import locked, own_unit_of_work, unit_of_work

BATCH = 200
# Below this trigram similarity a name is no evidence (``duplicates.score_pair``).
SIMILAR_NAME = 0.55
NEAR_BIRTH = timedelta(days=7)
RUN_ACTION = "duplicates.run"
# A phone typed for more subjects than this (a health station's own number) is no evidence.
CROWDED_PHONE = 30
DECIDED = ("dismissed", "merged")

Pair = tuple[int, int]


def _pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


async def _phone_neighbours(phones: set[str]) -> dict[str, set[int]]:
    """Subjects linked to each phone (phones shared by a crowd are left out)."""
    if not phones:
        return {}
    rows = await SubjectGuardian.select(
        SubjectGuardian.subject, SubjectGuardian.guardian.phone.as_alias("phone")
    ).where(SubjectGuardian.guardian.phone.is_in(sorted(phones)))
    found: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        found[row["phone"]].add(row["subject"])
    return {phone: ids for phone, ids in found.items() if len(ids) <= CROWDED_PHONE}


async def _alive(ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    rows = await Subject.select(Subject.id).where(Subject.id.is_in(wanted) & (Subject.status != "merged"))
    return {r["id"] for r in rows}


def _swapped(day: date) -> date:
    """The date with day and month swapped (itself when that is no date)."""
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return day


def _blocks_sql(profile: Profile, subject_id: int) -> tuple[str, list[Any]]:
    """One query (a UNION of index lookups) for the subjects sharing a block with ``profile``."""
    alive = "s.status != 'merged' AND s.id != {}"
    born = profile.birth_date
    sql = f"SELECT s.id FROM subject s WHERE s.name_key = {{}} AND s.birth_date BETWEEN {{}} AND {{}} AND {alive}"
    args: list[Any] = [
        profile.name_key,
        born - duplicates.SEARCH_WINDOW,
        born + duplicates.SEARCH_WINDOW,
        subject_id,
    ]
    grams = sorted(trigrams(profile.name_key))
    near = [("s.birth_date BETWEEN {} AND {}", [born - NEAR_BIRTH, born + NEAR_BIRTH])]
    if _swapped(born) != born:
        near.append(("s.birth_date = {}", [_swapped(born)]))
    for condition, dates in near if grams else []:
        if is_sqlite(Subject._meta.db):
            # The birth date index first (SQLite's planner would scan the table without
            # statistics), then the subject's trigrams.
            sql += (
                " UNION SELECT s.id FROM subject s INDEXED BY subject_birth_date "
                "CROSS JOIN name_trigram t ON t.subject = s.id "
                f"WHERE {condition} AND {alive} AND t.trigram IN ({', '.join('{}' for _ in grams)}) "
                "GROUP BY s.id HAVING COUNT(*) >= {}"
            )
            args += [*dates, subject_id, *grams, math.ceil(SIMILAR_NAME * len(grams))]
        else:
            sql += f" UNION SELECT s.id FROM subject s WHERE {condition} AND {alive} AND s.name_key % {{}}"
            args += [*dates, subject_id, profile.name_key]
    if profile.mother_keys:
        mothers = sorted(profile.mother_keys)
        sql += (
            " UNION SELECT s.id FROM subject s JOIN subject_guardian sg ON sg.subject = s.id "
            "JOIN guardian g ON g.id = sg.guardian WHERE s.birth_date = {} AND sg.relationship = 'mother' "
            f"AND g.name_key IN ({', '.join('{}' for _ in mothers)}) AND {alive}"
        )
        args += [born, *mothers, subject_id]
    return sql, args


async def _pairs_for(batch: list[dict[str, Any]]) -> dict[Pair, tuple[float, tuple[str, ...], int]]:
    """Likely pairs involving the subjects of ``batch``: pair → (score, reasons, commune)."""
    mine = await duplicates.profiles(r["id"] for r in batch)
    neighbours: dict[int, set[int]] = {}
    for subject_id, profile in mine.items():
        sql, args = _blocks_sql(profile, subject_id)
        neighbours[subject_id] = {r["id"] for r in await Subject.raw(sql, *args)}
    by_phone = await _phone_neighbours({p for profile in mine.values() for p in profile.phones})
    for subject_id, profile in mine.items():
        for phone in profile.phones:
            neighbours[subject_id] |= by_phone.get(phone, set()) - {subject_id}
    theirs = await duplicates.profiles(await _alive(i for ids in neighbours.values() for i in ids))
    place_of = {r["id"]: r["place"] for r in batch}
    found: dict[Pair, tuple[float, tuple[str, ...], int]] = {}
    for subject_id, others in neighbours.items():
        for other in sorted(others & theirs.keys()):
            pair = _pair(subject_id, other)
            if pair in found:
                continue
            score, reasons = duplicates.score_pair(mine[subject_id], theirs[other])
            if score >= duplicates.CANDIDATE_SCORE:
                found[pair] = (score, reasons, place_of[subject_id])
    return found


async def _rescore(pairs: Collection[Pair]) -> dict[Pair, tuple[float, tuple[str, ...]]]:
    """Scores of listed pairs that the search did not meet again (both still unmerged)."""
    alive = await _alive(i for pair in pairs for i in pair)
    known = await duplicates.profiles(alive)
    result = {}
    for a, b in pairs:
        if a in known and b in known:
            score, reasons = duplicates.score_pair(known[a], known[b])
            if score >= duplicates.CANDIDATE_SCORE:
                result[(a, b)] = (score, reasons)
    return result


async def _store(
    found: dict[Pair, tuple[float, tuple[str, ...], int]], checked: list[int], counts: Counter[str], seen: set[Pair]
) -> None:
    """Write one batch's pairs; ``seen`` holds the pairs this run already wrote (a pair
    whose two records fall in different batches is met twice)."""
    now = clock.current().now()
    found = {pair: value for pair, value in found.items() if pair not in seen}
    async with own_unit_of_work():
        listed = await DuplicateCandidate.select(
            DuplicateCandidate.id, DuplicateCandidate.subject_a, DuplicateCandidate.subject_b, DuplicateCandidate.status
        ).where(DuplicateCandidate.subject_a.is_in(checked) | DuplicateCandidate.subject_b.is_in(checked))
        by_pair: dict[Pair, list[dict[str, Any]]] = defaultdict(list)
        for row in listed:
            by_pair[_pair(row["subject_a"], row["subject_b"])].append(row)
        stale = [
            p
            for p, rows in by_pair.items()
            if p not in found and p not in seen and any(r["status"] == "open" for r in rows)
        ]
        seen.update(found, stale)
        still = await _rescore(stale)
        for pair in stale:
            open_ids = [r["id"] for r in by_pair[pair] if r["status"] == "open"]
            if pair in still:
                await _refresh(open_ids, *still[pair], now)
                counts["refreshed"] += 1
            else:
                await DuplicateCandidate.delete().where(DuplicateCandidate.id.is_in(open_ids))
                counts["dropped"] += 1
        for pair, (score, reasons, place) in found.items():
            rows = by_pair.get(pair, [])
            if any(r["status"] in DECIDED for r in rows):
                counts["already_decided"] += 1
            elif rows:
                await _refresh([r["id"] for r in rows], score, reasons, now)
                counts["refreshed"] += 1
            else:
                await DuplicateCandidate.insert(
                    DuplicateCandidate(
                        place=place,
                        subject_a=pair[0],
                        subject_b=pair[1],
                        score=score,
                        reasons=list(reasons),
                        status="open",
                        found_at=now,
                    )
                )
                counts["new"] += 1


async def _refresh(ids: list[int], score: float, reasons: tuple[str, ...], now: datetime) -> None:
    await DuplicateCandidate.update(
        {DuplicateCandidate.score: score, DuplicateCandidate.reasons: list(reasons), DuplicateCandidate.found_at: now}
    ).where(DuplicateCandidate.id.is_in(ids))


async def find_duplicates(place_ids: Collection[int] | None, *, since: datetime | None = None) -> dict[str, int]:
    """List likely duplicate pairs for the subjects living in ``place_ids`` (None: the
    whole country), or only those registered or changed since ``since``. Works in
    batches, each written in its own short transaction. Returns counts: subjects
    checked, pairs new, refreshed, dropped, already decided."""
    counts: Counter[str] = Counter()
    seen: set[Pair] = set()
    last_id = 0
    while True:
        query = (
            Subject.select(Subject.id, Subject.place)
            .where((Subject.id > last_id) & (Subject.status != "merged"))
            .order_by(Subject.id)
            .limit(BATCH)
        )
        if place_ids is not None:
            query = query.where(Subject.place.is_in(sorted(place_ids) or [-1]))
        if since is not None:
            query = query.where(Subject.updated_at >= since)
        batch = await query
        if not batch:
            break
        last_id = batch[-1]["id"]
        counts["checked"] += len(batch)
        async with Subject._meta.db.transaction():  # reads only: one connection for the batch
            found = await _pairs_for(batch)
        await _store(found, [r["id"] for r in batch], counts, seen)
    return {k: counts[k] for k in ("checked", "new", "refreshed", "dropped", "already_decided")}


async def _last_country_run() -> datetime | None:
    """When the previous country-wide run started (its audit row says)."""
    row = (
        await AuditEvent.select(AuditEvent.after)
        .where((AuditEvent.action == RUN_ACTION) & (AuditEvent.entity_id == "all"))
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    after = json.loads(row["after"]) if row and isinstance(row["after"], str) else (row or {}).get("after")
    started = (after or {}).get("started_at")
    return datetime.fromisoformat(started) if started else None


async def run(
    actor: Actor, place_ids: Collection[int] | None, *, place_id: int | None, full: bool = False
) -> dict[str, Any]:
    """:func:`find_duplicates` with an audit row saying who ran it, where, since when, and
    what it found. A country-wide run is incremental unless ``full``."""
    started = clock.current().now()
    since = None if full or place_ids is not None else await _last_country_run()
    counts: dict[str, Any] = await find_duplicates(place_ids, since=since)
    counts |= {"started_at": started.isoformat(), "since": since.isoformat() if since else None}
    async with unit_of_work():
        entity_id = "all" if place_ids is None else place_id
        await audit.record(actor, RUN_ACTION, "duplicate_candidate", entity_id, place_id=place_id, after=counts)
    return counts


# Reading and deciding pairs.


async def _summaries(ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """The records of a page of pairs, shaped as the registry shows a subject (without
    pregnancies), read in two queries."""
    wanted = sorted(ids) or [-1]
    rows = await Subject.select().where(Subject.id.is_in(wanted))
    links = (
        await SubjectGuardian.select(
            SubjectGuardian.subject,
            SubjectGuardian.relationship,
            SubjectGuardian.is_primary,
            *(
                getattr(SubjectGuardian.guardian, name).as_alias(name)
                for name in ("id", "full_name", "phone", "personal_id", "messaging_consent")
            ),
        )
        .where(SubjectGuardian.subject.is_in(wanted))
        .order_by(SubjectGuardian.id)
    )
    guardians: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        guardians[link.pop("subject")].append(link)
    return {r["id"]: {**r, "code_display": codes.display(r["code"]), "guardians": guardians[r["id"]]} for r in rows}


def _reasons(value: Any) -> list[dict[str, str]]:
    names = json.loads(value) if isinstance(value, str) else value
    return [
        {"code": r, "vi": duplicates.REASONS[r][0], "en": duplicates.REASONS[r][1]}
        for r in names
        if r in duplicates.REASONS
    ]


async def _shaped(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    people = await _summaries({r["subject_a"] for r in rows} | {r["subject_b"] for r in rows})
    return [
        {
            "id": r["id"],
            "place": r["place"],
            "score": r["score"],
            "status": r["status"],
            "found_at": r["found_at"],
            "decided_at": r["decided_at"],
            "reasons": _reasons(r["reasons"]),
            "subjects": [people[r["subject_a"]], people[r["subject_b"]]],
        }
        for r in rows
    ]


async def pairs(
    where: index.SubjectFilter, *, status: str = "open", page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    """Pairs with either subject inside ``where`` (the caller's scope), best first."""
    condition, args = where.sql()
    sql = (
        "SELECT d.* FROM duplicate_candidate d WHERE d.status = {} AND EXISTS (SELECT 1 FROM subject s "
        f"WHERE (s.id = d.subject_a OR s.id = d.subject_b) AND {condition}) "
        "ORDER BY d.score DESC, d.id LIMIT {} OFFSET {}"
    )
    rows = list(await DuplicateCandidate.raw(sql, status, *args, page_size + 1, (page - 1) * page_size))
    return {
        "items": await _shaped(rows[:page_size]),
        "page": page,
        "page_size": page_size,
        "has_more": len(rows) > page_size,
    }


async def locked_pair(candidate_id: int, visible: Visible | None) -> dict[str, Any]:
    """The pair, locked for a decision, if both its subjects are visible (else 404, as
    for an unknown pair). Inside a unit of work."""
    found = await locked(DuplicateCandidate.select().where(DuplicateCandidate.id == candidate_id))
    if not found:
        raise NotFound(f"Duplicate pair {candidate_id} not found")
    row: dict[str, Any] = found[0]
    subjects = await Subject.select().where(Subject.id.is_in([row["subject_a"], row["subject_b"]]))
    for subject in subjects:
        if visible is not None and not await visible(subject):
            raise NotFound(f"Duplicate pair {candidate_id} not found")
    return row


async def decide(
    actor: Actor, candidate_id: int, *, before: str, after: str, action: str, visible: Visible | None = None
) -> dict[str, Any]:
    """Moves a pair from status ``before`` to ``after`` (409 from any other), audited."""
    async with unit_of_work():
        row = await locked_pair(candidate_id, visible)
        if row["status"] != before:
            raise Conflict(f"This pair was already {row['status']}", details={"status": row["status"]})
        decided_at = clock.current().now() if after in DECIDED else None
        await audit.update_audited(
            actor,
            DuplicateCandidate,
            candidate_id,
            row,
            {"status": after, "decided_at": decided_at},
            action=action,
            entity="duplicate_candidate",
            place_id=row["place"],
        )
    return (await _shaped([{**row, "status": after, "decided_at": decided_at}]))[0]


async def dismiss(actor: Actor, candidate_id: int, *, visible: Visible | None = None) -> dict[str, Any]:
    """ "Not a duplicate": the pair is never listed again. Both subjects must be visible."""
    return await decide(
        actor, candidate_id, before="open", after="dismissed", action="duplicates.dismiss", visible=visible
    )

"""Finding records that may be the same person, with the evidence a person can check.

Each piece of evidence adds to (or takes from) a score; a pair scoring at least
``CANDIDATE_SCORE`` is a candidate. Twins share a birth date, a mother and a phone but
not a given name: they are shown as candidates and need a person's confirmation, and are
never merged by the system.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from api.registry.identity.names import similarity
from api.registry.search import index
from db.tables import Subject, SubjectGuardian

CANDIDATE_SCORE = 0.5
SEARCH_WINDOW = timedelta(days=366)

REASONS: dict[str, tuple[str, str]] = {
    "same_personal_id": ("Cùng số định danh cá nhân", "Same personal ID number"),
    "different_personal_id": ("Khác số định danh cá nhân", "Different personal ID numbers"),
    "same_name": ("Cùng họ tên (không kể dấu, thứ tự)", "Same name (ignoring accents and order)"),
    "similar_name": ("Họ tên gần giống", "Similar name"),
    "same_birth_date": ("Cùng ngày sinh", "Same birth date"),
    "swapped_birth_date": ("Ngày sinh đảo ngày/tháng", "Birth date with day and month swapped"),
    "near_birth_date": ("Ngày sinh gần nhau", "Birth dates close together"),
    "different_sex": ("Khác giới tính", "Different sex"),
    "same_mother": ("Cùng tên mẹ", "Same mother's name"),
    "same_phone": ("Cùng số điện thoại người giám hộ", "Same guardian phone"),
    "possible_twin": (
        "Cùng ngày sinh và cùng mẹ nhưng khác tên: có thể là trẻ sinh đôi",
        "Same birth date and mother but another name: possibly a twin",
    ),
}
# Same birth and same family is worth a person's look even when names differ (a twin,
# or a name entered differently): it is always shown as a candidate.
SAME_BIRTH_AND_FAMILY = 0.55


@dataclass(frozen=True)
class Profile:
    """What duplicate detection compares about a subject."""

    subject_id: int | None
    name_key: str
    birth_date: date
    sex: str
    personal_id: str | None = None
    mother_keys: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    subject_id: int
    score: float
    reasons: tuple[str, ...]
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, language: str = "vi") -> dict[str, Any]:
        which = 1 if language == "en" else 0
        return {
            "subject_id": self.subject_id,
            "score": self.score,
            **self.summary,
            "reasons": [{"code": r, "text": REASONS[r][which]} for r in self.reasons],
        }


def _birth_evidence(a: date, b: date) -> tuple[float, str | None]:
    if a == b:
        return 0.3, "same_birth_date"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 0.2, "swapped_birth_date"
    gap = abs((a - b).days)
    if gap <= 7:
        return 0.15, "near_birth_date"
    if gap <= 31:
        return 0.05, "near_birth_date"
    if gap > 366:
        return -0.3, None
    return 0.0, None


def score_pair(a: Profile, b: Profile) -> tuple[float, tuple[str, ...]]:
    """How likely two profiles are the same person (about 0 to 1), and why."""
    if a.personal_id and b.personal_id:
        if a.personal_id == b.personal_id:
            return 1.0, ("same_personal_id",)
        return 0.0, ("different_personal_id",)
    total, reasons = 0.0, []
    name_similarity = 1.0 if a.name_key == b.name_key else similarity(a.name_key, b.name_key)
    if name_similarity == 1.0:
        total, reasons = 0.45, ["same_name"]
    elif name_similarity >= 0.55:
        total, reasons = 0.15 + 0.3 * name_similarity, ["similar_name"]
    points, reason = _birth_evidence(a.birth_date, b.birth_date)
    total += points
    if reason:
        reasons.append(reason)
    if "U" not in (a.sex, b.sex) and a.sex != b.sex:
        total -= 0.3
        reasons.append("different_sex")
    if a.mother_keys & b.mother_keys:
        total += 0.15
        reasons.append("same_mother")
    if a.phones & b.phones:
        total += 0.2
        reasons.append("same_phone")
    family = bool(a.mother_keys & b.mother_keys or a.phones & b.phones)
    if a.birth_date == b.birth_date and family and name_similarity < 1.0:
        reasons.append("possible_twin")
        total = max(total, SAME_BIRTH_AND_FAMILY)
    return round(max(0.0, min(total, 1.0)), 3), tuple(reasons)


async def profiles(subject_ids: Iterable[int]) -> dict[int, Profile]:
    """Profiles of stored subjects, with their mothers' names and guardians' phones."""
    ids = list(subject_ids)
    if not ids:
        return {}
    rows = await Subject.select(
        Subject.id, Subject.name_key, Subject.birth_date, Subject.sex, Subject.personal_id
    ).where(Subject.id.is_in(ids))
    links = await SubjectGuardian.select(
        SubjectGuardian.subject,
        SubjectGuardian.relationship,
        SubjectGuardian.guardian.name_key.as_alias("name_key"),
        SubjectGuardian.guardian.phone.as_alias("phone"),
    ).where(SubjectGuardian.subject.is_in(ids))
    mothers: dict[int, set[str]] = defaultdict(set)
    phones: dict[int, set[str]] = defaultdict(set)
    for link in links:
        if link["relationship"] == "mother":
            mothers[link["subject"]].add(link["name_key"])
        if link["phone"]:
            phones[link["subject"]].add(link["phone"])
    return {
        r["id"]: Profile(
            r["id"],
            r["name_key"],
            r["birth_date"],
            r["sex"],
            r["personal_id"],
            frozenset(mothers[r["id"]]),
            frozenset(phones[r["id"]]),
        )
        for r in rows
    }


async def _phone_matches(phones: frozenset[str], where: index.SubjectFilter) -> list[int]:
    if not phones:
        return []
    rows = await SubjectGuardian.select(SubjectGuardian.subject).where(
        SubjectGuardian.guardian.phone.is_in(list(phones))
    )
    ids = [r["subject"] for r in rows]
    if not ids:
        return []
    condition, args = index.SubjectFilter(
        subject_ids=ids, born_from=where.born_from, born_to=where.born_to, exclude_ids=where.exclude_ids
    ).sql()
    return [r["id"] for r in await Subject.raw(f"SELECT s.id FROM subject s WHERE {condition}", *args)]


async def candidates_for(profile: Profile, *, exclude: Iterable[int] = ()) -> list[Candidate]:
    """Stored subjects that may be the same person as ``profile``, best first
    (anywhere in the country: a duplicate in another commune is still a duplicate)."""
    where = index.SubjectFilter(
        born_from=profile.birth_date - SEARCH_WINDOW,
        born_to=profile.birth_date + SEARCH_WINDOW,
        exclude_ids=tuple(exclude),
    )
    found = {r["id"] for r in await index.name_candidates(profile.name_key, where, limit=50)}
    found.update(await _phone_matches(profile.phones, where))
    if profile.personal_id:
        same = await Subject.select(Subject.id).where(Subject.personal_id == profile.personal_id)
        found.update(r["id"] for r in same)
    found.difference_update(exclude)
    stored = await profiles(found)
    summaries = {
        r["id"]: r
        for r in await Subject.select(
            Subject.id,
            Subject.code,
            Subject.full_name,
            Subject.birth_date,
            Subject.sex,
            Subject.place,
        ).where(Subject.id.is_in(list(found) or [-1]))
    }
    result = []
    for subject_id, other in stored.items():
        score, reasons = score_pair(profile, other)
        if score >= CANDIDATE_SCORE:
            summary = {k: v for k, v in summaries[subject_id].items() if k != "id"}
            result.append(Candidate(subject_id, score, reasons, summary))
    return sorted(result, key=lambda c: -c.score)

"""Search by code, personal ID number, guardian phone, or name (ranked), within a filter.

What was typed decides how to search: a valid lifelong code, 12 digits, a phone number,
or else a name.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

from api.registry.identity import codes
from api.registry.search import index
from api.registry.search.ranking import NameQuery
from db.tables import Subject, SubjectGuardian

# What staff may look up beyond their area: identifiers of the subject itself.
NATIONWIDE = ("code", "personal_id")
_DIGITS = re.compile(r"^\+?[\d .-]{6,20}$")


def classify(query: str) -> str:
    text = query.strip()
    if codes.looks_like_code(text):
        return "code"
    compact = re.sub(r"[ .-]", "", text)
    if compact.isdigit() and len(compact) == 12:
        return "personal_id"
    if _DIGITS.match(text):
        return "phone"
    return "name"


def _phone(text: str) -> str | None:
    try:
        parsed = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


async def _where(where: index.SubjectFilter, extra: str, *values: Any) -> list[dict[str, Any]]:
    condition, args = where.sql()
    return list(await Subject.raw(f"SELECT s.* FROM subject s WHERE {extra} AND {condition}", *values, *args))


async def _exact(kind: str, query: str, where: index.SubjectFilter) -> list[dict[str, Any]]:
    if kind == "code":
        code = codes.normalize(query)
        rows = await _where(index.SubjectFilter(include_merged=True), "s.code = {}", code)
        # A merged subject's code leads to its survivor.
        survivors = [r["merged_into"] if r["status"] == "merged" else r["id"] for r in rows]
        if not survivors:
            return []
        placeholders = ", ".join("{}" for _ in survivors)
        return await _where(where, f"s.id IN ({placeholders})", *survivors)
    if kind == "personal_id":
        return await _where(where, "s.personal_id = {}", re.sub(r"[ .-]", "", query))
    phone = _phone(query)
    if phone is None:
        return []
    links = await SubjectGuardian.select(SubjectGuardian.subject).where(SubjectGuardian.guardian.phone == phone)
    ids = sorted({r["subject"] for r in links})
    if not ids:
        return []
    return await _where(where, f"s.id IN ({', '.join('{}' for _ in ids)})", *ids)


async def search(query: str, where: index.SubjectFilter, *, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    """One page of subjects matching ``query`` inside ``where``, best first."""
    kind = classify(query)
    start = (page - 1) * page_size
    if kind == "name":
        # Names with the same key outrank all others, longer names holding every typed
        # word come next: look for typos only if those do not fill this page (and tell
        # whether there is a next one).
        hits = await index.ranked_names(NameQuery(query), where, enough=start + page_size + 1)
    else:
        # The child's own identifier (code, ID number) finds it anywhere in the country
        # for staff, so a child who moved in is found (and claimed), not registered twice.
        # A guardian's phone is not the child's: it searches the caller's area only. A
        # parent only ever finds linked subjects.
        exact_where = (
            index.SubjectFilter(born_from=where.born_from, born_to=where.born_to)
            if kind in NATIONWIDE and where.subject_ids is None
            else where
        )
        hits = [(1.0, r) for r in await _exact(kind, query, exact_where)]
    window = hits[start : start + page_size + 1]
    items = [
        {
            **{k: r[k] for k in ("id", "code", "full_name", "birth_date", "sex", "place", "facility", "status")},
            "code_display": codes.display(r["code"]),
            "score": s,
            "matched_by": kind,
        }
        for s, r in window[:page_size]
    ]
    return {
        "items": items,
        "page": page,
        "page_size": page_size,
        "has_more": len(window) > page_size,
        "query_kind": kind,
    }

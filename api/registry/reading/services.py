"""A facility's subjects, compact: what a vaccinator needs to find a child offline and
see what is due. Read in two queries per page (subjects, then their guardians)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from api.immunization.services import assess
from api.registry.identity import codes
from db.tables import Subject, SubjectGuardian
from schedule.model import SeriesStatus

# "Next due" is what a session list needs: doses due by then (overdue ones included).
DUE_WITHIN = timedelta(days=30)


@lru_cache(maxsize=4096)
def _next_due(birth_date: date, sex: str, today: date) -> tuple[tuple[str, int | None, date, date | None], ...]:
    """The vaccine groups whose next dose is due within DUE_WITHIN. The registry keeps no
    dose history yet (it comes with the immunization-events issue), so the forecast
    depends only on birth date and sex: cached on them."""
    forecast = assess(birth_date=birth_date, sex=sex, doses=(), assessment_date=today)
    due = [
        (group.vaccine_group, group.dose_number, group.recommended, group.past_due)
        for group in forecast.vaccine_groups
        if group.status == SeriesStatus.NOT_COMPLETE
        and group.recommended is not None
        and group.recommended <= today + DUE_WITHIN
    ]
    return tuple(sorted(due, key=lambda item: (item[2], item[0])))  # earliest first, then by group


async def _phones(subject_ids: list[int]) -> dict[int, str | None]:
    """Each subject's guardian phone: the primary guardian's, else the first given."""
    rows = (
        await SubjectGuardian.select(
            SubjectGuardian.subject, SubjectGuardian.is_primary, SubjectGuardian.guardian.phone.as_alias("phone")
        )
        .where(SubjectGuardian.subject.is_in(subject_ids or [-1]))
        .order_by(SubjectGuardian.id)
    )
    phones: dict[int, str | None] = {}
    for row in sorted(rows, key=lambda r: not r["is_primary"]):  # stable: primary first, then in order
        if row["phone"]:
            phones.setdefault(row["subject"], row["phone"])
    return phones


async def facility_subjects(facility_id: int, *, today: date, page: int, page_size: int) -> dict[str, Any]:
    """The subjects the facility manages (merged records left out: their code leads to
    the survivor), by id, one page."""
    rows = list(
        await Subject.select(
            Subject.id, Subject.code, Subject.full_name, Subject.birth_date, Subject.sex, Subject.status
        )
        .where((Subject.facility == facility_id) & (Subject.status != "merged"))
        .order_by(Subject.id)
        .limit(page_size + 1)
        .offset((page - 1) * page_size)
    )
    shown = rows[:page_size]
    phones = await _phones([r["id"] for r in shown])
    items = [
        {
            "id": r["id"],
            "code": codes.display(r["code"]),
            "name": r["full_name"],
            "birth_date": r["birth_date"],
            "sex": r["sex"],
            "phone": phones.get(r["id"]),
            "status": r["status"],
            "next_due": [
                {"group": group, "dose": dose, "due": due, "overdue": overdue}
                for group, dose, due, overdue in (
                    _next_due(r["birth_date"], r["sex"], today) if r["status"] == "active" else ()
                )
            ],
        }
        for r in shown
    ]
    return {"items": items, "page": page, "page_size": page_size, "has_more": len(rows) > page_size}

"""A facility's subjects, compact: what a vaccinator needs to find a child offline and
see what is due. Read in three queries per page (subjects, their guardians, their
stored forecasts)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from api.registry.identity import codes
from db.tables import Subject, SubjectForecast, SubjectGuardian
from schedule.model import SeriesStatus

# "Next due" is what a session list needs: doses due by then (overdue ones included).
DUE_WITHIN = timedelta(days=30)


async def _next_due(subject_ids: list[int], today: date) -> dict[int, list[dict[str, Any]]]:
    """Each subject's vaccine groups whose next dose is due within DUE_WITHIN, earliest
    first, from the stored forecast (kept after every dose and change, so the download
    says what the record says; computing it here from birth date and sex left out the
    doses given, and cost an engine run per birth date)."""
    rows = (
        await SubjectForecast.select(
            SubjectForecast.subject,
            SubjectForecast.vaccine_group,
            SubjectForecast.dose_number,
            SubjectForecast.due,
            SubjectForecast.overdue,
        )
        .where(
            SubjectForecast.subject.is_in(subject_ids or [-1])
            & (SubjectForecast.status == SeriesStatus.NOT_COMPLETE.value)
            & (SubjectForecast.due <= today + DUE_WITHIN)
        )
        .order_by(SubjectForecast.due)
        .order_by(SubjectForecast.vaccine_group)
    )
    due: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        due[row["subject"]].append(
            {"group": row["vaccine_group"], "dose": row["dose_number"], "due": row["due"], "overdue": row["overdue"]}
        )
    return due


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
    due = await _next_due([r["id"] for r in shown if r["status"] == "active"], today)
    items = [
        {
            "id": r["id"],
            "code": codes.display(r["code"]),
            "name": r["full_name"],
            "birth_date": r["birth_date"],
            "sex": r["sex"],
            "phone": phones.get(r["id"]),
            "status": r["status"],
            "next_due": due.get(r["id"], []),
        }
        for r in shown
    ]
    return {"items": items, "page": page, "page_size": page_size, "has_more": len(rows) > page_size}

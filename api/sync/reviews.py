"""Cross-site double doses: a dose that arrives by sync when the same child had a dose
of the same vaccine group at another facility, inside the group's minimum interval,
recorded after this device last synced (so its vaccinator could not know). Both stay
administered and both are in stock (they happened); the engine judges validity; a
``dose_review`` row asks both facilities to look (docs/records.md, "Offline sync")."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, NotFound
from api.immunization import services as immunization
from api.places import facilities
from api.records import services as records
from api.scope import Scope
from db.tables import Dose, DoseReview, Facility
from db.unit_of_work import lock_row, unit_of_work
from schedule.dates import Duration, add

# A group with no interval between its doses (a single dose, BCG): four weeks, the
# schedule's usual shortest interval, still tells a double dose from a later one.
FALLBACK_INTERVAL = Duration(days=28, text="4 weeks")
_REFERENCE = date(2000, 1, 1)

_last_synced: ContextVar[datetime | None] = ContextVar("niis_device_last_synced", default=None)


@contextmanager
def device_last_synced(at: datetime | None) -> Iterator[None]:
    """While a batch runs: when the device had its last sync answer (None: unknown, so
    every dose elsewhere counts)."""
    token = _last_synced.set(at)
    try:
        yield
    finally:
        _last_synced.reset(token)


@functools.cache
def minimum_interval(group: str) -> Duration:
    """The shortest minimum interval between two doses of ``group`` in any series."""
    timeline = immunization.current_schedule().timeline
    intervals = [
        interval.min_interval
        for antigen in timeline.antigens.values()
        for series in antigen.series
        if series.vaccine_group == group
        for dose in series.doses
        for interval in dose.intervals
        if interval.min_interval is not None and interval.min_interval.key > 0
    ]
    return min(intervals, key=lambda d: add(_REFERENCE, d)) if intervals else FALLBACK_INTERVAL


def _groups(vaccine_code: str) -> list[str]:
    codes = immunization.current_schedule().group_codes
    return sorted(group for group, members in codes.items() if vaccine_code in members)


def _too_close(group: str, one: date, other: date) -> bool:
    earlier, later = sorted((one, other))
    return later < add(earlier, minimum_interval(group))


async def open_if_double(actor: Actor, subject: dict[str, Any], dose_id: int) -> None:
    """The records' hook after a dose is written: open the review of a synced dose that
    doubles one given at another facility meanwhile."""
    dose = await Dose.select().where(Dose.id == dose_id).first()
    assert dose is not None
    if dose["source"] != "synced" or dose["facility"] is None:
        return
    groups = _groups(dose["vaccine_code"])
    since = _last_synced.get()
    others = await Dose.select(Dose.id, Dose.vaccine_code, Dose.administered_on, Dose.facility, Dose.recorded_at).where(
        (Dose.subject == subject["id"])
        & (Dose.status == "administered")
        & (Dose.id != dose_id)
        & Dose.facility.is_not_null()
        & (Dose.facility != dose["facility"])
    )
    now = clock.current().now()
    for other in others:
        if since is not None and other["recorded_at"] <= since:
            continue  # the device had synced after it: its vaccinator could see it
        doubled = [
            group
            for group in groups
            if group in _groups(other["vaccine_code"])
            and _too_close(group, other["administered_on"], dose["administered_on"])
        ]
        if not doubled:
            continue
        opened = (
            await DoseReview.insert(
                DoseReview(
                    subject=subject["id"],
                    vaccine_groups=doubled,
                    first_dose=other["id"],
                    second_dose=dose_id,
                    first_facility=other["facility"],
                    second_facility=dose["facility"],
                    opened_at=now,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(DoseReview.id)
        )
        if opened:
            await audit.record(
                actor,
                "dose_review.open",
                "dose_review",
                opened[0]["id"],
                place_id=(await facilities.get(dose["facility"]))["place_id"],
                after={"subject": subject["id"], "groups": doubled, "doses": [other["id"], dose_id]},
            )


async def needs_looking_at(dose_id: int) -> tuple[list[str], list[int]]:
    """Why a dose just synced is a conflict (its flags, a double dose) and its reviews."""
    dose = await Dose.select(Dose.flags).where(Dose.id == dose_id).output(load_json=True).first()
    found = await DoseReview.select(DoseReview.id).where(DoseReview.second_dose == dose_id).order_by(DoseReview.id)
    reviews = [int(r["id"]) for r in found]
    return [*(dose["flags"] if dose else []), *(["double_dose"] if reviews else [])], reviews


def _dose_columns(side: Any) -> list[Any]:
    return [
        side.id,
        side.vaccine_code,
        side.administered_on,
        side.administered_at,
        side.facility,
        side.facility.name,
        side.lot_number,
        side.lot.number,
        side.product.code,
        side.source,
        side.status,
        side.flags,
        side.recorded_at,
    ]


def _dose(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    value = {k.removeprefix(prefix): v for k, v in row.items() if k.startswith(prefix)}
    return {
        "id": value["id"],
        "vaccine_code": value["vaccine_code"],
        "administered_on": value["administered_on"],
        "administered_at": value["administered_at"],
        "facility_id": value["facility"],
        "facility_name": value["facility.name"],
        "lot_number": value["lot.number"] or value["lot_number"],
        "product_code": value["product.code"],
        "source": value["source"],
        "status": value["status"],
        "flags": value["flags"],
        "recorded_at": value["recorded_at"],
    }


def _shaped(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "status": row["status"],
        "vaccine_groups": row["vaccine_groups"],
        "subject_id": row["subject"],
        "subject_code": row["subject.code"],
        "subject_name": row["subject.full_name"],
        "birth_date": row["subject.birth_date"],
        "first": _dose(row, "first_dose."),
        "second": _dose(row, "second_dose."),
        "opened_at": row["opened_at"],
        "resolved_at": row["resolved_at"],
        "resolved_by": row["resolved_by"],
        "note": row["note"],
    }


def _reviews() -> Any:
    return DoseReview.select(
        DoseReview.id,
        DoseReview.status,
        DoseReview.vaccine_groups,
        DoseReview.subject,
        DoseReview.subject.code,
        DoseReview.subject.full_name,
        DoseReview.subject.birth_date,
        *_dose_columns(DoseReview.first_dose),
        *_dose_columns(DoseReview.second_dose),
        DoseReview.opened_at,
        DoseReview.resolved_at,
        DoseReview.resolved_by,
        DoseReview.note,
    ).output(load_json=True)


def _within(scope: Scope) -> Any:
    """Reviews either of whose facilities is the caller's (its staff) or in their area."""
    if scope.facility_id is not None:
        return (DoseReview.first_facility == scope.facility_id) | (DoseReview.second_facility == scope.facility_id)
    places = scope.place_ids()
    if places is None:
        return DoseReview.id.is_not_null()
    ids = list(places) or [-1]
    return DoseReview.first_facility.place.is_in(ids) | DoseReview.second_facility.place.is_in(ids)


async def listed(scope: Scope, *, status: str | None) -> list[dict[str, Any]]:
    query = _reviews().where(_within(scope))
    if status is not None:
        query = query.where(DoseReview.status == status)
    return [_shaped(row) for row in await query.order_by(DoseReview.opened_at, ascending=False).limit(500)]


async def get(scope: Scope, review_id: int) -> dict[str, Any]:
    row = await _reviews().where((DoseReview.id == review_id) & _within(scope)).first()
    if row is None:
        raise NotFound(f"Dose review {review_id} not found")
    return _shaped(row)


async def resolve(actor: Actor, scope: Scope, review_id: int, *, note: str) -> dict[str, Any]:
    """Close the review with what was decided (a repeat dose planned, the parents told):
    both doses stay as they are; voiding one is its own write."""
    async with unit_of_work():
        await lock_row(DoseReview, review_id, DoseReview.id)  # two officers resolving at once: one wins
        review = await get(scope, review_id)
        if review["status"] != "open":
            raise Conflict(
                f"Dose review {review_id} was already resolved: {review['note']}", details={"status": review["status"]}
            )
        now = clock.current().now()
        await DoseReview.update(
            {
                DoseReview.status: "resolved",
                DoseReview.resolved_at: now,
                DoseReview.resolved_by: actor.account_id,
                DoseReview.note: note,
            }
        ).where(DoseReview.id == review_id)
        place = await Facility.select(Facility.place).where(Facility.id == review["second"]["facility_id"]).first()
        await audit.record(
            actor,
            "dose_review.resolve",
            "dose_review",
            review_id,
            place_id=place["place"] if place else None,
            before={"status": "open"},
            after={"status": "resolved", "note": note},
        )
    return await get(scope, review_id)


def register() -> None:
    """Plug the double-dose check into the records (at start-up)."""
    records.after_record(open_if_double)

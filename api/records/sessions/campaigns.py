"""Campaigns: one vaccine group for every child of an age range in an area between two
dates, whatever their history (e.g. MR for all children of 1-5 years in a province).

A child is in the target group when it lives in the area (the place's subtree: where it
lives; a facility: the children it manages), is active, and is aged between the range's
months on the campaign's first day. Progress: the children of the target group given an
administered dose counting for the campaign's vaccine group between its dates (in the
campaign or not: a child reached anyhow is reached), over the target.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Forbidden, Invalid, NotFound
from api.immunization import services as immunization
from api.places import facilities
from api.records.sessions.services import check_groups, facility_in
from api.scope import Scope
from db.tables import Campaign, Dose, Subject
from db.unit_of_work import unit_of_work

MAX_MONTHS = 18 * 12


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _born_between(campaign: dict[str, Any]) -> tuple[date, date]:
    """Birth dates of the target group: aged min..max months (max's month included) on the first day."""
    start = campaign["starts_on"]
    return months_before(start, campaign["max_age_months"] + 1), months_before(start, campaign["min_age_months"])


async def _area(scope: Scope, place_id: int | None, facility_id: int | None) -> None:
    if (place_id is None) == (facility_id is None):
        raise Invalid("Give the campaign's area: a place (province, district, commune) or a facility", field="place_id")
    if scope.facility_id is not None:
        raise Forbidden("Campaigns are planned by officers")
    if place_id is not None:
        scope.require_place(place_id)
        return
    await facility_in(scope, facility_id)


def _subjects_where(scope: Scope, campaign: dict[str, Any], subject: Any) -> Any:
    """The target group, as a condition on ``subject`` (Subject, or Dose.subject)."""
    earliest, latest = _born_between(campaign)
    where = (subject.birth_date > earliest) & (subject.birth_date <= latest) & (subject.status == "active")
    if campaign["facility"] is not None:
        return where & (subject.facility == campaign["facility"])
    places = scope.tree.all_within(campaign["place"], scope.day)
    return where & subject.place.is_in(sorted(places) or [-1])


async def target_size(scope: Scope, campaign: dict[str, Any]) -> int:
    return await Subject.count().where(_subjects_where(scope, campaign, Subject))


async def plan(
    actor: Actor,
    scope: Scope,
    *,
    name: str,
    vaccine_group: str,
    min_age_months: int,
    max_age_months: int,
    place_id: int | None,
    facility_id: int | None,
    starts_on: date,
    ends_on: date,
    target: int | None,
) -> dict[str, Any]:
    """Plan a campaign; its target is the target group counted now unless given."""
    await _area(scope, place_id, facility_id)
    check_groups([vaccine_group], "vaccine_group")
    if max_age_months < min_age_months:
        raise Invalid("The age range ends before it starts", field="max_age_months")
    if ends_on < starts_on:
        raise Invalid(f"The range ends ({ends_on}) before it starts ({starts_on})", field="ends_on")
    fields: dict[str, Any] = {
        "name": name.strip(),
        "vaccine_group": vaccine_group,
        "min_age_months": min_age_months,
        "max_age_months": max_age_months,
        "place": place_id,
        "facility": facility_id,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    size = target if target is not None else await target_size(scope, fields)
    async with unit_of_work():
        created = await Campaign.insert(
            Campaign(**fields, target=size, created_by=actor.account_id, created_at=clock.current().now())
        ).returning(Campaign.id)
        campaign_id = int(created[0]["id"])
        place = place_id if place_id is not None else (await facilities.get(facility_id or 0))["place_id"]
        await audit.record(
            actor, "campaign.plan", "campaign", campaign_id, place_id=place, after={**fields, "target": size}
        )
    return await get(scope, campaign_id)


async def _reached(scope: Scope, campaign: dict[str, Any]) -> int:
    """The target group's children given a dose of the group between the campaign's dates."""
    codes = immunization.current_schedule().group_codes.get(campaign["vaccine_group"], frozenset())
    return await Dose.count(distinct=[Dose.subject]).where(
        (Dose.status == "administered")
        & Dose.vaccine_code.is_in(sorted(codes) or ["-"])
        & (Dose.administered_on >= campaign["starts_on"])
        & (Dose.administered_on <= campaign["ends_on"])
        & _subjects_where(scope, campaign, Dose.subject)
    )


async def _shaped(scope: Scope, row: dict[str, Any]) -> dict[str, Any]:
    reached = await _reached(scope, row)
    return {
        **{k: v for k, v in row.items() if k not in ("place", "facility", "created_by")},
        "place_id": row["place"],
        "facility_id": row["facility"],
        "reached": reached,
        "progress": round(reached / row["target"], 3) if row["target"] else 0.0,
    }


def _seen(scope: Scope, row: dict[str, Any], facility_place: int | None) -> bool:
    """A campaign over (or inside) the caller's area."""
    if scope.national:
        return True
    place = row["place"] if row["place"] is not None else facility_place
    return place is not None and scope.sees_place(place)


async def get(scope: Scope, campaign_id: int) -> dict[str, Any]:
    row = await Campaign.select().where(Campaign.id == campaign_id).first()
    facility_place = (await facilities.get(row["facility"]))["place_id"] if row and row["facility"] else None
    if row is None or not _seen(scope, row, facility_place):
        raise NotFound(f"Campaign {campaign_id} not found")
    return await _shaped(scope, row)


async def listing(scope: Scope) -> list[dict[str, Any]]:
    """The campaigns over the caller's area, latest first, with their progress."""
    rows = await Campaign.select().order_by(Campaign.starts_on, ascending=False).order_by(Campaign.id)
    places = {f["id"]: f["place_id"] for f in await facilities.listing(place_ids=None)} if rows else {}
    return [await _shaped(scope, row) for row in rows if _seen(scope, row, places.get(row["facility"]))]

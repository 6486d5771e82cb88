"""Which subjects a caller may see: staff by area (address or managing facility),
a facility's staff by facility (or its commune), parents by link.

Every route that takes a subject id asks for ``subject`` (the record as the caller may
see it, following merges) or ``subject_record`` (the stored row, merged ones included):
an id outside the caller's area answers 404 exactly like an unknown one."""

from __future__ import annotations

from typing import Any

from litestar.di import Provide

from api.auth.roles import Role
from api.errors import Invalid, NotFound
from api.places import facilities
from api.registry.search.index import SubjectFilter
from api.registry.subjects import services
from api.scope import Scope
from db.tables import ParentLink, Subject


async def linked_subject_ids(account_id: int) -> list[int]:
    return [r["subject"] for r in await ParentLink.select(ParentLink.subject).where(ParentLink.account == account_id)]


async def subject_filter(scope: Scope, **filters: Any) -> SubjectFilter:
    """The search filter for what ``scope`` covers, plus ``filters`` (dates, sex ...)."""
    if scope.principal.role is Role.PARENT:
        return SubjectFilter(subject_ids=await linked_subject_ids(scope.principal.account_id), **filters)
    if scope.facility_id is not None:
        return SubjectFilter(facility_id=scope.facility_id, place_ids=sorted(scope.unit_place_ids()), **filters)
    places = scope.place_ids()
    return SubjectFilter(place_ids=None if places is None else sorted(places), **filters)


async def can_see(scope: Scope, subject: dict[str, Any]) -> bool:
    if scope.principal.role is Role.PARENT:
        return await ParentLink.exists().where(
            (ParentLink.account == scope.principal.account_id) & (ParentLink.subject == subject["id"])
        )
    if scope.facility_id is not None:
        return subject["facility"] == scope.facility_id or subject["place"] in scope.unit_place_ids()
    return scope.contains_place(subject["place"]) or scope.contains_place(subject["managing_place"])


async def require_visible(scope: Scope, subject: dict[str, Any]) -> None:
    if not await can_see(scope, subject):
        raise NotFound(f"Subject {subject['id']} not found")


async def require_destination(scope: Scope, place_id: int, facility_id: int) -> None:
    """The caller answers for the facility a subject will be managed by (registering,
    or taking over a child who moved in). Unknown ids are the caller's typing mistakes
    (422); existing ones outside the area are 404."""
    if place_id not in scope.tree:
        raise Invalid(f"Place {place_id} does not exist", field="place_id")
    try:
        facility = await facilities.get(facility_id)
    except NotFound:
        raise Invalid(f"Facility {facility_id} does not exist", field="facility_id") from None
    if not scope.contains_facility(facility_id, facility["place_id"]):
        raise NotFound(f"Facility {facility_id} not found")
    if scope.facility_id is None:
        scope.require_place(place_id)


async def provide_visible_subject(subject_id: int, area: Scope) -> dict[str, Any]:
    """The subject (a merged record answers as its survivor), if the caller may see it."""
    row = await services.get(subject_id)
    await require_visible(area, row)
    return row


async def provide_visible_record(subject_id: int, area: Scope) -> dict[str, Any]:
    """The subject's own stored row, merged or not, if the caller may see it."""
    row = await Subject.select().where(Subject.id == subject_id).first()
    if row is None:
        raise NotFound(f"Subject {subject_id} not found")
    await require_visible(area, row)
    return row


SUBJECT_DEPENDENCIES = {
    "subject": Provide(provide_visible_subject),
    "subject_record": Provide(provide_visible_record),
}

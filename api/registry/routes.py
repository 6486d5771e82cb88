"""The registry over HTTP: parse, authorize (role, then scope on the row), call the service."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import Parameter

from api.auth.guards import requires
from api.auth.roles import Permission
from api.errors import Invalid, NotFound
from api.places import facilities
from api.registry import access, search, service
from api.registry.schemas import (
    CorrectBody,
    DeathBody,
    MoveBody,
    MoveOut,
    PregnancyBody,
    RegisterBody,
    SearchPage,
    SubjectOut,
)
from api.requests import actor, principal
from api.scope import Scope, scope_of


async def _visible_subject(request: Request[Any, Any, Any], subject_id: int) -> tuple[Scope, dict[str, Any]]:
    scope = await scope_of(principal(request))
    row = await service.get(subject_id)
    await access.require_visible(scope, row)
    return scope, row


async def _require_destination(scope: Scope, place_id: int, facility_id: int) -> None:
    """The caller answers for the facility the subject will be managed by. Unknown ids
    are the caller's typing mistakes (422); existing ones outside the area are 404."""
    if place_id not in scope.tree:
        raise Invalid(f"Place {place_id} does not exist", field="place_id")
    try:
        facility = await facilities.get(facility_id)
    except NotFound:
        raise Invalid(f"Facility {facility_id} does not exist", field="facility_id") from None
    access.require_facility_in_scope(scope, facility_id, facility["place_id"])
    if scope.facility_id is None:
        scope.require_place(place_id)


def _out(row: dict[str, Any]) -> SubjectOut:
    return msgspec.convert(row, SubjectOut, from_attributes=True)


class SubjectController(Controller):
    path = "/api/subjects"
    tags = ["registry"]

    @get("/", guards=[requires(Permission.SUBJECTS_READ)])
    async def search_subjects(
        self,
        request: Request[Any, Any, Any],
        q: Annotated[str, Parameter(min_length=1, max_length=100, description="code, ID number, phone or name")],
        born_from: date | None = None,
        born_to: date | None = None,
        page: Annotated[int, Parameter(ge=1, le=1000)] = 1,
        page_size: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> SearchPage:
        """Find subjects by lifelong code, personal ID number, guardian phone or name
        (accents, case and word order ignored, typos tolerated), best first, within the
        caller's area."""
        scope = await scope_of(principal(request))
        where = await access.subject_filter(scope, born_from=born_from, born_to=born_to)
        return msgspec.convert(await search.search(q, where, page=page, page_size=page_size), SearchPage)

    @get("/{subject_id:int}", guards=[requires(Permission.SUBJECTS_READ)])
    async def get_subject(self, request: Request[Any, Any, Any], subject_id: int) -> SubjectOut:
        _, row = await _visible_subject(request, subject_id)
        return _out(row)

    @post("/", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def register_subject(self, request: Request[Any, Any, Any], data: RegisterBody) -> SubjectOut:
        """Register a person. If records that may be the same person exist, answers 409
        with them (score and reasons); send again with their ids in ``not_duplicate_of``
        once checked."""
        scope = await scope_of(principal(request))
        await _require_destination(scope, data.place_id, data.facility_id)
        fields = msgspec.structs.asdict(data)
        not_duplicate_of = tuple(fields.pop("not_duplicate_of"))
        fields["guardians"] = tuple(service.GuardianIn(**msgspec.structs.asdict(g)) for g in data.guardians)
        row = await service.register(actor(request), service.SubjectIn(**fields), not_duplicate_of=not_duplicate_of)
        return _out(row)

    @patch("/{subject_id:int}", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def correct_subject(self, request: Request[Any, Any, Any], subject_id: int, data: CorrectBody) -> SubjectOut:
        """Correct a record; send the ``version`` you read to be told (409) if someone
        else corrected it meanwhile."""
        await _visible_subject(request, subject_id)
        fields = msgspec.structs.asdict(data)
        version = fields.pop("version")
        return _out(await service.correct(actor(request), subject_id, fields, version=version))

    @post("/{subject_id:int}/move", guards=[requires(Permission.SUBJECTS_WRITE)], status_code=200)
    async def move_subject(self, request: Request[Any, Any, Any], subject_id: int, data: MoveBody) -> SubjectOut:
        """The subject moved: management passes to the new facility, history stays, and
        both communes see the move. The caller may answer for either side."""
        scope = await scope_of(principal(request))
        row = await service.get(subject_id)
        if not await access.can_see(scope, row):
            # The receiving side claims a child who moved in (found by code, ID or card).
            await _require_destination(scope, data.place_id, data.facility_id)
        return _out(
            await service.move(
                actor(request),
                subject_id,
                place_id=data.place_id,
                facility_id=data.facility_id,
                moved_on=data.moved_on,
                address_detail=data.address_detail,
            )
        )

    @post("/{subject_id:int}/death", guards=[requires(Permission.SUBJECTS_WRITE)], status_code=200)
    async def record_death(self, request: Request[Any, Any, Any], subject_id: int, data: DeathBody) -> SubjectOut:
        await _visible_subject(request, subject_id)
        return _out(await service.record_death(actor(request), subject_id, died_on=data.died_on))

    @post("/{subject_id:int}/pregnancies", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def add_pregnancy(self, request: Request[Any, Any, Any], subject_id: int, data: PregnancyBody) -> SubjectOut:
        await _visible_subject(request, subject_id)
        return _out(await service.add_pregnancy(actor(request), subject_id, expected_delivery=data.expected_delivery))

    @get("/moves", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def recent_moves(self, request: Request[Any, Any, Any]) -> list[MoveOut]:
        """Subjects who moved into or out of the caller's area, newest first."""
        scope = await scope_of(principal(request))
        places = scope.place_ids()
        if scope.facility_id is not None and scope.root_place_id is not None:
            places = frozenset({scope.root_place_id})
        return msgspec.convert(await service.moves_touching(places), list[MoveOut])

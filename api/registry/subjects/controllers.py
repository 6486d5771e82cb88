"""The registry over HTTP: parse, authorize (role, then scope on the row), call the service."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import Parameter

from api.auth.guards import requires
from api.auth.ratelimit import AttemptCounter
from api.auth.roles import Permission
from api.context import Actor
from api.registry.search import services as search
from api.registry.subjects import deps as access
from api.registry.subjects import services as service
from api.registry.subjects.schemas import (
    CorrectBody,
    DeathBody,
    MoveBody,
    MoveOut,
    PregnancyBody,
    RegisterBody,
    SearchPage,
    SubjectOut,
)
from api.registry.transfers import services as transfers
from api.scope import Scope


def _move_out(area: Scope, row: dict[str, Any]) -> MoveOut:
    names = {f"{side}_place_name": transfers.place_name(area, row[f"{side}_place"]) for side in ("from", "to")}
    return msgspec.convert({**row, **names}, MoveOut)


def _out(row: dict[str, Any]) -> SubjectOut:
    return msgspec.convert(row, SubjectOut, from_attributes=True)


class SubjectController(Controller):
    path = "/api/subjects"
    tags = ["registry"]
    dependencies = access.SUBJECT_DEPENDENCIES

    @get("/", guards=[requires(Permission.SUBJECTS_READ)])
    async def search_subjects(
        self,
        area: Scope,
        q: Annotated[str, Parameter(min_length=1, max_length=100, description="code, ID number, phone or name")],
        born_from: date | None = None,
        born_to: date | None = None,
        page: Annotated[int, Parameter(ge=1, le=1000)] = 1,
        page_size: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> SearchPage:
        """Find subjects by lifelong code, personal ID number, guardian phone or name
        (accents, case and word order ignored, typos tolerated), best first, within the
        caller's area."""
        where = await access.subject_filter(area, born_from=born_from, born_to=born_to)
        return msgspec.convert(await search.search(q, where, page=page, page_size=page_size), SearchPage)

    @get("/{subject_id:int}", guards=[requires(Permission.SUBJECTS_READ)])
    async def get_subject(self, subject: dict[str, Any]) -> SubjectOut:
        return _out(subject)

    @post("/", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def register_subject(self, area: Scope, actor: Actor, data: RegisterBody) -> SubjectOut:
        """Register a person. If records that may be the same person exist, answers 409
        with them (score and reasons); send again with their ids in ``not_duplicate_of``
        once checked."""
        await access.require_destination(area, data.place_id, data.facility_id)
        fields = msgspec.structs.asdict(data)
        not_duplicate_of = tuple(fields.pop("not_duplicate_of"))
        fields["guardians"] = tuple(service.GuardianIn(**msgspec.structs.asdict(g)) for g in data.guardians)
        row = await service.register(actor, service.SubjectIn(**fields), not_duplicate_of=not_duplicate_of)
        return _out(row)

    @patch("/{subject_id:int}", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def correct_subject(
        self, subject: dict[str, Any], actor: Actor, subject_id: int, data: CorrectBody
    ) -> SubjectOut:
        """Correct a record; send the ``version`` you read to be told (409) if someone
        else corrected it meanwhile."""
        fields = msgspec.structs.asdict(data)
        version = fields.pop("version")
        return _out(await service.correct(actor, subject_id, fields, version=version))

    @post("/{subject_id:int}/move", guards=[requires(Permission.SUBJECTS_WRITE)], status_code=200)
    async def move_subject(
        self, area: Scope, actor: Actor, attempts: AttemptCounter, subject_id: int, data: MoveBody
    ) -> SubjectOut:
        """The subject moved: management passes to the new facility, history stays, and
        both communes see the move. The managing side moves a subject anywhere; the
        receiving side takes over a child outside its area only with ``proof`` (the code
        on the card or the personal ID number), or through a transfer request. Unknown
        ids, ids outside the area and wrong proofs answer alike (404)."""
        fields = msgspec.structs.asdict(data)
        proof = fields.pop("proof")
        to = service.MoveTo(**fields)
        return _out(await transfers.move(actor, area, subject_id, to, proof=proof, attempts=attempts))

    @post("/{subject_id:int}/death", guards=[requires(Permission.SUBJECTS_WRITE)], status_code=200)
    async def record_death(self, subject: dict[str, Any], actor: Actor, subject_id: int, data: DeathBody) -> SubjectOut:
        return _out(await service.record_death(actor, subject_id, died_on=data.died_on))

    @post("/{subject_id:int}/pregnancies", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def add_pregnancy(
        self, subject: dict[str, Any], actor: Actor, subject_id: int, data: PregnancyBody
    ) -> SubjectOut:
        return _out(await service.add_pregnancy(actor, subject_id, expected_delivery=data.expected_delivery))

    @get("/{subject_id:int}/moves", guards=[requires(Permission.SUBJECTS_READ)])
    async def subject_moves(self, area: Scope, subject: dict[str, Any], subject_id: int) -> list[MoveOut]:
        """The subject's moves between communes, newest first (its record's history), with
        the names of both sides (one of them is usually outside the caller's area)."""
        return [_move_out(area, row) for row in await service.moves_of(subject_id)]

    @get("/moves", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def recent_moves(self, area: Scope) -> list[MoveOut]:
        """Subjects who moved into or out of the caller's area, newest first."""
        places = area.place_ids()
        if area.facility_id is not None:
            places = area.unit_place_ids()
        return [_move_out(area, row) for row in await service.moves_touching(places)]

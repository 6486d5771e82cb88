"""Vaccination records over HTTP: record a dose (idempotent under the device's key),
void one, and read a subject's doses and forecast from them."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post

from api.auth.guards import requires
from api.auth.principal import Principal
from api.auth.roles import Permission
from api.context import Actor
from api.errors import Invalid
from api.idempotency import HEADER, parse_key
from api.immunization.schemas import Assessment
from api.records import services
from api.records.deps import DOSE_DEPENDENCIES
from api.records.schemas import DoseIn, DoseOut, RecordedDose, VoidIn
from api.registry.subjects.deps import SUBJECT_DEPENDENCIES, provide_visible_subject
from api.scope import Scope
from api.sync import services as sync
from schedule.vn.screening import Answer


def _answer(dose: dict[str, Any], result: Assessment) -> RecordedDose:
    return RecordedDose(dose=msgspec.convert(dose, DoseOut), forecast=result.vaccine_groups)


def _dose_in(data: DoseIn) -> services.DoseIn:
    fields = msgspec.structs.asdict(data)
    fields.pop("subject_id")
    fields.pop("subject_key")
    if data.screening is not None:
        fields["screening"] = services.ScreeningIn(
            data.screening.form,
            {
                qid: a if isinstance(a, bool) else Answer(**msgspec.structs.asdict(a))
                for qid, a in data.screening.answers.items()
            },
        )
    return services.DoseIn(**fields)


async def _subject_id(actor: Actor, data: DoseIn) -> int:
    if (data.subject_id is None) == (data.subject_key is None):
        raise Invalid(
            "Name the subject by subject_id, or by subject_key for a child registered offline", field="subject_id"
        )
    if data.subject_id is not None:
        return data.subject_id
    assert data.subject_key is not None and actor.account_id is not None  # a signed-in write
    return await sync.subject_of_key(actor.account_id, data.subject_key)


class DoseController(Controller):
    path = "/api/doses"
    tags = ["records"]
    dependencies = DOSE_DEPENDENCIES

    @post("/", status_code=201, guards=[requires(Permission.DOSES_WRITE)])
    async def record(self, request: Request[Any, Any, Any], actor: Actor, area: Scope, data: DoseIn) -> RecordedDose:
        """Record a dose: given here from a store's lot (its stock goes down by one), or
        historical (given elsewhere, from a card). The ``Idempotency-Key`` is required: it
        is the dose's key, so a retried or twice-synced dose is recorded once."""
        raw = request.headers.get(HEADER)
        if not raw:
            raise Invalid(
                "Send an Idempotency-Key (a UUID made once per dose) so a retry never records the dose twice",
                details={"header": HEADER},
            )
        subject = await provide_visible_subject(await _subject_id(actor, data), area)
        dose, result = await services.record(actor, area, subject, _dose_in(data), key=parse_key(raw))
        return _answer(dose, result)

    @post("/{dose_id:int}/void", status_code=200, guards=[requires(Permission.DOSES_WRITE)])
    async def void(
        self, actor: Actor, area: Scope, dose_subject: dict[str, Any], dose_id: int, data: VoidIn
    ) -> RecordedDose:
        """Void a dose with the reason (it stays in the history): its doses go back to
        the lot and the forecast is recomputed."""
        dose, result = await services.void(actor, area, dose_subject, dose_id, reason=data.reason)
        return _answer(dose, result)


class SubjectDoseController(Controller):
    path = "/api/subjects"
    tags = ["records"]
    dependencies = SUBJECT_DEPENDENCIES

    @get("/{subject_id:int}/doses", guards=[requires(Permission.SUBJECTS_READ)])
    async def doses(self, subject: dict[str, Any]) -> list[DoseOut]:
        """The subject's doses in date order, voided ones included (with the reason)."""
        return msgspec.convert(await services.doses_of(subject["id"]), list[DoseOut])

    @get("/{subject_id:int}/forecast", guards=[requires(Permission.SUBJECTS_READ)])
    async def forecast(self, caller: Principal, subject: dict[str, Any]) -> Assessment:
        """Each recorded dose's evaluation and each vaccine group's forecast today, from
        the subject's administered doses."""
        return services.assess(subject, await services.doses_of(subject["id"]), caller.language)

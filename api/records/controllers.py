"""Vaccination records over HTTP: check a proposed dose, record one (idempotent under
the device's key), void or correct one, and read a subject's doses and forecast."""

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
from api.records import lots, services
from api.records.deps import DOSE_DEPENDENCIES
from api.records.schemas import CorrectionIn, DoseCheck, DoseIn, DoseOut, RecordedDose, UsableLot, VoidIn
from api.registry.subjects.deps import SUBJECT_DEPENDENCIES, provide_visible_subject
from api.scope import Scope
from api.sync import services as sync
from schedule.vn.screening import Answer


def _answer(dose: dict[str, Any], result: Assessment) -> RecordedDose:
    return RecordedDose(dose=msgspec.convert(dose, DoseOut), forecast=result.vaccine_groups)


def _dose_in(data: DoseIn) -> services.DoseIn:
    fields = msgspec.structs.asdict(data)
    fields.pop("subject_id")
    fields.pop("reason", None)  # a correction's, not the dose's
    fields.pop("subject_key", None)
    if data.screening is not None:
        fields["screening"] = services.ScreeningIn(
            data.screening.form,
            {
                qid: a if isinstance(a, bool) else Answer(**msgspec.structs.asdict(a))
                for qid, a in data.screening.answers.items()
            },
        )
    return services.DoseIn(**fields)


def required_key(request: Request[Any, Any, Any], what: str = "dose") -> str:
    """The write's own key (a dose's, a report's): required, so a retry is one write."""
    raw = request.headers.get(HEADER)
    if not raw:
        raise Invalid(
            f"Send an Idempotency-Key (a UUID made once per {what}) so a retry never records it twice",
            details={"header": HEADER},
        )
    return parse_key(raw)


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

    @post("/check", status_code=200, guards=[requires(Permission.DOSES_WRITE)])
    async def check(self, actor: Actor, caller: Principal, area: Scope, data: DoseIn) -> DoseCheck:
        """What saving this dose would say, before it is saved (the same body as
        ``POST /api/doses``, no key needed): the findings to confirm, the engine's
        verdict and the forecast after it. Refused as the record would be; writes nothing."""
        subject = await provide_visible_subject(await _subject_id(actor, data), area)
        found = await services.proposal(area, subject, _dose_in(data), language=caller.language)
        return msgspec.convert(
            {
                "findings": found.findings,
                "evaluation": {"valid": found.valid, "reasons": found.reasons},
                "forecast": found.forecast,
            },
            DoseCheck,
            from_attributes=True,
        )

    @post("/", status_code=201, guards=[requires(Permission.DOSES_WRITE)])
    async def record(
        self, request: Request[Any, Any, Any], actor: Actor, caller: Principal, area: Scope, data: DoseIn
    ) -> RecordedDose:
        """Record a dose: given here from a store's lot (its stock goes down by one), or
        historical (given elsewhere, from a card). The ``Idempotency-Key`` is required: it
        is the dose's key, so a retried or twice-synced dose is recorded once. The check's
        findings not confirmed are a 409 ``needs_confirmation`` (a synced dose keeps them)."""
        key = required_key(request)
        subject = await provide_visible_subject(await _subject_id(actor, data), area)
        dose, result = await services.record(actor, area, subject, _dose_in(data), key=key, language=caller.language)
        return _answer(dose, result)

    @get("/lots", guards=[requires(Permission.DOSES_WRITE)])
    async def lots(self, area: Scope) -> list[UsableLot]:
        """The lots the caller's facility may give a dose from now: on hand, not expired,
        not on hold, first expiry first, with the vaccine code and route to record."""
        return msgspec.convert(await lots.usable_lots(area), list[UsableLot])

    @post("/{dose_id:int}/void", status_code=200, guards=[requires(Permission.DOSES_WRITE)])
    async def void(
        self, actor: Actor, area: Scope, dose_subject: dict[str, Any], dose_id: int, data: VoidIn
    ) -> RecordedDose:
        """Void a dose with the reason (it stays in the history): its doses go back to
        the lot and the forecast is recomputed."""
        dose, result = await services.void(actor, area, dose_subject, dose_id, reason=data.reason)
        return _answer(dose, result)

    @post("/{dose_id:int}/correct", status_code=201, guards=[requires(Permission.DOSES_WRITE)])
    async def correct(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        caller: Principal,
        area: Scope,
        dose_subject: dict[str, Any],
        dose_id: int,
        data: CorrectionIn,
    ) -> RecordedDose:
        """Correct a dose: it is voided with the reason and the new one (``corrects_id``)
        recorded in its place, together; the stock moves only if the lot changed. The
        ``Idempotency-Key`` is the new dose's key."""
        key = required_key(request)
        if (await provide_visible_subject(await _subject_id(actor, data), area))["id"] != dose_subject["id"]:
            raise Invalid(
                "A correction keeps the dose's subject: to move a dose to another person, void it and record it there",
                field="subject_id",
            )
        dose, result = await services.correct(
            actor, area, dose_subject, dose_id, _dose_in(data), reason=data.reason, key=key, language=caller.language
        )
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

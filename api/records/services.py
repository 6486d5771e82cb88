"""Record and void doses, each in one unit of work with its stock entry, its audit row
and the subject's stored forecast (docs/records.md).

The records touch stock through ``api.stock.services`` only (``record_doses_administered``
to give, ``reverse`` to take a voided dose back), so the ledger's rules and its
concurrency hold for doses as for every other movement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import msgspec

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.immunization import services as immunization
from api.immunization.schemas import Assessment
from api.places import facilities
from api.scope import Scope
from api.stock import catalogue, stores
from api.stock import services as ledger
from db.tables import Dose, SubjectForecast
from db.unit_of_work import lock_row, unit_of_work
from schedule.model import AdministeredDose, Patient
from schedule.vn.advice import Action
from schedule.vn.screening import Answer, ScreeningError, screen

Source = Literal["recorded", "synced", "historical"]
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Screening outcomes that hold a vaccine back today, and how strongly.
_HELD_BACK = {Action.POSTPONE: "precaution", Action.REFER: "precaution", Action.DO_NOT_GIVE: "contraindication"}

# Called with each dose just written, inside its unit of work: the sync package opens
# the review of a cross-site double dose there (it sits above records, so it registers
# itself at start-up, api/app.py, rather than records importing it).
DoseHook = Callable[[Actor, dict[str, Any], int], Awaitable[None]]
_after_record: list[DoseHook] = []


def after_record(hook: DoseHook) -> None:
    if hook not in _after_record:
        _after_record.append(hook)


@dataclass(frozen=True)
class ScreeningIn:
    form: str
    answers: Mapping[str, bool | Answer]


@dataclass(frozen=True)
class DoseIn:
    """A dose as the vaccinator (or a paper card) tells it; see docs/records.md, "Model"."""

    vaccine_code: str
    source: Source = "recorded"
    administered_on: date | None = None
    administered_at: datetime | None = None
    lot_id: int | None = None
    store_id: int | None = None
    product_id: int | None = None
    lot_number: str = ""
    lot_expiry: date | None = None
    given_elsewhere: str = ""
    vaccinator_name: str = ""
    programme: str = "epi"
    route: str = ""
    site: str = ""
    screening: ScreeningIn | None = None
    override_reason: str = ""
    override_contraindication: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)


class NeedsConfirmation(Conflict):
    """The screening holds this vaccine back: save only with the vaccinator's reason."""

    def __init__(self, findings: list[dict[str, Any]], *, contraindicated: bool) -> None:
        if contraindicated:
            message = (
                "The screening contraindicates this vaccine today: record it only with an explicit "
                "override (override_contraindication) and the reason"
            )
        else:
            message = "The screening says to postpone or refer: record the dose only with the reason it was given"
        super().__init__(message, details={"findings": findings})


def _local_date(instant: datetime) -> date:
    return instant.astimezone(VIETNAM).date()


def _when(data: DoseIn, birth_date: date, died_on: date | None) -> tuple[date, datetime | None]:
    """The dose's local date and instant: a dose recorded here happened now unless the
    device says when; a card gives a date."""
    today = clock.current().today()
    at = data.administered_at
    if at is None and data.source == "recorded":
        at = clock.current().now()
    if at is not None and at.tzinfo is None:
        raise Invalid("administered_at needs a time zone offset (e.g. +07:00)", field="administered_at")
    on = data.administered_on or (_local_date(at) if at is not None else None)
    if on is None:
        raise Invalid("Give the date the dose was given", field="administered_on")
    if at is not None and data.administered_on is not None and _local_date(at) != on:
        raise Invalid(
            f"administered_at is {_local_date(at)} in Vietnam, not {on}: send one or make them agree",
            field="administered_on",
        )
    if on > today:
        raise Invalid(f"The dose date {on} is in the future (today is {today})", field="administered_on")
    if on < birth_date:
        raise Invalid(f"The dose date {on} is before the birth date {birth_date}", field="administered_on")
    if died_on is not None and on > died_on:
        raise Invalid(f"The dose date {on} is after the date of death {died_on}", field="administered_on")
    return on, at


def _screening_findings(subject: dict[str, Any], on: date, data: DoseIn) -> tuple[dict[str, Any] | None, list[Any]]:
    """The screening as stored, and what it says against this vaccine."""
    if data.screening is None:
        return None, []
    patient = Patient(subject["birth_date"], subject["sex"], tuple(_engine_doses(subject.get("doses", []))))
    try:
        outcome = screen(patient, on, data.screening.form, data.screening.answers)
    except ScreeningError as error:
        raise Invalid(str(error), field="screening") from None
    findings = [
        {
            "code": advice.action.name.lower(),
            "severity": _HELD_BACK[advice.action],
            "vaccine_group": group,
            "until": advice.until,
        }
        for group, advice in outcome.vaccine_groups.items()
        if data.vaccine_code in advice.withheld and advice.action in _HELD_BACK
    ]
    stored = {
        "form": outcome.form,
        "checklist_version": outcome.checklist_version,
        "answers": {qid: msgspec.to_builtins(a) for qid, a in data.screening.answers.items()},
        "outcome": outcome.decision.value,
        "observations": [{"code": o.code, "start": o.start, "end": o.end} for o in outcome.observations],
    }
    return msgspec.to_builtins(stored), findings


def _confirmed(data: DoseIn, findings: list[dict[str, Any]]) -> None:
    if not findings:
        return
    if any(f["severity"] == "contraindication" for f in findings) and not (
        data.override_contraindication and data.override_reason
    ):
        raise NeedsConfirmation(msgspec.to_builtins(findings), contraindicated=True)
    if not data.override_reason:
        raise NeedsConfirmation(msgspec.to_builtins(findings), contraindicated=False)


async def _stock_lot(scope: Scope, data: DoseIn, on: date) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The store and lot of a dose given from stock, and the flags a synced dose keeps."""
    if data.lot_id is None or data.store_id is None:
        raise Invalid("A dose given here names the store and the lot it came from", field="lot_id")
    if scope.facility_id is None:
        raise Forbidden("Doses from stock are recorded by the staff of the facility that holds the stock")
    store = await stores.kept(scope, data.store_id)
    try:
        lot = await catalogue.lot(data.lot_id)
    except NotFound:
        raise Invalid(f"Lot {data.lot_id} not found", field="lot_id") from None
    if data.product_id is not None and data.product_id != lot["product_id"]:
        raise Invalid(
            f"Lot {lot['number']} is a lot of {lot['product_code']}, not of product {data.product_id}", field="lot_id"
        )
    problems = (["lot_on_hold"] if lot["on_hold"] else []) + (["lot_expired"] if lot["expiry"] < on else [])
    if problems and data.source == "recorded":
        # The vaccinator can still pick another vial: refuse, saying why.
        why = "is on hold (stopped everywhere)" if lot["on_hold"] else f"expired on {lot['expiry']}"
        raise Conflict(
            f"Lot {lot['number']} of {lot['product_code']} {why}: do not use it, take a vial of another lot",
            details={"lot_id": lot["id"], "reason": problems[0]},
        )
    return store, lot, problems


def _engine_doses(rows: Sequence[dict[str, Any]]) -> list[AdministeredDose]:
    return [AdministeredDose(row["administered_on"], row["vaccine_code"]) for row in rows]


_COLUMNS = (
    *Dose.all_columns(exclude=[Dose.subject, Dose.lot, Dose.store, Dose.facility, Dose.product, Dose.corrects]),
    Dose.subject.as_alias("subject_id"),
    Dose.lot.as_alias("lot_id"),
    Dose.store.as_alias("store_id"),
    Dose.facility.as_alias("facility_id"),
    Dose.product.as_alias("product_id"),
    Dose.corrects.as_alias("corrects_id"),
    Dose.lot.number.as_alias("lot"),
    Dose.product.code.as_alias("product_code"),
)


def _shaped(row: dict[str, Any]) -> dict[str, Any]:
    # A dose from stock names its lot through the lot row; a historical one as typed.
    lot = row.pop("lot")
    return {**row, "lot_number": lot or row["lot_number"]}


def _doses() -> Any:
    return Dose.select(*_COLUMNS).output(load_json=True)


async def doses_of(subject_id: int) -> list[dict[str, Any]]:
    """A subject's doses, voided ones included, in date order."""
    rows = await _doses().where(Dose.subject == subject_id).order_by(Dose.administered_on).order_by(Dose.id)
    return [_shaped(row) for row in rows]


async def get(dose_id: int) -> dict[str, Any]:
    row = await _doses().where(Dose.id == dose_id).first()
    if row is None:
        raise NotFound(f"Dose {dose_id} not found")
    return _shaped(row)


def _administered(doses: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in doses if d["status"] == "administered"]


def assess(subject: dict[str, Any], doses: Sequence[dict[str, Any]], language: str = "vi") -> Assessment:
    """The engine's evaluation of the subject's administered doses (in that order) and
    its forecast today."""
    return immunization.assess(
        birth_date=subject["birth_date"],
        sex=subject["sex"] if subject["sex"] in {"F", "M"} else "U",
        doses=[immunization.DoseGiven(d["administered_on"], d["vaccine_code"]) for d in _administered(doses)],
        assessment_date=clock.current().today(),
        language=language,
    )


async def store_forecast(subject: dict[str, Any], result: Assessment) -> None:
    """Rewrite the subject's stored forecast from ``result`` (inside the caller's unit)."""
    now = clock.current().now()
    await SubjectForecast.delete().where(SubjectForecast.subject == subject["id"])
    await SubjectForecast.insert(
        *(
            SubjectForecast(
                subject=subject["id"],
                facility=subject["facility"],
                place=subject["place"],
                vaccine_group=group.vaccine_group,
                status=group.status.value,
                dose_number=group.dose_number,
                earliest=group.earliest,
                due=group.recommended,
                overdue=group.past_due,
                latest=group.latest,
                schedule=result.schedule,
                computed_at=now,
            )
            for group in result.vaccine_groups
        )
    )


async def _refresh(subject: dict[str, Any]) -> Assessment:
    result = assess(subject, await doses_of(subject["id"]))
    await store_forecast(subject, result)
    return result


async def stored_forecast(subject_id: int) -> list[dict[str, Any]]:
    return (
        await SubjectForecast.select()
        .where(SubjectForecast.subject == subject_id)
        .order_by(SubjectForecast.vaccine_group)
    )


async def _audit_place(facility_id: int | None, subject: dict[str, Any]) -> int:
    if facility_id is None:
        return int(subject["managing_place"])
    return int((await facilities.get(facility_id))["place_id"])


async def record(
    actor: Actor, scope: Scope, subject: dict[str, Any], data: DoseIn, *, key: str
) -> tuple[dict[str, Any], Assessment]:
    """Record one dose: the dose, its stock entry, the audit row and the subject's stored
    forecast, together or not at all. A key already recorded answers that dose."""
    if data.vaccine_code not in immunization.current_schedule().timeline.vaccines:
        raise Invalid(f"Unknown vaccine code {data.vaccine_code!r}", field="vaccine_code")
    async with unit_of_work():
        earlier = await Dose.select(Dose.id, Dose.subject).where(Dose.key == key).first()
        if earlier is not None:
            if earlier["subject"] != subject["id"]:
                raise Conflict("This key was used for a dose of another subject: use a new key for a new dose")
            return await get(int(earlier["id"])), assess(subject, await doses_of(subject["id"]))
        on, at = _when(data, subject["birth_date"], subject.get("died_on"))
        history = _administered(await doses_of(subject["id"]))
        screening, findings = _screening_findings({**subject, "doses": history}, on, data)
        _confirmed(data, findings)
        store: dict[str, Any] | None = None
        lot: dict[str, Any] | None = None
        flags: list[str] = []
        if data.source == "historical":
            if data.lot_id is not None or data.store_id is not None:
                raise Invalid("A historical dose takes nothing from stock: give lot_number, not lot_id", field="lot_id")
        else:
            store, lot, flags = await _stock_lot(scope, data, on)
        facility_id = store["facility_id"] if store else scope.facility_id
        now = clock.current().now()
        created = await Dose.insert(
            Dose(
                key=key,
                subject=subject["id"],
                vaccine_code=data.vaccine_code,
                product=lot["product_id"] if lot else data.product_id,
                lot=lot["id"] if lot else None,
                store=store["id"] if store else None,
                lot_number="" if lot else data.lot_number,
                lot_expiry=lot["expiry"] if lot else data.lot_expiry,
                administered_on=on,
                administered_at=at,
                facility=facility_id,
                given_elsewhere=data.given_elsewhere,
                vaccinator=actor.account_id if data.source != "historical" else None,
                vaccinator_name=data.vaccinator_name,
                programme=data.programme,
                route=data.route,
                site=data.site,
                screening=screening,
                warnings=msgspec.to_builtins([*findings, *({"code": f} for f in flags)]),
                flags=flags,
                override_reason=data.override_reason,
                source=data.source,
                recorded_at=now,
                recorded_by=actor.account_id,
            )
        ).returning(Dose.id)
        dose_id = int(created[0]["id"])
        if store is not None and lot is not None:
            event_id = await ledger.record_doses_administered(
                actor, store, lot["id"], key=f"dose:{key}", offline=data.source == "synced", given_at=at
            )
            await Dose.update({Dose.stock_event: event_id}).where(Dose.id == dose_id)
        for hook in _after_record:
            await hook(actor, subject, dose_id)
        shown = {"subject": subject["id"], "vaccine_code": data.vaccine_code, "administered_on": on}
        if lot is not None:
            shown["lot"] = lot["number"]
        await audit.record(
            actor,
            "dose.record",
            "dose",
            dose_id,
            place_id=await _audit_place(facility_id, subject),
            after={**shown, "source": data.source},
        )
        result = await _refresh(subject)
    return await get(dose_id), result


def _may_void(scope: Scope, dose: dict[str, Any], facility_place: int | None) -> bool:
    if dose["facility_id"] is None or facility_place is None:
        return True  # a historical dose: whoever may see the subject corrects its history
    return scope.contains_facility(dose["facility_id"], facility_place)


async def void(
    actor: Actor, scope: Scope, subject: dict[str, Any], dose_id: int, *, reason: str
) -> tuple[dict[str, Any], Assessment]:
    """Void a dose (never delete it): its stock entry reversed, the forecast recomputed."""
    async with unit_of_work():
        row = await lock_row(Dose, dose_id)
        if row is None or row["subject"] != subject["id"]:
            raise NotFound(f"Dose {dose_id} not found")
        dose = await get(dose_id)
        facility_place = (await facilities.get(dose["facility_id"]))["place_id"] if dose["facility_id"] else None
        if not _may_void(scope, dose, facility_place):
            raise NotFound(f"Dose {dose_id} not found")
        if dose["status"] == "voided":
            raise Conflict(
                f"Dose {dose_id} was already voided ({dose['void_reason']})", details={"status": dose["status"]}
            )
        now = clock.current().now()
        await Dose.update(
            {Dose.status: "voided", Dose.void_reason: reason, Dose.voided_at: now, Dose.voided_by: actor.account_id}
        ).where(Dose.id == dose_id)
        if dose["stock_event"] is not None:
            store = await stores.get(dose["store_id"])
            assert store is not None
            await ledger.reverse(
                actor,
                store,
                dose["stock_event"],
                note=f"dose {dose_id} voided: {reason}"[:500],
                key=f"void:{dose['key']}",
            )
        await audit.record(
            actor,
            "dose.void",
            "dose",
            dose_id,
            place_id=facility_place if facility_place is not None else subject["managing_place"],
            before={"status": "administered"},
            after={"status": "voided", "reason": reason},
        )
        result = await _refresh(subject)
    return await get(dose_id), result

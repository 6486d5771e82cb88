"""Record, void and correct doses, each in one unit of work with its stock entry (and
the vial it opened), its audit row, the subject's stored forecast and the parent's
message (docs/records.md). What is checked before a dose is saved is ``checks``.

The records touch stock through ``api.stock`` only (``record_doses_administered`` to
give, ``open_vials.vial_for_dose`` for the vial, ``reverse`` to take a voided dose
back), so the ledger's rules and its concurrency hold for doses as for every other
movement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import msgspec

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, NotFound
from api.immunization.schemas import Assessment
from api.places import facilities
from api.records import checks, messages
from api.records.checks import ScreeningIn
from api.records.observations import observations_of
from api.records.sessions import services as sessions
from api.scope import Scope
from api.stock import open_vials, stores
from api.stock import services as ledger
from db.tables import Dose, SubjectForecast
from db.unit_of_work import lock_row, unit_of_work

__all__ = ["DoseIn", "ScreeningIn", "assess", "doses_of", "doses_of_each", "get", "record", "stored_forecast", "void"]

Source = Literal["recorded", "synced", "historical"]

# Called with each dose just written, inside its unit of work: the sync package opens
# the review of a cross-site double dose there (it sits above records, so it registers
# itself at start-up, api/app.py, rather than records importing it).
DoseHook = Callable[[Actor, dict[str, Any], int], Awaitable[None]]
_after_record: list[DoseHook] = []


def after_record(hook: DoseHook) -> None:
    if hook not in _after_record:
        _after_record.append(hook)


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
    session: int | None = None
    campaign: int | None = None


_COLUMNS = (
    *Dose.all_columns(
        exclude=[
            Dose.subject,
            Dose.lot,
            Dose.store,
            Dose.facility,
            Dose.product,
            Dose.corrects,
            Dose.session,
            Dose.campaign,
        ]
    ),
    Dose.session.as_alias("session_id"),
    Dose.campaign.as_alias("campaign_id"),
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
    return (await doses_of_each([subject_id]))[subject_id]


async def doses_of_each(subject_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each subject's doses as ``doses_of`` gives them, in one query (a recompute's batch)."""
    found: dict[int, list[dict[str, Any]]] = {subject_id: [] for subject_id in subject_ids}
    if not found:
        return found
    rows = await _doses().where(Dose.subject.is_in(list(subject_ids))).order_by(Dose.administered_on).order_by(Dose.id)
    for row in rows:
        found[row["subject_id"]].append(_shaped(row))
    return found


async def get(dose_id: int) -> dict[str, Any]:
    row = await _doses().where(Dose.id == dose_id).first()
    if row is None:
        raise NotFound(f"Dose {dose_id} not found")
    return _shaped(row)


def _administered(doses: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in doses if d["status"] == "administered"]


def assess(
    subject: dict[str, Any],
    doses: Sequence[dict[str, Any]],
    language: str = "vi",
    *,
    known: checks.Assessed | None = None,
) -> Assessment:
    """The engine's evaluation of the subject's administered doses (in that order) and
    its forecast today, with what the registry and the screenings know of the subject
    (a pregnancy, an allergy: ``observations_of``); ``known``'s when it read the same."""
    observations = observations_of(subject, doses, clock.current().today())
    return checks.assess_today(subject, _administered(doses), observations, language, known=known).result


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


async def _refresh(
    subject: dict[str, Any],
    doses: Sequence[dict[str, Any]],
    language: str = "vi",
    *,
    known: checks.Assessed | None = None,
) -> Assessment:
    """Store the forecast from the subject's ``doses`` as they now stand; the assessment."""
    result = assess(subject, doses, language, known=known)
    await store_forecast(subject, result)
    return result


def _with(found: checks.Proposal, dose: dict[str, Any]) -> list[dict[str, Any]]:
    """The subject's administered doses once ``dose`` (just written) is: the ones the
    check read, with it in ``doses_of``'s order (by date, then id: its id is the latest),
    so the subject's doses are read once per dose, not again for the forecast."""
    return sorted([*found.history, dose], key=lambda d: d["administered_on"])


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


async def proposal(
    scope: Scope, subject: dict[str, Any], data: DoseIn, *, language: str = "vi", excluding: int | None = None
) -> checks.Proposal:
    """What the checks say about ``data`` for this subject (``excluding``: the dose a
    correction replaces, left out of the history). Writes nothing."""
    history = [d for d in _administered(await doses_of(subject["id"])) if d["id"] != excluding]
    return await checks.check(
        scope, subject, data, history, language=language, refuse_unusable_lot=None if excluding is None else False
    )


@dataclass(frozen=True)
class _Stock:
    """A dose's stock: the ``administered`` event and the open vial; reused as they
    are by a correction that keeps the lot."""

    event: int | None
    vial: int | None


async def _take_from_stock(actor: Actor, data: DoseIn, found: checks.Proposal, key: str) -> _Stock:
    if found.store is None or found.lot is None:
        return _Stock(None, None)
    # A dose already given (synced, or a lot flagged since) opens its vial as a fact.
    kept_as_given = data.source == "synced" or any(f["code"].startswith("lot_") for f in found.findings)
    vial = await open_vials.vial_for_dose(
        actor,
        found.store,
        found.lot,
        given_at=found.at,
        offline=kept_as_given,
        key=f"vial:dose:{key}",
        session=sessions.vial_session(data.session) if data.session is not None else "",
    )
    event = await ledger.record_doses_administered(
        actor,
        found.store,
        found.lot["id"],
        key=f"dose:{key}",
        offline=data.source == "synced",
        given_at=found.at,
        vial_id=vial,
    )
    return _Stock(event, vial)


async def _write(
    actor: Actor,
    scope: Scope,
    subject: dict[str, Any],
    data: DoseIn,
    found: checks.Proposal,
    *,
    key: str,
    stock: _Stock | None = None,
    corrects: int | None = None,
) -> int:
    """Insert the dose, its stock entry (unless ``stock`` is given: a correction keeping
    the lot) and the audit row; the dose's id."""
    lot, store = found.lot, found.store
    facility_id = store["facility_id"] if store else scope.facility_id
    await sessions.check_dose(
        data.session, data.campaign, facility_id=facility_id, on=found.on, synced=data.source == "synced"
    )
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
            administered_on=found.on,
            administered_at=found.at,
            facility=facility_id,
            given_elsewhere=data.given_elsewhere,
            vaccinator=actor.account_id if data.source != "historical" else None,
            vaccinator_name=data.vaccinator_name,
            programme=data.programme,
            route=data.route,
            site=data.site,
            screening=found.screening,
            warnings=msgspec.to_builtins(found.findings),
            # A lot unusable at the dose's time (kept as given, synced): the AEFI follow-up's flag.
            flags=[f["code"] for f in found.findings if f["code"] in checks.LOT_PROBLEMS],
            override_reason=data.override_reason,
            source=data.source,
            corrects=corrects,
            session=data.session,
            campaign=data.campaign,
            recorded_at=clock.current().now(),
            recorded_by=actor.account_id,
        )
    ).returning(Dose.id)
    dose_id = int(created[0]["id"])
    if stock is None:
        stock = await _take_from_stock(actor, data, found, key)
    if stock.event is not None:
        await Dose.update({Dose.stock_event: stock.event, Dose.open_vial: stock.vial}).where(Dose.id == dose_id)
    for hook in _after_record:
        await hook(actor, subject, dose_id)
    shown: dict[str, Any] = {"subject": subject["id"], "vaccine_code": data.vaccine_code, "administered_on": found.on}
    if lot is not None:
        shown["lot"] = lot["number"]
    if corrects is not None:
        shown["corrects"] = corrects
    await audit.record(
        actor,
        "dose.correct" if corrects is not None else "dose.record",
        "dose",
        dose_id,
        place_id=await _audit_place(facility_id, subject),
        after={**shown, "source": data.source},
    )
    return dose_id


async def _replayed(key: str, subject: dict[str, Any], corrects: int | None) -> int | None:
    """The dose already written under ``key`` (a retry), if any."""
    earlier = await Dose.select(Dose.id, Dose.subject, Dose.corrects).where(Dose.key == key).first()
    if earlier is None:
        return None
    if earlier["subject"] != subject["id"] or earlier["corrects"] != corrects:
        raise Conflict("This key was used for another dose: use a new key for a new dose")
    return int(earlier["id"])


async def record(
    actor: Actor, scope: Scope, subject: dict[str, Any], data: DoseIn, *, key: str, language: str = "vi"
) -> tuple[dict[str, Any], Assessment]:
    """Record one dose: the dose, its stock entry (and the vial it opened), the audit
    row, the subject's stored forecast and the parent's message, together or not at all.
    A key already recorded answers that dose."""
    async with unit_of_work():
        earlier = await _replayed(key, subject, None)
        if earlier is not None:
            return await get(earlier), assess(subject, await doses_of(subject["id"]), language)
        found = await proposal(scope, subject, data, language=language)
        if data.source != "synced":  # a synced dose was given already: its findings are kept, not refused
            checks.confirm(data.override_reason, data.override_contraindication, found.findings)
        dose = await get(await _write(actor, scope, subject, data, found, key=key))
        result = await _refresh(subject, _with(found, dose), language, known=found.after)
        if data.source != "historical":  # a card entry: the parent has the card
            await messages.dose_given(subject, dose["id"], data.vaccine_code, found.on, result)
    return dose, result


def _may_void(scope: Scope, dose: dict[str, Any], facility_place: int | None) -> bool:
    if dose["facility_id"] is None or facility_place is None:
        return True  # a historical dose: whoever may see the subject corrects its history
    return scope.contains_facility(dose["facility_id"], facility_place)


async def _voidable(scope: Scope, subject: dict[str, Any], dose_id: int) -> tuple[dict[str, Any], int | None]:
    """The dose (locked) and its facility's place, if the caller may void it; 409 if voided."""
    row = await lock_row(Dose, dose_id)
    if row is None or row["subject"] != subject["id"]:
        raise NotFound(f"Dose {dose_id} not found")
    dose = await get(dose_id)
    facility_place = (await facilities.get(dose["facility_id"]))["place_id"] if dose["facility_id"] else None
    if not _may_void(scope, dose, facility_place):
        raise NotFound(f"Dose {dose_id} not found")
    if dose["status"] == "voided":
        raise Conflict(f"Dose {dose_id} was already voided ({dose['void_reason']})", details={"status": dose["status"]})
    return dose, facility_place


async def _void(
    actor: Actor,
    subject: dict[str, Any],
    dose: dict[str, Any],
    facility_place: int | None,
    *,
    reason: str,
    give_back: bool = True,
) -> None:
    """Mark the dose voided, its stock entry reversed (unless a correction keeps it), audited."""
    await Dose.update(
        {
            Dose.status: "voided",
            Dose.void_reason: reason,
            Dose.voided_at: clock.current().now(),
            Dose.voided_by: actor.account_id,
        }
    ).where(Dose.id == dose["id"])
    if give_back and dose["stock_event"] is not None:
        store = await stores.get(dose["store_id"])
        assert store is not None
        await ledger.reverse(
            actor,
            store,
            dose["stock_event"],
            note=f"dose {dose['id']} voided: {reason}"[:500],
            key=f"void:{dose['key']}",
        )
    await audit.record(
        actor,
        "dose.void",
        "dose",
        dose["id"],
        place_id=facility_place if facility_place is not None else subject["managing_place"],
        before={"status": "administered"},
        after={"status": "voided", "reason": reason},
    )


async def void(
    actor: Actor, scope: Scope, subject: dict[str, Any], dose_id: int, *, reason: str
) -> tuple[dict[str, Any], Assessment]:
    """Void a dose (never delete it): its stock entry reversed, the forecast recomputed."""
    async with unit_of_work():
        dose, facility_place = await _voidable(scope, subject, dose_id)
        await _void(actor, subject, dose, facility_place, reason=reason)
        result = await _refresh(subject, await doses_of(subject["id"]))
    return await get(dose_id), result


def _same_lot(old: dict[str, Any], data: DoseIn) -> bool:
    return old["stock_event"] is not None and (old["store_id"], old["lot_id"]) == (data.store_id, data.lot_id)


async def correct(
    actor: Actor,
    scope: Scope,
    subject: dict[str, Any],
    dose_id: int,
    data: DoseIn,
    *,
    reason: str,
    key: str,
    language: str = "vi",
) -> tuple[dict[str, Any], Assessment]:
    """Replace a dose: the old one voided, the new one (``corrects`` = the old) recorded,
    in one unit of work. The stock moves only when the lot changed (the old entry
    reversed, the new lot's taken); the checks run as for a new dose, the old dose left
    out of the history. Without a date the new dose keeps the old one's."""
    async with unit_of_work():
        earlier = await _replayed(key, subject, dose_id)
        if earlier is not None:
            return await get(earlier), assess(subject, await doses_of(subject["id"]), language)
        old, facility_place = await _voidable(scope, subject, dose_id)
        if data.administered_on is None and data.administered_at is None:
            data = dataclasses.replace(
                data, administered_on=old["administered_on"], administered_at=old["administered_at"]
            )
        found = await proposal(scope, subject, data, language=language, excluding=dose_id)
        if data.source != "synced":
            checks.confirm(data.override_reason, data.override_contraindication, found.findings)
        keep = _same_lot(old, data)
        await _void(actor, subject, old, facility_place, reason=reason, give_back=not keep)
        stock = _Stock(old["stock_event"], old["open_vial"]) if keep else None
        new = await get(await _write(actor, scope, subject, data, found, key=key, stock=stock, corrects=dose_id))
        # The old dose, voided, is left out of the history the check read.
        result = await _refresh(subject, _with(found, new), language, known=found.after)
    return new, result

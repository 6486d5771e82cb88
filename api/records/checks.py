"""What the system says about a proposed dose before it is saved (docs/records.md,
"Check before saving"): the refusals (a rule broken: 4xx, nothing written) and the
findings (warnings and contraindications the vaccinator confirms with a reason).

``POST /api/doses/check`` answers :func:`check`'s result and writes nothing;
``POST /api/doses`` and a correction run the same :func:`check`, then :func:`confirm`
refuses what the vaccinator has not confirmed. A synced dose is never refused for a
finding (it was given already: refusing it would lose it); its findings are stored
on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

import msgspec

from api import clock
from api.clock import LOCAL_ZONE
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.immunization import services as immunization
from api.immunization.schemas import Assessment, VaccineGroupForecast
from api.places import facilities
from api.records.observations import observations_of
from api.scope import Scope
from api.stock import catalogue, stores
from api.stock import services as ledger
from schedule.dates import Duration, add
from schedule.model import DoseStatus
from schedule.vn.advice import Action
from schedule.vn.screening import Answer

Severity = Literal["warning", "contraindication"]
# Advice that holds a vaccine back today, and how strongly.
HELD_BACK: Mapping[Action, Severity] = {
    Action.POSTPONE: "warning",
    Action.REFER: "warning",
    Action.DO_NOT_GIVE: "contraindication",
}

# What makes a lot unusable on the dose's day: refused online, flagged on a synced dose.
LOT_PROBLEMS = ("lot_on_hold", "lot_expired")

# Findings worded here (the engine's reasons are worded by schedule.reasons), (vi, en).
_TEXT: dict[str, tuple[str, str]] = {
    "postpone": ("Hoãn tiêm {group} đến {until}: {why}", "Postpone {group} until {until}: {why}"),
    "refer": ("Chuyển khám trước khi tiêm {group}: {why}", "Refer before giving {group}: {why}"),
    "do_not_give": ("Chống chỉ định, không tiêm {group}: {why}", "Contraindicated, do not give {group}: {why}"),
    "until_ended": ("khi hết tình trạng này", "the condition has ended"),
    "recent_dose": (
        "Đã có mũi {group} ngày {on} tại {where}, chưa đủ khoảng cách tối thiểu ({interval})",
        "{group} was already recorded on {on} at {where}, inside the minimum interval ({interval})",
    ),
    "elsewhere": ("nơi khác", "another place"),
    "lot_on_hold": (
        "Lô {lot} đang bị tạm dừng sử dụng: liều được ghi nhận và đánh dấu để theo dõi",
        "Lot {lot} is on hold: the dose is kept and flagged for follow-up",
    ),
    "lot_expired": (
        "Lô {lot} đã hết hạn ngày {expiry}: liều được ghi nhận và đánh dấu",
        "Lot {lot} expired on {expiry}: the dose is kept and flagged",
    ),
    "not_valid": ("Liều này sẽ không được tính.", "This dose would not count."),
    "extraneous": ("Liều thừa: không cần thiết.", "Extra dose: it is not needed."),
    "not_counted": (
        "Không có loạt tiêm nào của lịch tính liều này cho người này.",
        "No series of the schedule counts this dose for this person.",
    ),
}


def text(code: str, language: str, **values: Any) -> str:
    vi, en = _TEXT[code]
    return (en if language.lower().startswith("en") else vi).format(**values)


@dataclass(frozen=True)
class ScreeningIn:
    form: str
    answers: Mapping[str, bool | Answer]


@dataclass(frozen=True)
class Proposal:
    """A dose as it would be saved: when, from which store and lot, its screening as
    stored, the findings, the engine's verdict and the forecast after it (``after``:
    the whole assessment today with the dose added), and the administered doses it
    was checked against (``history``: the stored forecast after it is read from them)."""

    on: date
    at: datetime | None
    store: dict[str, Any] | None
    lot: dict[str, Any] | None
    screening: dict[str, Any] | None
    findings: list[dict[str, Any]]
    valid: bool
    reasons: list[dict[str, str]]
    forecast: list[VaccineGroupForecast]
    after: Assessed
    history: Sequence[dict[str, Any]]


class NeedsConfirmation(Conflict):
    """Findings the vaccinator has not confirmed: save only with the reason (and, for a
    contraindication, the explicit override)."""

    code = "needs_confirmation"

    def __init__(self, findings: list[dict[str, Any]], *, contraindicated: bool) -> None:
        codes = ", ".join(dict.fromkeys(f["code"] for f in findings))
        if contraindicated:
            message = (
                f"A contraindication ({codes}): record this dose only with an explicit override "
                "(override_contraindication) and the reason"
            )
        else:
            message = (
                f"Confirm before saving ({codes}): record the dose only with the reason it is given (override_reason)"
            )
        super().__init__(message, details={"findings": msgspec.to_builtins(findings)})


def confirm(override_reason: str, override_contraindication: bool, findings: Sequence[dict[str, Any]]) -> None:
    """Refuse (409 ``needs_confirmation``) findings the vaccinator has not confirmed."""
    if not findings:
        return
    if any(f["severity"] == "contraindication" for f in findings) and not (
        override_contraindication and override_reason
    ):
        raise NeedsConfirmation(list(findings), contraindicated=True)
    if not override_reason:
        raise NeedsConfirmation(list(findings), contraindicated=False)


# ------------------------------------------------------------------------ refusals


def _local_date(instant: datetime) -> date:
    return instant.astimezone(LOCAL_ZONE).date()


def when(
    source: str, on: date | None, at: datetime | None, birth_date: date, died_on: date | None
) -> tuple[date, datetime | None]:
    """The dose's local date and instant: a dose recorded here happened now unless the
    device says when; a card gives a date. 422 for a date in the future, before birth
    or after death."""
    today = clock.current().today()
    if at is None and source == "recorded":
        at = clock.current().now()
    if at is not None and at.tzinfo is None:
        raise Invalid("administered_at needs a time zone offset (e.g. +07:00)", field="administered_at")
    day = on or (_local_date(at) if at is not None else None)
    if day is None:
        raise Invalid("Give the date the dose was given", field="administered_on")
    if at is not None and on is not None and _local_date(at) != on:
        raise Invalid(
            f"administered_at is {_local_date(at)} in Vietnam, not {on}: send one or make them agree",
            field="administered_on",
        )
    if day > today:
        raise Invalid(f"The dose date {day} is in the future (today is {today})", field="administered_on")
    if day < birth_date:
        raise Invalid(f"The dose date {day} is before the birth date {birth_date}", field="administered_on")
    if died_on is not None and day > died_on:
        raise Invalid(f"The dose date {day} is after the date of death {died_on}", field="administered_on")
    return day, at


async def stock_lot(
    scope: Scope, store_id: int | None, lot_id: int | None, product_id: int | None, on: date, *, refuse_unusable: bool
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The store and lot of a dose given from stock, and what is wrong with the lot
    (``lot_on_hold``, ``lot_expired``): refused (409) when ``refuse_unusable``, else kept
    as findings."""
    if lot_id is None or store_id is None:
        raise Invalid("A dose given here names the store and the lot it came from", field="lot_id")
    if scope.facility_id is None:
        raise Forbidden("Doses from stock are recorded by the staff of the facility that holds the stock")
    store = await stores.kept(scope, store_id)
    try:
        lot = await catalogue.lot(lot_id)
    except NotFound:
        raise Invalid(f"Lot {lot_id} not found", field="lot_id") from None
    if not await ledger.holds(store["id"], lot["id"]):
        # A lot this store never received: another store's (answered like any row outside scope).
        raise NotFound(f"Lot {lot['number']} is not in the store {store['name']}: pick a lot the store holds")
    if product_id is not None and product_id != lot["product_id"]:
        raise Invalid(
            f"Lot {lot['number']} is a lot of {lot['product_code']}, not of product {product_id}", field="product_id"
        )
    problems = [p for p, bad in zip(LOT_PROBLEMS, (lot["on_hold"], lot["expiry"] < on), strict=True) if bad]
    if problems and refuse_unusable:
        # The vaccinator can still pick another vial: refuse, saying why.
        why = "is on hold (stopped everywhere)" if lot["on_hold"] else f"expired on {lot['expiry']}"
        raise Conflict(
            f"Lot {lot['number']} of {lot['product_code']} {why}: do not use it, take a vial of another lot",
            details={"lot_id": lot["id"], "reason": problems[0]},
        )
    return store, lot, problems


# ------------------------------------------------------------------------ engine


def _given(doses: Sequence[Mapping[str, Any]]) -> list[immunization.DoseGiven]:
    return [immunization.DoseGiven(d["administered_on"], d["vaccine_code"]) for d in doses]


def _sex(subject: Mapping[str, Any]) -> str:
    return str(subject["sex"]) if subject["sex"] in {"F", "M"} else "U"


@dataclass(frozen=True)
class Assessed:
    """An engine run today and what it read, so a run on the same inputs reuses it:
    the stored forecast after a dose is the check's assessment with the dose added,
    unless the dose's own screening found something (then the inputs differ)."""

    inputs: tuple[Any, ...]
    result: Assessment


def assess_today(
    subject: Mapping[str, Any],
    doses: Sequence[Mapping[str, Any]],
    observations: Sequence[immunization.Observation],
    language: str,
    *,
    known: Assessed | None = None,
) -> Assessed:
    """The engine's evaluation of ``doses`` (administered, in that order) and its
    forecast today; ``known`` when it was computed from the same inputs."""
    today = clock.current().today()
    inputs = (subject["birth_date"], _sex(subject), tuple(_given(doses)), tuple(observations), today, language)
    if known is not None and known.inputs == inputs:
        return known
    result = immunization.assess(
        birth_date=subject["birth_date"],
        sex=_sex(subject),
        doses=_given(doses),
        observations=observations,
        assessment_date=today,
        language=language,
    )
    return Assessed(inputs, result)


def groups_of(vaccine_code: str) -> list[str]:
    """The vaccine groups a vaccine counts for (a 6-in-1: DTP, HepB, Hib, Polio)."""
    return sorted(g for g, codes in immunization.current_schedule().group_codes.items() if vaccine_code in codes)


def _group_name(group: str, language: str) -> str:
    if language.lower().startswith("en"):
        return group
    return immunization.current_schedule().group_names_vi.get(group, group)


@lru_cache(maxsize=64)
def shortest_interval(group: str) -> Duration | None:
    """The shortest minimum interval between two doses of any series of the group."""
    timeline = immunization.current_schedule().timeline
    found = [
        interval.min_interval
        for antigen in timeline.vaccine_groups[group].antigens
        for series in timeline.antigens[antigen].series
        for dose in series.doses
        for interval in dose.intervals
        if interval.min_interval is not None and not interval.min_interval.is_zero()
    ]
    return min(found, key=lambda d: add(date(2000, 1, 1), d), default=None)


def _within(one: date, other: date, interval: Duration) -> bool:
    first, second = sorted((one, other))
    return second < add(first, interval)


async def _place_name(facility_id: int | None, given_elsewhere: str, language: str) -> str:
    if facility_id is not None:
        return str((await facilities.get(facility_id))["name"])
    return given_elsewhere or text("elsewhere", language)


async def _recent(
    vaccine_code: str, on: date, history: Sequence[dict[str, Any]], language: str
) -> list[dict[str, Any]]:
    """The same vaccine group recorded for the person inside its minimum interval, at any
    facility (a dose synced from another site included)."""
    found = []
    codes_of = immunization.current_schedule().group_codes
    for dose in history:
        for group in groups_of(vaccine_code):
            interval = shortest_interval(group)
            if interval is None or dose["vaccine_code"] not in codes_of[group]:
                continue
            if _within(dose["administered_on"], on, interval):
                where = await _place_name(dose["facility_id"], dose["given_elsewhere"], language)
                message = text(
                    "recent_dose",
                    language,
                    group=_group_name(group, language),
                    on=dose["administered_on"],
                    where=where,
                    interval=interval,
                )
                found.append(
                    {
                        "code": "recent_dose",
                        "severity": "warning",
                        "message": message,
                        "vaccine_group": group,
                        "dose_id": dose["id"],
                    }
                )
                break  # one finding per earlier dose
    return found


def _advice(
    subject: Mapping[str, Any],
    history: Sequence[dict[str, Any]],
    on: date,
    screening: ScreeningIn | None,
    language: str,
) -> tuple[dict[str, Any] | None, list[VaccineGroupForecast]]:
    """Each vaccine group's advice on the dose's day, from the observations on record
    and the screening's answers; and the screening as stored with the dose."""
    common: dict[str, Any] = {
        "birth_date": subject["birth_date"],
        "sex": _sex(subject),
        "doses": _given(history),
        "observations": observations_of(subject, history, on),
        "assessment_date": on,
        "language": language,
    }
    if screening is None:
        return None, immunization.assess(**common).vaccine_groups
    answers = {qid: a if isinstance(a, Answer) else Answer(yes=bool(a)) for qid, a in screening.answers.items()}
    try:
        outcome = immunization.screening_outcome(**common, form=screening.form, answers=answers)
    except Invalid as error:
        field = (error.details or {}).get("field", "")
        raise Invalid(error.message, field=f"screening.{field}" if field else "screening") from None
    stored = {
        "form": outcome.form,
        "checklist_version": outcome.checklist_version,
        "answers": {qid: msgspec.to_builtins(a) for qid, a in screening.answers.items()},
        "outcome": outcome.decision.value,
        "observations": [{"code": o.code, "start": o.start, "end": o.end} for o in outcome.observations],
    }
    return msgspec.to_builtins(stored), outcome.vaccine_groups


def _held_back(vaccine_code: str, groups: Sequence[VaccineGroupForecast], language: str) -> list[dict[str, Any]]:
    """What the advice (screening, observations on record) says against this vaccine."""
    found = []
    for group in groups:
        advice = group.advice
        if vaccine_code not in advice.withheld or advice.action not in HELD_BACK:
            continue
        code = advice.action.name.lower()
        until = advice.until.isoformat() if advice.until else text("until_ended", language)
        why = "; ".join(r.text for r in advice.reasons)
        name = _group_name(group.vaccine_group, language)
        found.append(
            {
                "code": code,
                "severity": HELD_BACK[advice.action],
                "message": text(code, language, group=name, until=until, why=why),
                "vaccine_group": group.vaccine_group,
                "until": advice.until,
            }
        )
    return found


def _verdict(
    subject: Mapping[str, Any], history: Sequence[dict[str, Any]], vaccine_code: str, on: date, language: str
) -> tuple[bool, list[dict[str, str]], list[VaccineGroupForecast], Assessed]:
    """The engine's verdict on the dose (added to the history), the forecast today of
    the groups it counts for, and the whole assessment."""
    proposed = {"administered_on": on, "vaccine_code": vaccine_code}
    today = clock.current().today()
    assessed = assess_today(subject, [*history, proposed], observations_of(subject, history, today), language)
    after = assessed.result
    evaluations = after.doses[-1].evaluations  # the engine answers in the caller's order
    # It counts when some antigen takes it and none refuses it: a combination vaccine's
    # extra antigen (Hib complete, DTP not) is extraneous, not a reason to repeat it.
    statuses = {e.status for e in evaluations}
    valid = DoseStatus.VALID in statuses and not statuses & {DoseStatus.NOT_VALID, DoseStatus.SUBSTANDARD}
    reasons: dict[str, str] = {}
    for e in evaluations:
        for r in e.reasons:
            reasons.setdefault(r.code, r.text)
        if e.status is not DoseStatus.VALID and not e.reasons:
            code = "extraneous" if e.status is DoseStatus.EXTRANEOUS else "not_valid"
            reasons.setdefault(code, text(code, language))
    if not evaluations:
        reasons["not_counted"] = text("not_counted", language)
    groups = set(groups_of(vaccine_code))
    forecast = [g for g in after.vaccine_groups if g.vaccine_group in groups]
    return valid, [{"code": c, "text": t} for c, t in reasons.items()], forecast, assessed


def _engine_findings(valid: bool, reasons: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
    if valid:
        return []  # a valid dose's reasons are grace periods: nothing to confirm
    return [{"code": r["code"], "severity": "warning", "message": r["text"]} for r in reasons]


def _lot_findings(problems: Sequence[str], lot: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    return [
        {"code": p, "severity": "warning", "message": text(p, language, lot=lot["number"], expiry=lot["expiry"])}
        for p in problems
    ]


async def check(
    scope: Scope,
    subject: Mapping[str, Any],
    data: Any,
    history: Sequence[dict[str, Any]],
    *,
    language: str = "vi",
    refuse_unusable_lot: bool | None = None,
) -> Proposal:
    """Everything said about ``data`` (a ``services.DoseIn``) for this subject, whose
    administered doses are ``history``; raises the refusals. Writes nothing."""
    if data.vaccine_code not in immunization.current_schedule().timeline.vaccines:
        raise Invalid(f"Unknown vaccine code {data.vaccine_code!r}", field="vaccine_code")
    birth, death = subject["birth_date"], subject.get("died_on")
    on, at = when(data.source, data.administered_on, data.administered_at, birth, death)
    store: dict[str, Any] | None = None
    lot: dict[str, Any] | None = None
    findings: list[dict[str, Any]] = []
    if data.source == "historical":
        if data.lot_id is not None or data.store_id is not None:
            raise Invalid("A historical dose takes nothing from stock: give lot_number, not lot_id", field="lot_id")
    else:
        refuse = data.source == "recorded" if refuse_unusable_lot is None else refuse_unusable_lot
        store, lot, problems = await stock_lot(
            scope, data.store_id, data.lot_id, data.product_id, on, refuse_unusable=refuse
        )
        findings += _lot_findings(problems, lot, language)
    screening, advice = _advice(subject, history, on, data.screening, language)
    valid, reasons, forecast, after = _verdict(subject, history, data.vaccine_code, on, language)
    findings = [
        *_engine_findings(valid, reasons),
        *_held_back(data.vaccine_code, advice, language),
        # A dose that counts beside another of its group is a co-administration (bOPV and
        # IPV at one visit), not a double dose: nothing to confirm.
        *([] if valid else await _recent(data.vaccine_code, on, history, language)),
        *findings,
    ]
    return Proposal(on, at, store, lot, screening, findings, valid, reasons, forecast, after, history)

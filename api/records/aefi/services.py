"""AEFI reports: written against one subject's doses in one unit of work with the audit
row and, for a serious one, the alerts to the officers above the facility; listed for
the caller's area, serious first, and counted per lot (docs/records.md, "AEFI and lot
hold")."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, get_args

from api import clock
from api.audit import services as audit
from api.auth.roles import OFFICER_ROLES
from api.context import Actor
from api.errors import Invalid, NotFound
from api.immunization import services as immunization
from api.records import services as records
from api.records.aefi.schemas import Outcome, Seriousness
from api.records.due import services as due
from api.registry.subjects.deps import provide_visible_subject
from api.scope import Scope
from db.tables import Account, AefiReport, AefiReportDose, Facility, Outbox, StockLot
from db.unit_of_work import unit_of_work
from push import outbox

SERIOUS_TEMPLATE = "aefi.serious"
# The schema's words, for callers that do not come through it (the demo).
SERIOUSNESS: tuple[str, ...] = get_args(Seriousness)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
# A device's clock a few minutes ahead of the server's is not an onset in the future.
CLOCK_SKEW = timedelta(minutes=10)

_SERIOUS_TEXT = {
    "vi": (
        "Phản ứng nặng sau tiêm ({seriousness}): {name}, {vaccines} tại {facility}; khởi phát {onset}.",
        "%H:%M %d/%m/%Y",
    ),
    "en": ("Serious AEFI ({seriousness}): {name}, {vaccines} at {facility}; onset {onset}.", "%Y-%m-%d %H:%M"),
}
_SERIOUSNESS_WORDS = {
    "vi": {
        "death": "tử vong",
        "life_threatening": "đe dọa tính mạng",
        "hospitalised": "phải nhập viện",
        "disability": "tàn tật",
        "congenital_anomaly": "dị tật bẩm sinh",
        "cluster": "chùm ca",
    },
    "en": {
        "death": "death",
        "life_threatening": "life-threatening",
        "hospitalised": "hospitalised",
        "disability": "disability",
        "congenital_anomaly": "congenital anomaly",
        "cluster": "cluster",
    },
}


@dataclass(frozen=True)
class SymptomList:
    version: str
    terms: dict[str, str]  # code → the WHO/Brighton term
    needs_text: frozenset[str]


@cache
def symptom_list() -> SymptomList:
    """The coded symptoms a report may carry (``symptoms.toml``, versioned)."""
    data = tomllib.loads((Path(__file__).parent / "symptoms.toml").read_text(encoding="utf-8"))
    return SymptomList(
        version=data["version"],
        terms={s["code"]: s["term"] for s in data["symptom"]},
        needs_text=frozenset(s["code"] for s in data["symptom"] if s.get("needs_text")),
    )


@dataclass(frozen=True)
class ReportIn:
    dose_ids: Sequence[int]
    onset_at: datetime
    symptoms: Sequence[dict[str, str]]
    seriousness: str = "none"
    outcome: str = "unknown"
    reporter_name: str = ""
    reporter_phone: str = ""
    notes: str = ""


def _symptoms(given: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    codes = symptom_list()
    if not given:
        raise Invalid("Pick at least one symptom", field="symptoms")
    found: dict[str, dict[str, str]] = {}
    for symptom in given:
        code, text = symptom["code"], symptom.get("text", "").strip()
        if code not in codes.terms:
            raise Invalid(f"Unknown symptom code {code}: pick one of the list", field="symptoms")
        if code in codes.needs_text and not text:
            raise Invalid("Describe the other symptom in words", field="symptoms")
        found[code] = {"code": code, "text": text}
    return list(found.values())


def _onset(onset_at: datetime, doses: Sequence[dict[str, Any]]) -> datetime:
    """The onset as an aware instant, not before the last of the doses nor in the future."""
    if onset_at.tzinfo is None:  # as the form's date and time read in Vietnam
        onset_at = onset_at.replace(tzinfo=clock.LOCAL_ZONE)
    if onset_at > clock.current().now() + CLOCK_SKEW:
        raise Invalid("The onset is in the future: give the date and time the symptoms began", field="onset_at")
    for dose in doses:
        given = dose["administered_at"] or datetime.combine(dose["administered_on"], time(), clock.LOCAL_ZONE)
        # To the minute, as the form gives it: a reaction within the dose's own minute
        # (anaphylaxis at the table) is after the dose.
        if onset_at < given.replace(second=0, microsecond=0):
            raise Invalid(
                f"The onset is before the dose of {dose['administered_on']}: an AEFI follows the dose",
                field="onset_at",
            )
    return onset_at


async def _doses(scope: Scope, dose_ids: Sequence[int]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The subject and the doses named, visible to the caller (404 as missing otherwise)."""
    if not dose_ids:
        raise Invalid("Name the dose (or doses) the event followed", field="dose_ids")
    doses = [await records.get(dose_id) for dose_id in dict.fromkeys(dose_ids)]
    subject_ids = {dose["subject_id"] for dose in doses}
    if len(subject_ids) > 1:
        raise Invalid("The doses of one report are one person's: report each person apart", field="dose_ids")
    try:
        subject = await provide_visible_subject(subject_ids.pop(), scope)
    except NotFound:
        raise NotFound(f"Dose {doses[0]['id']} not found") from None
    for dose in doses:
        if dose["status"] != "administered":
            raise Invalid(f"Dose {dose['id']} was voided: report against the dose given", field="dose_ids")
    return subject, doses


async def _officers_above(place_id: int, scope: Scope) -> list[dict[str, Any]]:
    """Active officers (commune, province, national) whose area contains ``place_id``."""
    rows = await Account.select(Account.id, Account.language, Account.scope_place).where(
        Account.role.is_in([r.value for r in OFFICER_ROLES])
        & (Account.active == True)  # noqa: E712
        & Account.scope_place.is_not_null()
    )
    above = []
    for row in rows:
        root = scope.tree.current_unit(row["scope_place"], scope.day)
        if root is not None and scope.tree.within(place_id, root, scope.day):
            above.append(row)
    return above


def serious_body(language: str, report: dict[str, Any], subject: dict[str, Any], facility: str) -> str:
    chosen = "en" if language.lower().startswith("en") else "vi"
    template, moment = _SERIOUS_TEXT[chosen]
    vaccines = immunization.current_schedule().timeline.vaccines
    named = ", ".join(
        dict.fromkeys(
            vaccines[d["vaccine_code"]].description if d["vaccine_code"] in vaccines else d["vaccine_code"]
            for d in report["doses"]
        )
    )
    return template.format(
        seriousness=_SERIOUSNESS_WORDS[chosen][report["seriousness"]],
        name=subject["full_name"],
        vaccines=named,
        facility=facility,
        onset=report["onset_at"].astimezone(clock.LOCAL_ZONE).strftime(moment),
    )


async def _alert(
    scope: Scope, report_id: int, report: dict[str, Any], subject: dict[str, Any], facility_name: str
) -> int:
    """Queue the serious AEFI's alert for each officer above the facility (this unit of work)."""
    if report["place"] is None:
        return 0
    return await outbox.enqueue_to_accounts(
        await _officers_above(report["place"], scope),
        template=SERIOUS_TEMPLATE,
        body=lambda language: serious_body(language, report, subject, facility_name),
        reference=f"aefi:{report_id}",
        now=clock.current().now(),
        data={"aefi": report_id, "subject": subject["id"], "seriousness": report["seriousness"]},
    )


async def report(actor: Actor, scope: Scope, data: ReportIn, *, key: str) -> dict[str, Any]:
    """Write the report (its doses, the audit row and, when serious, the officers'
    alerts) in one unit of work; the report as ``detail`` reads it."""
    if data.seriousness not in SERIOUSNESS:
        raise Invalid(f"Unknown seriousness {data.seriousness}", field="seriousness")
    if data.outcome not in OUTCOMES:
        raise Invalid(f"Unknown outcome {data.outcome}", field="outcome")
    subject, doses = await _doses(scope, data.dose_ids)
    symptoms = _symptoms(data.symptoms)
    onset = _onset(data.onset_at, doses)
    facility_id = next((d["facility_id"] for d in doses if d["facility_id"] is not None), scope.facility_id)
    # Read once: its place scopes the report, its name words the officers' alert.
    facility = (
        await Facility.select(Facility.place, Facility.name).where(Facility.id == facility_id).first()
        if facility_id is not None
        else None
    )
    place_id = facility["place"] if facility else subject["place"]
    row = AefiReport(
        key=key,
        subject=subject["id"],
        facility=facility_id,
        place=place_id,
        onset_at=onset,
        symptoms=symptoms,
        symptom_list=symptom_list().version,
        seriousness=data.seriousness,
        outcome=data.outcome,
        reporter=actor.account_id,
        reporter_name=data.reporter_name.strip(),
        reporter_phone=data.reporter_phone.strip(),
        notes=data.notes.strip(),
        reported_at=clock.current().now(),
    )
    async with unit_of_work():
        report_id = await audit.insert_audited(
            actor,
            row,
            action="aefi.report",
            entity="aefi_report",
            place_id=place_id,
            shown=("subject", "facility", "onset_at", "symptoms", "seriousness", "outcome"),
        )
        for dose in doses:
            await AefiReportDose.insert(AefiReportDose(report=report_id, dose=dose["id"], lot=dose["lot_id"]))
        if data.seriousness != "none":
            shown = {"seriousness": data.seriousness, "onset_at": onset, "place": place_id, "doses": doses}
            await _alert(scope, report_id, shown, subject, facility["name"] if facility else "")
    return await detail(scope, report_id)


# ------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Where:
    """The reports a list covers: one facility's (and the caller's own), or some places'
    (None: the whole country)."""

    facility_id: int | None
    place_ids: frozenset[int] | None
    reporter: int | None = None


async def where(scope: Scope, facility_id: int | None = None, place_id: int | None = None) -> Where:
    """The due list's scope rules: a vaccinator's facility (or its commune), an officer's
    area, or a facility or place in it (404 outside, 403 above)."""
    if facility_id is None and place_id is None and scope.facility_id is None:
        return Where(None, scope.place_ids())
    found = await due.area(scope, facility_id, place_id)
    mine = scope.principal.account_id if scope.facility_id is not None else None
    if found.facility_id is not None:
        return Where(found.facility_id, None, mine)
    return Where(None, found.place_ids, mine)


def _in(area: Where) -> Any:
    condition: Any
    if area.facility_id is not None:
        condition = AefiReport.facility == area.facility_id
    elif area.place_ids is not None:
        condition = AefiReport.place.is_in(sorted(area.place_ids) or [-1])
    else:
        return AefiReport.id.is_not_null()
    if area.reporter is not None:
        condition = condition | (AefiReport.reporter == area.reporter)
    return condition


_REPORT_COLUMNS = (
    AefiReport.id,
    AefiReport.subject.as_alias("subject_id"),
    AefiReport.subject.full_name.as_alias("subject_name"),
    AefiReport.subject.code.as_alias("subject_code"),
    AefiReport.facility.as_alias("facility_id"),
    AefiReport.facility.name.as_alias("facility_name"),
    AefiReport.onset_at,
    AefiReport.symptoms,
    AefiReport.symptom_list,
    AefiReport.seriousness,
    AefiReport.outcome,
    AefiReport.reporter.as_alias("reporter_id"),
    AefiReport.reporter.full_name.as_alias("reporter_account_name"),
    AefiReport.reporter_name,
    AefiReport.reporter_phone,
    AefiReport.notes,
    AefiReport.reported_at,
)


async def _report_doses(report_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    rows = await AefiReportDose.select(
        AefiReportDose.report,
        AefiReportDose.dose.as_alias("id"),
        AefiReportDose.dose.vaccine_code.as_alias("vaccine_code"),
        AefiReportDose.dose.administered_on.as_alias("administered_on"),
        AefiReportDose.dose.lot_number.as_alias("typed_lot"),
        AefiReportDose.lot.as_alias("lot_id"),
        AefiReportDose.lot.number.as_alias("lot_number"),
        AefiReportDose.lot.product.code.as_alias("product_code"),  # type: ignore[union-attr]
        AefiReportDose.lot.on_hold.as_alias("lot_on_hold"),
    ).where(AefiReportDose.report.is_in(list(report_ids) or [-1]))
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["administered_on"], r["id"])):
        typed = row.pop("typed_lot")
        found[row.pop("report")].append({**row, "lot_number": row["lot_number"] or typed})
    return found


async def listing(area: Where, *, serious: bool | None = None, lot_id: int | None = None) -> list[dict[str, Any]]:
    """The area's reports, serious first, then the latest onset first."""
    condition = _in(area)
    if serious is not None:
        condition &= (AefiReport.seriousness != "none") if serious else (AefiReport.seriousness == "none")
    if lot_id is not None:
        condition &= AefiReport.id.is_in(
            AefiReportDose.select(AefiReportDose.report).where(AefiReportDose.lot == lot_id)
        )
    rows = await AefiReport.select(*_REPORT_COLUMNS).where(condition).output(load_json=True)
    doses = await _report_doses([r["id"] for r in rows])
    reports = [{**row, "serious": row["seriousness"] != "none", "doses": doses[row["id"]]} for row in rows]
    reports.sort(key=lambda r: (r["onset_at"], r["id"]), reverse=True)
    reports.sort(key=lambda r: not r["serious"])
    return reports


async def lot_counts(area: Where) -> list[dict[str, Any]]:
    """Per lot: the area's reports against its doses and how many are serious, most first."""
    rows = await AefiReportDose.select(
        AefiReportDose.lot.as_alias("lot_id"),
        AefiReportDose.report.as_alias("report"),
        AefiReportDose.report.seriousness.as_alias("seriousness"),
    ).where(
        AefiReportDose.lot.is_not_null()
        & AefiReportDose.report.is_in(AefiReport.select(AefiReport.id).where(_in(area)))
    )
    reports: dict[int, dict[int, bool]] = defaultdict(dict)
    for row in rows:
        reports[row["lot_id"]][row["report"]] = row["seriousness"] != "none"
    lots = await StockLot.select(
        StockLot.id, StockLot.number, StockLot.expiry, StockLot.on_hold, StockLot.product.code.as_alias("product_code")
    ).where(StockLot.id.is_in(list(reports) or [-1]))
    counted = [
        {
            "lot_id": lot["id"],
            "lot_number": lot["number"],
            "product_code": lot["product_code"],
            "expiry": lot["expiry"],
            "on_hold": lot["on_hold"],
            "reports": len(reports[lot["id"]]),
            "serious": sum(reports[lot["id"]].values()),
        }
        for lot in lots
    ]
    return sorted(counted, key=lambda c: (-c["serious"], -c["reports"], c["lot_id"]))


async def _alerts(references: Sequence[str]) -> list[dict[str, Any]]:
    rows = await Outbox.select(
        Outbox.id, Outbox.recipient, Outbox.template, Outbox.reference, Outbox.body, Outbox.status, Outbox.created_at
    ).where(Outbox.reference.is_in(list(references) or ["-"]))
    account_ids = {row["id"]: outbox.recipient_account(row["recipient"]) for row in rows}
    names = await Account.select(Account.id, Account.full_name, Account.role).where(
        Account.id.is_in([a for a in account_ids.values() if a is not None] or [-1])
    )
    by_id = {a["id"]: a for a in names}
    shown = []
    for row in sorted(rows, key=lambda r: r["id"]):
        account = by_id.get(account_ids[row["id"]])
        shown.append(
            {
                **row,
                "recipient_name": account["full_name"] if account else row["recipient"],
                "recipient_role": account["role"] if account else "",
            }
        )
    return shown


async def detail(scope: Scope, report_id: int) -> dict[str, Any]:
    """One report in the caller's area (404 otherwise) with its doses, its alerts and
    the hold alerts of its lots."""
    area = _in(await where(scope))
    rows = await AefiReport.select(*_REPORT_COLUMNS).where(area & (AefiReport.id == report_id)).output(load_json=True)
    if not rows:
        raise NotFound(f"AEFI report {report_id} not found")
    row = rows[0]
    doses = (await _report_doses([report_id]))[report_id]
    references = [f"aefi:{report_id}", *(f"lot:{d['lot_id']}" for d in doses if d["lot_id"] is not None)]
    return {**row, "serious": row["seriousness"] != "none", "doses": doses, "alerts": await _alerts(references)}

"""An AEFI report's body and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from msgspec import Meta

from api.schemas import Id, Input, Output

Seriousness = Literal[
    "none", "death", "life_threatening", "hospitalised", "disability", "congenital_anomaly", "cluster"
]
Outcome = Literal["recovering", "recovered", "sequelae", "died", "unknown"]


class SymptomIn(Input):
    code: Annotated[str, Meta(min_length=1, max_length=32)]
    text: Annotated[str, Meta(max_length=500)] = ""


class ReportIn(Input):
    dose_ids: Annotated[list[Id], Meta(min_length=1, max_length=10)]
    # An instant; without an offset it is read as Vietnam's local time (the form's).
    onset_at: datetime
    symptoms: Annotated[list[SymptomIn], Meta(min_length=1, max_length=12)]
    seriousness: Seriousness = "none"
    outcome: Outcome = "unknown"
    # A parent's report taken by staff: who told it.
    reporter_name: Annotated[str, Meta(max_length=200)] = ""
    reporter_phone: Annotated[str, Meta(max_length=20)] = ""
    notes: Annotated[str, Meta(max_length=2000)] = ""


class Symptom(Output):
    code: str
    text: str


class SymptomTerm(Output):
    code: str
    term: str
    needs_text: bool


class SymptomList(Output):
    version: str
    symptoms: list[SymptomTerm]


class ReportDose(Output):
    id: int
    vaccine_code: str
    administered_on: date
    lot_id: int | None
    lot_number: str
    product_code: str | None
    lot_on_hold: bool | None


class Alert(Output):
    id: int
    recipient: str
    recipient_name: str
    recipient_role: str
    template: str
    reference: str
    body: str
    status: str
    created_at: datetime


class Report(Output):
    id: int
    subject_id: int
    subject_name: str
    subject_code: str
    facility_id: int | None
    facility_name: str | None
    onset_at: datetime
    symptoms: list[Symptom]
    symptom_list: str
    seriousness: Seriousness
    serious: bool
    outcome: Outcome
    reporter_id: int | None
    reporter_account_name: str | None
    reporter_name: str
    reporter_phone: str
    notes: str
    reported_at: datetime
    doses: list[ReportDose]


class ReportDetail(Report, kw_only=True):
    alerts: list[Alert]


class LotCount(Output):
    lot_id: int
    lot_number: str
    product_code: str
    expiry: date
    on_hold: bool
    reports: int
    serious: int

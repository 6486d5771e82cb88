"""Request and response bodies of the vaccination records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from msgspec import Meta

from api.immunization.schemas import Reason as EngineReason
from api.immunization.schemas import VaccineGroupForecast
from api.schemas import Id, Input, Output
from api.stock.schemas import BalanceOut

Text = Annotated[str, Meta(max_length=200)]
Reason = Annotated[str, Meta(min_length=3, max_length=500)]


class AnswerIn(Input):
    """A "yes" with details; a plain true/false is an answer without them."""

    yes: bool = True
    start: dt.date | None = None
    end: dt.date | None = None
    vaccine_code: Annotated[str, Meta(max_length=32)] | None = None


class ScreeningIn(Input):
    form: Literal["newborn", "child"]
    answers: Annotated[dict[Annotated[str, Meta(max_length=64)], bool | AnswerIn], Meta(max_length=40)] = {}


class DoseIn(Input):
    vaccine_code: Annotated[str, Meta(min_length=1, max_length=32)]
    # One of the two: the subject's id, or the key of its registration (a child
    # registered offline on this device, not yet given an id; docs/records.md "Offline sync").
    subject_id: Id | None = None
    subject_key: Annotated[str, Meta(max_length=64)] | None = None
    # recorded: given here now; synced: given here, recorded offline; historical: elsewhere / from a card
    source: Literal["recorded", "synced", "historical"] = "recorded"
    administered_on: dt.date | None = None
    administered_at: dt.datetime | None = None
    store_id: Id | None = None
    lot_id: Id | None = None
    product_id: Id | None = None
    lot_number: Annotated[str, Meta(max_length=20)] = ""
    lot_expiry: dt.date | None = None
    given_elsewhere: Text = ""
    vaccinator_name: Text = ""
    programme: Literal["epi", "service"] = "epi"
    route: Literal["", "IM", "SC", "ID", "oral", "nasal"] = ""
    site: Literal["", "left_thigh", "right_thigh", "left_arm", "right_arm", "mouth", "nose"] = ""
    screening: ScreeningIn | None = None
    override_reason: Annotated[str, Meta(max_length=500)] = ""
    override_contraindication: bool = False
    # The session (of the dose's facility) and the campaign it is given in, if any.
    session: Id | None = None
    campaign: Id | None = None


class VoidIn(Input):
    reason: Reason


class CorrectionIn(DoseIn, kw_only=True):
    """The dose as it should have been recorded, and why the old one was wrong. Without
    a date the new dose keeps the old one's."""

    reason: Reason


class DoseOut(Output):
    id: int
    key: str
    subject_id: int
    vaccine_code: str
    source: str
    status: str
    administered_on: dt.date
    administered_at: dt.datetime | None
    facility_id: int | None
    given_elsewhere: str
    store_id: int | None
    lot_id: int | None
    lot_number: str
    lot_expiry: dt.date | None
    product_id: int | None
    product_code: str | None
    stock_event: int | None
    open_vial: int | None  # the vial opening it came from (a multi-dose lot)
    vaccinator: int | None
    vaccinator_name: str
    programme: str
    route: str
    site: str
    screening: dict[str, Any] | None
    warnings: list[dict[str, Any]]
    flags: list[str]
    override_reason: str
    void_reason: str
    voided_at: dt.datetime | None
    voided_by: int | None
    corrects_id: int | None
    session_id: int | None
    campaign_id: int | None
    recorded_at: dt.datetime
    recorded_by: int | None


class RecordedDose(Output):
    """A dose just recorded (or voided) and the subject's forecast after it."""

    dose: DoseOut
    forecast: list[VaccineGroupForecast]


class Finding(Output):
    """Something the vaccinator confirms before saving (docs/records.md, "Check before saving")."""

    # too_young, too_soon, live_virus_conflict, series_complete, postpone, refer, do_not_give, recent_dose, ...
    code: str
    severity: Literal["warning", "contraindication"]
    message: str  # in the caller's language
    vaccine_group: str | None = None
    until: dt.date | None = None  # postpone / refer: the first day it may be given
    dose_id: int | None = None  # recent_dose: the dose already recorded


class Evaluation(Output):
    """The engine's verdict on the proposed dose, added to the history."""

    valid: bool
    reasons: list[EngineReason]


class DoseCheck(Output):
    """``POST /api/doses/check``: what saving this dose would say; nothing is written."""

    findings: list[Finding]
    evaluation: Evaluation
    forecast: list[VaccineGroupForecast]  # each vaccine group the dose counts for, after it


class UsableLot(BalanceOut):
    """A lot a dose may be given from here (``GET /api/doses/lots``)."""

    store_id: int
    store_name: str
    vaccine_code: str  # the schedule's code recorded for the dose
    route: str  # how it is given ("" when the catalogue does not say)

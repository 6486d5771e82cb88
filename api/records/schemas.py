"""Request and response bodies of the vaccination records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from msgspec import Meta

from api.immunization.schemas import VaccineGroupForecast
from api.schemas import Id, Input, Output

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


class VoidIn(Input):
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
    recorded_at: dt.datetime
    recorded_by: int | None


class RecordedDose(Output):
    """A dose just recorded (or voided) and the subject's forecast after it."""

    dose: DoseOut
    forecast: list[VaccineGroupForecast]

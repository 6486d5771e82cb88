"""Request and response bodies of the batch sync and the double-dose reviews."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from msgspec import Meta

from api.schemas import Input, Output

# The batch's bound: a day's work of a busy vaccinator, answered within seconds.
MAX_ITEMS = 500
Key = Annotated[str, Meta(min_length=1, max_length=64)]
Outcome = Literal["applied", "already_applied", "refused", "conflict"]


class SyncItemIn(Input):
    """One queued write, as the single request would send it: ``body`` is its JSON text
    (the very bytes, so a write sent once alone and once in a batch is one write; an
    object is taken too and encoded once here)."""

    key: Key
    path: Annotated[str, Meta(min_length=1, max_length=300)]
    method: Literal["POST", "PATCH"] = "POST"
    body: str | dict[str, Any] | None = None


class SyncIn(Input):
    items: list[SyncItemIn]
    # When this device last had a sync answer (``synced_at``): a dose recorded elsewhere
    # after it was one the device could not know of (a cross-site double dose).
    last_synced_at: dt.datetime | None = None


class SyncItemOut(Output):
    key: str
    kind: str | None
    outcome: Outcome
    status: int
    id: int | None = None
    # The single endpoint's answer: its body on success (the first one again when already
    # applied), its error ({code, message, details}) when refused.
    answer: Any = None
    error: dict[str, Any] | None = None
    # A refusal's field errors (field → message), for the form that reopens the write.
    fields: dict[str, str] = {}
    # Why a conflict needs someone: "double_dose" (with the review ids), "lot_on_hold", …
    conflicts: list[str] = []
    reviews: list[int] = []


class SyncOut(Output):
    synced_at: dt.datetime
    # The keys the device may drop from its queue: applied, already applied or conflict.
    confirmed: list[str]
    items: list[SyncItemOut]


class ReviewDose(Output):
    id: int
    vaccine_code: str
    administered_on: dt.date
    administered_at: dt.datetime | None
    facility_id: int | None
    facility_name: str | None
    lot_number: str
    product_code: str | None
    source: str
    status: str
    flags: list[str]
    recorded_at: dt.datetime


class DoseReviewOut(Output):
    id: int
    status: str
    vaccine_groups: list[str]
    subject_id: int
    subject_code: str
    subject_name: str
    birth_date: dt.date
    first: ReviewDose
    second: ReviewDose
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: int | None
    note: str


class ResolveIn(Input):
    note: Annotated[str, Meta(min_length=3, max_length=1000)]

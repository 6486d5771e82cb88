"""Request and response bodies of the stock routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from api.schemas import Id, Input, Name
from api.stock.alerts import Unit
from api.stock.catalogue import OpenVialRule, ProductKind
from api.stock.services import AdjustmentReason, Discrepancy
from api.stock.stores import Level

# A day's delivery is far below this; a larger number is a typing mistake.
Doses = Annotated[int, Meta(ge=1, le=10_000_000, description="Doses (pieces for syringes and safety boxes)")]
Counted = Annotated[int, Meta(ge=0, le=10_000_000)]
VvmStage = Annotated[int, Meta(ge=1, le=4, description="VVM stage 1-4, where the vial carries one")]
Gtin = Annotated[str, Meta(min_length=8, max_length=14, pattern=r"^[0-9]+$")]
LotNumber = Annotated[str, Meta(min_length=1, max_length=20)]
Reference = Annotated[str, Meta(max_length=64, description="SSCC or order number")]
Note = Annotated[str, Meta(max_length=500)]


VaccineCode = Annotated[
    str, Meta(max_length=16, description="The schedule's vaccine code (schedule/vn) of a vaccine; empty for none")
]


class ProductIn(Input):
    code: Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z._-]+$")]
    name: Name
    kind: ProductKind
    vaccine_code: VaccineCode = ""


class ProductVaccineIn(Input):
    vaccine_code: VaccineCode


class ProductOut(msgspec.Struct):
    id: int
    code: str
    name: str
    kind: str
    vaccine_code: str
    created_at: datetime


class PresentationIn(Input):
    gtin: Gtin
    product_id: Id
    doses_per_vial: Annotated[int, Meta(ge=1, le=100)]
    vials_per_carton: Annotated[int, Meta(ge=1, le=10_000)]
    has_vvm: bool
    open_vial_rule: OpenVialRule
    open_vial_hours: Annotated[int, Meta(ge=1, le=72)] | None = None


class PresentationOut(msgspec.Struct):
    id: int
    gtin: str
    product_id: int
    product_code: str
    doses_per_vial: int
    vials_per_carton: int
    has_vvm: bool
    open_vial_rule: str
    open_vial_hours: int | None
    registered_at: datetime


class LotOut(msgspec.Struct):
    id: int
    number: str
    expiry: date
    manufacturer: str
    on_hold: bool
    product_id: int
    product_code: str
    gtin: str
    doses_per_vial: int
    has_vvm: bool


class HoldIn(Input):
    on_hold: bool
    # Why (an AEFI cluster, a recall): kept in the audit row and told to the stores.
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class StoreOut(msgspec.Struct):
    id: int
    name: str
    kind: str
    level: Level
    active: bool
    supplier_id: int | None
    facility_id: int
    place_id: int
    facility_name: str


class BalanceOut(msgspec.Struct):
    lot_id: int
    lot_number: str
    expiry: date
    on_hold: bool
    product_id: int
    product_code: str
    vaccine_code: str
    gtin: str
    doses_per_vial: int
    doses: int
    vials: int
    flagged: bool
    has_vvm: bool
    vvm_stage: int | None


class SuggestionOut(BalanceOut):
    take: int


class ReceiptLineIn(Input):
    doses: Doses
    lot_id: Id | None = None
    gtin: Gtin | None = None
    lot_number: LotNumber | None = None
    expiry: date | None = None
    manufacturer: Annotated[str, Meta(max_length=120)] = ""
    vvm_stage: VvmStage | None = None


class ReceiptIn(Input):
    lines: Annotated[list[ReceiptLineIn], Meta(min_length=1, max_length=200)]
    reference: Reference = ""


class ShipLineIn(Input):
    lot_id: Id
    doses: Doses


class ShipmentIn(Input):
    to_store_id: Id
    lines: Annotated[list[ShipLineIn], Meta(min_length=1, max_length=200)]
    reference: Reference = ""


class ArrivedLineIn(Input):
    lot_id: Id
    doses: Counted
    discrepancy: Discrepancy | None = None
    vvm_stage: VvmStage | None = None


class ShipmentReceiptIn(Input):
    shipment_id: Id
    lines: Annotated[list[ArrivedLineIn], Meta(max_length=200)] = []


class AdjustmentIn(Input):
    reason: AdjustmentReason
    lot_id: Id
    doses: Doses
    note: Note = ""


class CountLineIn(Input):
    lot_id: Id
    counted_doses: Counted
    vvm_stage: VvmStage | None = None


class CountIn(Input):
    lines: Annotated[list[CountLineIn], Meta(min_length=1, max_length=500)]


class ReversalIn(Input):
    event_id: Id
    note: Annotated[str, Meta(min_length=1, max_length=500, description="Why the entry was a mistake")]


class EntryOut(msgspec.Struct):
    lot_id: int
    doses: int
    vvm_stage: int | None
    expected_doses: int | None
    discrepancy: str
    counted_doses: int | None


class EventOut(msgspec.Struct):
    id: int
    kind: str
    store_id: int
    other_store_id: int | None
    reference: str
    reason: str
    note: str
    status: str
    shipment_id: int | None
    reverses_id: int | None
    offline: bool
    occurred_at: datetime
    recorded_at: datetime
    lines: list[EntryOut]


class LevelIn(Input):
    unit: Annotated[Unit, Meta(description="doses, or months of the average monthly consumption")]
    min_level: Counted
    max_level: Doses


class LevelOut(msgspec.Struct):
    product_id: int
    product_code: str
    unit: str
    min_level: int
    max_level: int
    below_min: bool
    min_doses: int


class AlertOut(msgspec.Struct):
    id: int
    kind: str
    product_id: int | None
    lot_id: int | None
    doses: int
    message: str
    raised_at: datetime


Session = Annotated[
    str, Meta(max_length=64, description="The session the vial is opened at (the app's id for it): closed together")
]


class OpenVialIn(Input):
    lot_id: Id
    session: Session = ""
    # When the vial was opened, for a vial opened offline and synced later.
    opened_at: datetime | None = None
    offline: bool = False


class SessionCloseIn(Input):
    session: Annotated[str, Meta(min_length=1, max_length=64)]


class OpenVialOut(msgspec.Struct):
    id: int
    store_id: int
    lot_id: int
    lot_number: str
    product_code: str
    rule: str
    event_id: int
    session: str
    doses: int
    given: int
    opened_at: datetime
    discard_at: datetime | None
    open: bool
    closed_at: datetime | None
    closed_by: str
    wasted: int | None
    discard_event_id: int | None


class UsageOut(msgspec.Struct):
    store_id: int
    store_name: str
    facility_id: int
    facility_name: str
    product_code: str
    month: str
    administered: int
    wasted: int
    wasted_by_reason: dict[str, int]
    issued: int
    wastage_rate: float | None
    stockout_days: int


class OnHandOut(msgspec.Struct):
    level: str
    store_id: int
    store_name: str
    facility_id: int
    facility_name: str
    product_code: str
    lot_id: int
    lot_number: str
    expiry: date
    doses: int
    doses_per_vial: int
    vials: int
    flagged: bool


class ScannedCodeIn(Input, forbid_unknown_fields=False):
    """The GS1 payload of one code from ``POST /api/scan`` (its other fields are ignored)."""

    gtin: Gtin | None = None
    contained_gtin: Gtin | None = None
    sscc: Annotated[str, Meta(pattern=r"^[0-9]{18}$")] | None = None
    lot: LotNumber | None = None
    expiry: date | None = None
    count: Annotated[int, Meta(ge=1, le=100_000)] | None = None
    contained_count: Annotated[int, Meta(ge=1, le=100_000)] | None = None
    serial: Annotated[str, Meta(max_length=20)] | None = None


class ProposalIn(Input):
    codes: Annotated[list[ScannedCodeIn], Meta(min_length=1, max_length=200)]


class ProposedLineOut(msgspec.Struct):
    gtin: str
    product_code: str
    lot_id: int | None
    lot_number: str
    expiry: date | None
    doses: int
    vials: int
    problem: str | None


class ProposalOut(msgspec.Struct):
    reference: str
    shipment_id: int | None
    lines: list[ProposedLineOut]
    unknown_gtins: list[str]

"""What ``POST /api/scan`` and ``POST /api/subjects/prefill`` answer, as the OpenAPI
schema describes them. A payload and what it resolves to are told apart by ``kind``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from api.schemas import Output
from scanning import Hint


class Discrepancy(Output):
    field: str
    message: str


class ElementString(Output):
    ai: str  # GS1 application identifier, e.g. "17"
    value: str
    title: str  # e.g. "USE BY OR EXPIRY"


class GS1Payload(Output, tag_field="kind", tag="gs1"):
    """GS1 data from vaccine packaging."""

    element_strings: list[ElementString]
    gtin: str | None
    contained_gtin: str | None
    sscc: str | None
    lot: str | None
    serial: str | None
    expiry: dt.date | None
    production_date: dt.date | None
    count: int | None
    contained_count: int | None
    digital_link: str | None


class CitizenIdPayload(Output, tag_field="kind", tag="citizen_id"):
    """A Vietnamese citizen ID card's QR code."""

    id_number: str
    old_id_number: str | None
    full_name: str | None
    birth_date: dt.date | None
    sex: Literal["male", "female"] | None
    address: str | None
    issue_date: dt.date | None
    expiry_date: dt.date | None
    other_fields: list[str]
    discrepancies: list[Discrepancy]


class SubjectCardPayload(Output, tag_field="kind", tag="subject_card"):
    """A subject card's QR code (``NIIS1|code|signature``), not yet verified."""

    code: str
    signature: str
    check_ok: bool  # the code's check character is right


class Product(Output, tag_field="kind", tag="product"):
    """The catalogue product behind a GS1 code's GTIN."""

    id: str
    trade_name: str
    name_vi: str
    manufacturer: str
    doses_per_container: int
    gtin: str


class PrefillGuardian(Output):
    full_name: str | None
    personal_id: str | None


class PrefillSubject(Output):
    full_name: str | None
    personal_id: str | None
    birth_date: dt.date | None
    sex: Literal["M", "F"] | None
    address_detail: str


class Prefill(Output, tag_field="kind", tag="guardian_prefill"):
    """A citizen ID card as registration form fields: the holder as a guardian and, for
    a woman registering herself, as the subject; ``discrepancies`` are for the clerk."""

    full_name: str | None
    personal_id: str | None
    birth_date: dt.date | None
    sex: Literal["M", "F"] | None
    address: str | None
    consistent: bool
    discrepancies: list[Discrepancy]
    guardian: PrefillGuardian
    subject: PrefillSubject


class CardSubject(Output):
    id: int
    code: str
    code_display: str
    full_name: str
    birth_date: dt.date
    sex: str
    status: str
    place: int
    facility: int


class CardResolution(Output, tag_field="kind", tag="subject_card"):
    """A forged or mistyped card: ``valid`` false, ``reason`` and ``message``. A valid
    card: ``code_display`` and the subject if the caller may see it, else ``subject``
    null with ``reason`` and ``message``."""

    valid: bool
    code_display: str | None = None
    subject: CardSubject | None = None
    reason: Literal["mistyped_code", "bad_signature", "not_found", "outside_area"] | None = None
    message: str | None = None


class ScannedCode(Output):
    format: str  # e.g. "DataMatrix", "QRCode"
    symbology_identifier: str  # AIM identifier, e.g. "]d2" (GS1 DataMatrix)
    text: str
    raw_base64: str
    corners: list[tuple[int, int]]  # pixel positions (x, y) in the uploaded photo
    engine: str
    payload: GS1Payload | CitizenIdPayload | SubjectCardPayload | None
    payload_error: str | None  # why a recognised payload could not be parsed
    resolved: Product | Prefill | CardResolution | None  # what the code means to the caller


class ScanResponse(Output):
    """Every barcode found; nothing found → empty ``codes`` and, where measurable, a hint."""

    width: int
    height: int
    codes: list[ScannedCode]
    hint: Hint | None
    hint_message: str | None
    attempts: int
    timed_out: bool
    elapsed_ms: float

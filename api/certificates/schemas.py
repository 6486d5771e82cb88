"""What the certificate routes take and answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from api.schemas import Input, Output


class CardDose(Output):
    vaccine_code: str
    vaccine: str  # in the caller's language, from the catalogue
    date: date
    lot_number: str
    performer: str


class Patient(Output):
    name: str
    birth_date: date


class Certificate(Output):
    """A subject's SMART Health Card: what it holds, and its three forms."""

    subject_id: int
    patient: Patient
    doses: list[CardDose]
    issuer: str
    issued_at: datetime
    shortened: bool  # lot numbers and places left out to fit one QR
    shc: str  # "shc:/5676…": the QR's text
    jws: str
    qr_svg: str
    qr_version: int


class VerifyIn(Input):
    shc: Annotated[str, Meta(min_length=1, max_length=5000, description='the QR\'s text, "shc:/…"')]


class Verdict(Output):
    """Whether a card is genuine. Invalid: ``reason`` (not_shc, malformed, unknown_key,
    bad_signature, unknown_issuer) and a message; valid: who and which doses."""

    valid: bool
    reason: str | None = None
    message: str | None = None
    issuer: str | None = None
    issued_at: datetime | None = None
    patient: Patient | None = None
    doses: list[CardDose] = msgspec.field(default_factory=list)

"""Request and response bodies of the transfer-request routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from api.registry.subjects.schemas import Digits
from api.schemas import Id, Input, Name


class TransferRequestBody(Input):
    from_place_id: Annotated[Id, Meta(description="The commune (or province) the family says they came from")]
    full_name: Name
    birth_date: date
    moved_on: date
    to_place_id: Id
    to_facility_id: Id
    guardian_phone: Digits | None = None
    reason: Annotated[str, Meta(max_length=500)] = ""


class ApproveBody(Input):
    subject_id: Annotated[Id, Meta(description="The record this request is about (see candidates)")]


class TransferRequestOut(msgspec.Struct):
    id: int
    status: str
    requester: int
    requester_name: str
    from_place: int
    full_name: str
    birth_date: date
    moved_on: date
    to_place: int
    to_facility: int
    reason: str
    requested_at: datetime
    # Names of the places and facility, for both sides (neither can read the other's by id).
    from_place_name: str = ""
    to_place_name: str = ""
    to_facility_name: str = ""
    guardian_phone: str | None = None
    # Set once approved: the record, now managed by the requester's side.
    subject: int | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    # For the deciding side of a pending request: its records with this name and birth date.
    candidates: list[int] = []


class DestinationOut(msgspec.Struct):
    facility_id: int
    facility_name: str
    place_id: int
    place_name: str
    above: str

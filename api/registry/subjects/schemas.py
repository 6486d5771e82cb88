from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from api.schemas import Id, Input, Name

Relationship = Literal["mother", "father", "grandparent", "sibling", "carer", "self"]
Sex = Literal["F", "M", "U"]
Digits = Annotated[str, Meta(min_length=1, max_length=20)]


class GuardianBody(Input):
    full_name: Name
    relationship: Relationship
    phone: Digits | None = None
    personal_id: Digits | None = None
    messaging_consent: bool = False
    is_primary: bool = False


class RegisterBody(Input):
    full_name: Name
    birth_date: date
    sex: Sex
    place_id: Id
    facility_id: Id
    address_detail: Annotated[str, Meta(max_length=300)] = ""
    birth_time: time | None = None
    personal_id: Digits | None = None
    ethnicity: Annotated[str, Meta(max_length=64)] | None = None
    guardians: Annotated[list[GuardianBody], Meta(max_length=6)] = []
    expected_delivery: date | None = None
    not_duplicate_of: Annotated[list[Id], Meta(max_length=50)] = []


class CorrectBody(Input):
    version: Annotated[int, Meta(ge=1)] | None = None
    full_name: Name | None = None
    birth_date: date | None = None
    birth_time: time | None = None
    sex: Sex | None = None
    personal_id: Digits | None = None
    ethnicity: Annotated[str, Meta(max_length=64)] | None = None
    address_detail: Annotated[str, Meta(max_length=300)] | None = None
    status: Literal["active", "moved", "deceased", "lost"] | None = None


class MoveBody(Input):
    place_id: Id
    facility_id: Id
    moved_on: date
    reason: Annotated[str, Meta(max_length=500, description="Why the subject moves (required)")]
    address_detail: Annotated[str, Meta(max_length=300)] | None = None
    # Needed to take over a subject one cannot see: the card's code or the personal ID number.
    proof: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=30,
                description="The lifelong code from the card (any format, e.g. 7KM2-9QXH-C) or the 12-digit personal "
                "ID number from the card or birth certificate: needed to take over a child outside your area",
            ),
        ]
        | None
    ) = None


class DeathBody(Input):
    died_on: date


class PregnancyBody(Input):
    expected_delivery: date


class GuardianOut(msgspec.Struct):
    id: int
    full_name: str
    relationship: str
    is_primary: bool
    phone: str | None
    personal_id: str | None
    messaging_consent: bool


class PregnancyOut(msgspec.Struct):
    id: int
    expected_delivery: date
    ended_on: date | None


class SubjectSummary(msgspec.Struct):
    """One summary of a subject wherever a list shows one (search hits, a parent's children)."""

    id: int
    code: str
    code_display: str
    full_name: str
    birth_date: date
    sex: str


class SubjectOut(SubjectSummary):
    place: int
    facility: int
    status: str
    version: int
    personal_id: str | None = None
    birth_time: time | None = None
    ethnicity: str | None = None
    address_detail: str = ""
    died_on: date | None = None
    guardians: list[GuardianOut] = []
    pregnancies: list[PregnancyOut] = []


class SearchHit(SubjectSummary):
    place: int
    facility: int
    status: str
    score: float
    matched_by: str


class SearchPage(msgspec.Struct):
    items: list[SearchHit]
    page: int
    page_size: int
    has_more: bool
    query_kind: str


class MoveOut(msgspec.Struct):
    id: int
    subject: int
    code: str
    full_name: str
    moved_on: date
    from_place: int
    to_place: int
    from_facility: int
    to_facility: int
    recorded_at: datetime
    reason: str = ""
    # Names of both sides: the other one is outside the caller's place and facility lists.
    from_place_name: str = ""
    to_place_name: str = ""
    from_facility_name: str = ""
    to_facility_name: str = ""


Json = dict[str, Any]

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.places.facilities import StoreLevel
from api.schemas import Code, Id, Input, Name

Level = Annotated[
    str, Meta(pattern=r"^[a-z_]{2,16}$", description="country, province, district, commune, or another level name")
]


class PlaceOut(msgspec.Struct):
    id: int
    code: str
    level: str
    name: str
    parent_id: int | None
    valid_from: date
    valid_to: date | None
    change: str
    successor_id: int | None


class PlaceIn(Input):
    code: Code
    name: Name
    level: Level
    parent_id: Id
    valid_from: date


class RenameIn(Input):
    name: Name
    effective_date: date


class MoveIn(Input):
    parent_id: Id
    effective_date: date


class MergeIn(Input):
    source_ids: Annotated[list[Id], Meta(min_length=1, max_length=100)]
    into_id: Id
    effective_date: date


class AbolishIn(Input):
    effective_date: date
    units_to: Id | None = None


class PlaceChangeOut(msgspec.Struct):
    """A dated change of the hierarchy, as listed while it is still to come."""

    id: int
    kind: str
    effective_date: date
    summary: str
    place_ids: list[int]
    made_at: datetime
    made_by: str
    revoked_at: datetime | None


FacilityKind = Literal[
    "commune_health_station",
    "district_centre",
    "provincial_centre",
    "national_centre",
    "hospital",
    "private_clinic",
]
StoreKind = Literal["cold_room", "refrigerator", "freezer", "cold_box", "vaccine_carrier"]


class StoreIn(Input):
    name: Name
    kind: StoreKind
    level: StoreLevel = "commune"
    supplier_id: Id | None = None


class StoreOut(msgspec.Struct):
    id: int
    name: str
    kind: str
    active: bool
    level: StoreLevel = "commune"
    supplier_id: int | None = None


class FacilityIn(Input):
    code: Code
    name: Name
    kind: FacilityKind
    place_id: Id
    serves_epi: bool = True
    serves_service: bool = False


class FacilityPatch(Input):
    name: Name | None = None
    kind: FacilityKind | None = None
    serves_epi: bool | None = None
    serves_service: bool | None = None
    active: bool | None = None


class FacilityOut(msgspec.Struct):
    id: int
    code: str
    name: str
    kind: str
    place_id: int
    serves_epi: bool
    serves_service: bool
    active: bool
    stores: list[StoreOut] = []

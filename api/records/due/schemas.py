"""The due list's answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

State = Literal["due", "overdue"]


class DueGroup(msgspec.Struct):
    vaccine_group: str
    dose_number: int | None
    earliest: date | None
    due: date | None
    overdue: date | None
    latest: date | None
    state: State


class DueChild(msgspec.Struct):
    id: int
    code: str
    full_name: str
    birth_date: date
    sex: str
    place: int
    status: str
    state: State
    guardian_name: str | None
    guardian_phone: str | None
    groups: list[DueGroup]


class DueCount(msgspec.Struct):
    vaccine_group: str
    due: int
    overdue: int
    total: int


class SessionNeed(msgspec.Struct):
    """Vaccine for the range's sessions: ``product`` is null (vials unknown) until this
    area has given a dose of the group from stock."""

    vaccine_groups: list[str]
    product: str | None
    children: int
    wastage_factor: float
    doses: int
    doses_per_vial: int | None
    vials: int | None


class DueList(msgspec.Struct, rename={"since": "from", "until": "to"}):
    facility_id: int | None
    place_id: int | None
    since: date
    until: date
    as_of: datetime
    children: list[DueChild]
    more: bool
    counts: list[DueCount]
    needs: list[SessionNeed]

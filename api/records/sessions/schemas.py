"""Request and response bodies of sessions and campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from msgspec import Meta

from api.schemas import Id, Input, Output

Group = Annotated[str, Meta(min_length=1, max_length=40)]


class SessionIn(Input):
    held_on: dt.date
    kind: Literal["fixed", "outreach"] = "fixed"
    facility_id: Id | None = None  # the caller's own facility when not given
    place_name: Annotated[str, Meta(max_length=200)] = ""  # the commune hall, a village
    vaccine_groups: Annotated[list[Group], Meta(min_length=1, max_length=20)] = []
    staff: Annotated[list[Id], Meta(max_length=20)] = []


class GroupDoses(Output):
    vaccine_group: str
    doses: int


class VaccineDoses(Output):
    vaccine_code: str
    doses: int


class SessionReport(Output):
    """A session's figures (written when it closes; ``GET .../report`` reads them live before)."""

    roster: int
    vaccinated: int
    absent: int
    postponed: int
    not_seen: int
    doses: int
    doses_per_group: list[GroupDoses]
    doses_per_vaccine: list[VaccineDoses]
    vials_opened: int
    doses_opened: int
    doses_given_from_vials: int
    doses_wasted: int
    wastage_rate: float  # (doses opened - given from them) / doses opened


class SessionOut(Output):
    id: int
    facility_id: int
    facility_name: str
    held_on: dt.date
    place_name: str
    kind: str
    vaccine_groups: list[str]
    staff: list[int]
    status: Literal["planned", "open", "closed"]
    planned_by: int | None
    planned_at: dt.datetime
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by: int | None
    report: SessionReport | None


class RosterGroup(Output):
    vaccine_group: str
    dose_number: int | None
    state: Literal["due", "overdue"]


class Attendance(Output):
    status: Literal["expected", "vaccinated", "absent", "postponed"]
    reason: str
    vaccine_codes: list[str]  # the session's doses of a vaccinated child


class RosterChild(Output):
    id: int
    code: str
    full_name: str
    birth_date: dt.date
    sex: str
    guardian_name: str | None
    guardian_phone: str | None
    groups: list[RosterGroup]
    attendance: Attendance


class Roster(Output):
    """``GET /api/sessions/{id}/roster``: what the device keeps for the session offline."""

    session: SessionOut
    as_of: dt.datetime
    children: list[RosterChild]


class AttendanceIn(Input):
    subject_id: Id
    status: Literal["absent", "postponed"]
    reason: Annotated[str, Meta(max_length=500)] = ""


class AttendanceOut(Output):
    session_id: int
    subject_id: int
    status: str
    reason: str
    recorded_at: dt.datetime


class CampaignIn(Input):
    name: Annotated[str, Meta(min_length=3, max_length=200)]
    vaccine_group: Group
    min_age_months: Annotated[int, Meta(ge=0, le=216)]
    max_age_months: Annotated[int, Meta(ge=0, le=216)]
    starts_on: dt.date
    ends_on: dt.date
    place_id: Id | None = None
    facility_id: Id | None = None
    target: Annotated[int, Meta(ge=1)] | None = None  # the target group counted now, when not given


class CampaignOut(Output):
    id: int
    name: str
    vaccine_group: str
    min_age_months: int
    max_age_months: int
    place_id: int | None
    facility_id: int | None
    starts_on: dt.date
    ends_on: dt.date
    target: int
    reached: int  # children of the target group given a dose of the group in the dates
    progress: float  # reached / target
    created_at: dt.datetime

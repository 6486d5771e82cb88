"""``POST /api/forecast``: a person's data and history in, evaluation and forecast out."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from litestar import post
from msgspec import Meta

from api.auth.guards import signed_in
from api.auth.principal import Principal
from api.clock import Clock
from api.immunization.schemas import Assessment
from api.immunization.services import DoseGiven, Observation, assess
from api.schemas import Input

Code = Annotated[str, Meta(min_length=1, max_length=32)]


class DoseIn(Input):
    date: date
    vaccine_code: Code
    lot: Annotated[str, Meta(max_length=40)] | None = None
    trade_name: Annotated[str, Meta(max_length=80)] | None = None


class ObservationIn(Input):
    code: Code
    start: date | None = None
    end: date | None = None


class ForecastIn(Input):
    birth_date: date
    sex: Literal["F", "M", "U"] = "U"
    doses: Annotated[list[DoseIn], Meta(max_length=200)] = []
    observations: Annotated[list[ObservationIn], Meta(max_length=50)] = []
    assessment_date: date | None = None
    language: Literal["vi", "en"] | None = None


@post("/api/forecast", guards=[signed_in], tags=["immunization"], status_code=200)
async def forecast(caller: Principal, clock: Clock, data: ForecastIn) -> Assessment:
    """Evaluate each dose (valid, not valid, extraneous, sub-standard, with reasons a nurse
    understands) and forecast each vaccine group (status, next dose, earliest, due,
    overdue and latest dates) under Vietnam's schedule in force on the assessment date."""
    return assess(
        birth_date=data.birth_date,
        sex=data.sex,
        doses=[DoseGiven(**msgspec.structs.asdict(d)) for d in data.doses],
        observations=[Observation(**msgspec.structs.asdict(o)) for o in data.observations],
        assessment_date=data.assessment_date or clock.today(),
        language=data.language or caller.language,
    )

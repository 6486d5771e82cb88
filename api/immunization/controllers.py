"""``POST /api/forecast``: a person's data and history in, evaluation, forecast and advice
out. ``GET /api/screening/forms`` and ``POST /api/screening/assess``: the Decision 1575
checklist and what its answers mean today (a read: nothing is stored)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar import get, post
from msgspec import Meta

from api.auth.guards import signed_in
from api.auth.principal import Principal
from api.clock import Clock
from api.immunization.schemas import Assessment, Checklist, ScreeningResult
from api.immunization.services import DoseGiven, Observation, assess, screening_checklist, screening_outcome
from api.schemas import Input
from schedule.vn.screening import Answer

Code = Annotated[str, Meta(min_length=1, max_length=32)]
Language = Literal["vi", "en"]


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
    language: Language | None = None


class AnswerIn(Input):
    """A checklist answer; ``start``/``end``: when the condition or treatment began and
    ended; ``vaccine_code``: the previous dose's vaccine, for the anaphylaxis question."""

    yes: bool = True
    start: date | None = None
    end: date | None = None
    vaccine_code: Code | None = None


class ScreeningIn(ForecastIn, kw_only=True):
    """The person as for a forecast, plus the form (newborn, child) and its answers."""

    form: Annotated[str, Meta(min_length=1, max_length=32)]
    answers: Annotated[dict[Annotated[str, Meta(min_length=1, max_length=64)], AnswerIn], Meta(max_length=50)] = {}


def _person(data: ForecastIn, caller: Principal, clock: Clock) -> dict[str, Any]:
    """The person, history and day as the services take them (forecast and screening alike)."""
    return {
        "birth_date": data.birth_date,
        "sex": data.sex,
        "doses": [DoseGiven(**msgspec.structs.asdict(d)) for d in data.doses],
        "observations": [Observation(**msgspec.structs.asdict(o)) for o in data.observations],
        "assessment_date": data.assessment_date or clock.today(),
        "language": data.language or caller.language,
    }


@post("/api/forecast", guards=[signed_in], tags=["immunization"], status_code=200)
async def forecast(caller: Principal, clock: Clock, data: ForecastIn) -> Assessment:
    """Evaluate each dose (valid, not valid, extraneous, sub-standard, with reasons a nurse
    understands) and forecast each vaccine group (status, next dose, earliest, due,
    overdue and latest dates) under Vietnam's schedule in force on the assessment date,
    and advise it: do not give, postpone until, refer, with the rule's reason."""
    return assess(**_person(data, caller, clock))


@get("/api/screening/forms", guards=[signed_in], tags=["immunization"])
async def screening_forms(
    caller: Principal, clock: Clock, birth_date: date | None = None, language: Language | None = None
) -> Checklist:
    """The pre-vaccination screening checklist (Decision 1575/QĐ-BYT): the newborn form
    and the form from 1 month; with ``birth_date``, each form says whether it fits today."""
    return screening_checklist(language=language or caller.language, birth_date=birth_date, on=clock.today())


@post("/api/screening/assess", guards=[signed_in], tags=["immunization"], status_code=200)
async def screening_assess(caller: Principal, clock: Clock, data: ScreeningIn) -> ScreeningResult:
    """What a screening's answers (questions not sent are "no") mean for each vaccine
    group on the assessment date: vaccinate, postpone until, refer, do not give."""
    return screening_outcome(
        **_person(data, caller, clock),
        form=data.form,
        answers={qid: Answer(a.yes, a.start, a.end, a.vaccine_code) for qid, a in data.answers.items()},
    )

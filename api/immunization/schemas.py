"""What ``POST /api/forecast`` and the screening routes answer: each dose's evaluation
and each vaccine group's forecast with its advice, as the OpenAPI schema describes them."""

from __future__ import annotations

import datetime as dt

from api.schemas import Output
from schedule.model import DoseStatus, SeriesStatus
from schedule.vn.advice import Action


class Reason(Output):
    code: str  # stable, stored with results (schedule.reasons)
    text: str  # in the nurse's language


class DoseEvaluation(Output):
    antigen: str
    status: DoseStatus
    target_dose: int | None  # 1-based target dose satisfied (valid) or evaluated
    reasons: list[Reason]


class EvaluatedDose(Output):
    date: dt.date
    vaccine_code: str
    evaluations: list[DoseEvaluation]


class AdviceReason(Output):
    """The rule behind a "do not give", "postpone" or "refer"."""

    code: str  # the rule's id in contraindications.toml: live-pregnancy, fever, anaphylaxis, ...
    observations: list[str]  # the person's observation codes that triggered it
    text: str  # in the requested language, from the rule's data (the client shows it as is)
    source: str
    confidence: str  # confirmed, unconfirmed, assumption


class Advice(Output):
    """What to do about the group today, once contraindications and precautions are
    applied to the forecast (``schedule.vn.advice``)."""

    action: Action
    until: dt.date | None  # postpone / refer: the first day it may be given; null: once the condition has ended
    vaccines: list[str]  # codes that may be given (now, or when due)
    withheld: list[str]  # codes not to give today, for the reasons
    reasons: list[AdviceReason]


class VaccineGroupForecast(Output):
    """Dates are null when no further dose is recommended."""

    vaccine_group: str
    status: SeriesStatus
    dose_number: int | None
    earliest: dt.date | None
    recommended: dt.date | None  # due
    past_due: dt.date | None  # overdue
    latest: dt.date | None
    vaccines: list[str]  # recommended vaccine codes (the engine's; advice.vaccines is what may be given)
    reasons: list[Reason]
    advice: Advice


class Assessment(Output):
    assessment_date: dt.date
    schedule: str
    doses: list[EvaluatedDose]
    vaccine_groups: list[VaccineGroupForecast]


class ScreeningQuestion(Output):
    id: str  # stable: answers are sent by id
    text: str
    note: str  # shown with the outcome when answered yes ("" when none)
    lasts: str  # "day": the screening day only; "ongoing": from start to end (or open)
    names_vaccine: bool  # a yes must name the vaccine of the previous dose (vaccine_code)


class ScreeningForm(Output):
    id: str  # newborn, child
    title: str
    min_age: str | None  # as the data writes it ("1 month")
    max_age: str | None
    fits: bool | None  # for the birth date asked about, today; null when none was given
    questions: list[ScreeningQuestion]


class VaccineChoice(Output):
    code: str
    description: str


class Checklist(Output):
    version: str  # store it with the answers
    title: str
    source: str
    confidence: str
    forms: list[ScreeningForm]
    vaccines: list[VaccineChoice]  # what a question that names_vaccine may name, by description


class ObservationOut(Output):
    code: str
    start: dt.date | None
    end: dt.date | None


class ScreeningResult(Output):
    form: str
    checklist_version: str
    #: REFER, else VACCINATE when something may be given today, else POSTPONE, else DO_NOT_GIVE
    decision: Action
    observations: list[ObservationOut]  # what the yes answers record
    notes: list[str]
    vaccine_groups: list[VaccineGroupForecast]

"""What ``POST /api/forecast`` answers: each dose's evaluation and each vaccine group's
forecast, as the OpenAPI schema describes them."""

from __future__ import annotations

import datetime as dt

from api.schemas import Output
from schedule.model import DoseStatus, SeriesStatus


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


class VaccineGroupForecast(Output):
    """Dates are null when no further dose is recommended."""

    vaccine_group: str
    status: SeriesStatus
    dose_number: int | None
    earliest: dt.date | None
    recommended: dt.date | None  # due
    past_due: dt.date | None  # overdue
    latest: dt.date | None
    vaccines: list[str]  # recommended vaccine codes
    reasons: list[Reason]


class Assessment(Output):
    assessment_date: dt.date
    schedule: str
    doses: list[EvaluatedDose]
    vaccine_groups: list[VaccineGroupForecast]

"""Spec 5.1, select relevant patient series: which antigen series apply to this patient.

Standard and Evaluation Only series apply to every patient of a required gender; a Risk
series applies only when one of its indications matches an active patient observation
within the indication's ages (table 5-4, 5-5).
"""

from __future__ import annotations

from schedule.dates import MAX_DATE, MIN_DATE
from schedule.model import Antigen, AntigenSeries, SeriesType
from schedule.state import Context

__all__ = ["relevant_series"]


def _indication_applies(series: AntigenSeries, ctx: Context) -> bool:
    if not ctx.observation_codes:
        return False
    for ind in series.indications:
        if ind.observation_code not in ctx.observation_codes:
            continue
        if ctx.within_ages(ind.begin_age, ind.end_age, ctx.assessment_date):
            return True
    return False


def relevant_series(antigen: Antigen, ctx: Context) -> list[AntigenSeries]:
    """The antigen's series that are relevant patient series for ``ctx.patient``."""
    sex = (ctx.patient.sex or "U")[:1].upper()
    chosen = []
    for series in antigen.series:
        if series.unconditional:
            chosen.append(series)
            continue
        if series.required_gender and sex not in series.required_gender:
            continue
        if (series.effective or MIN_DATE) > ctx.assessment_date or ctx.assessment_date > (series.cessation or MAX_DATE):
            continue
        if series.series_type is SeriesType.RISK and not _indication_applies(series, ctx):
            continue
        chosen.append(series)
    return chosen

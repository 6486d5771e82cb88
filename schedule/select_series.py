"""Spec 5.1, select relevant patient series: which antigen series apply to this patient.

Standard and Evaluation Only series apply to every patient of a required gender; a Risk
series applies only when one of its indications matches an active patient observation
within the indication's ages (table 5-4, 5-5).

One extension: when no risk series of a series group applies yet because the patient
is younger than the indications' begin age (a child of 8 with a past dengue infection;
the indication begins at 9 years), the series whose indication begins soonest are
relevant too, forecast no earlier than that age: the patient is told in advance, as a
standard series forecasts a first dose before its minimum age.
"""

from __future__ import annotations

from datetime import date

from schedule.dates import MAX_DATE, MIN_DATE
from schedule.model import Antigen, AntigenSeries, SeriesType
from schedule.state import Context

__all__ = ["relevant_series"]


def _indication_begins(series: AntigenSeries, ctx: Context) -> date | None:
    """The first date one of the series' indications applies: the assessment date when
    one applies now (table 5-4), a later begin age date, or None (never)."""
    begins: date | None = None
    on = ctx.assessment_date
    for ind in series.indications:
        if ind.observation_code not in ctx.observation_codes:
            continue
        if ind.end_age is not None and on >= ctx.age_date(ind.end_age):
            continue
        start = on if ind.begin_age is None else max(on, ctx.age_date(ind.begin_age))
        if start == on:
            return on
        if begins is None or start < begins:
            begins = start
    return begins


def relevant_series(antigen: Antigen, ctx: Context) -> list[tuple[AntigenSeries, date | None]]:
    """The antigen's series that are relevant patient series for ``ctx.patient``, each
    with the date before which it must not be forecast (None: no such date)."""
    sex = (ctx.patient.sex or "U")[:1].upper()
    chosen: list[tuple[AntigenSeries, date | None]] = []
    upcoming: dict[str, list[tuple[AntigenSeries, date]]] | None = None  # made only when needed
    groups_now: set[str] = set()
    on = ctx.assessment_date
    for series in antigen.series:
        if series.unconditional:
            chosen.append((series, None))
            continue
        if series.required_gender and sex not in series.required_gender:
            continue
        if (series.effective or MIN_DATE) > on or on > (series.cessation or MAX_DATE):
            continue
        if series.series_type is SeriesType.RISK:
            if not ctx.observation_codes:
                continue
            begins = _indication_begins(series, ctx)
            if begins is None:
                continue
            if begins > on:
                if upcoming is None:
                    upcoming = {}
                upcoming.setdefault(series.series_group, []).append((series, begins))
                continue
            groups_now.add(series.series_group)
        chosen.append((series, None))
    if upcoming is None:
        return chosen
    for group, waiting in upcoming.items():
        if group in groups_now:
            continue
        soonest = min(begins for _, begins in waiting)
        chosen.extend((series, begins) for series, begins in waiting if begins == soonest)
    return chosen

"""Chapter 7, forecast dates and reasons for one patient series.

* 7.1 conditional skip (forecast context, reference date = assessment date)
* 7.2 :func:`has_evidence_of_immunity`
* 7.3 :func:`is_contraindicated` and :func:`contraindicated_vaccines`
* 7.4 forecast need (complete, immune, contraindicated, past season, aged out)
* 7.5 forecast dates and recommended vaccines
* 7.6 validate recommendation (conditional skip at the earliest date, then re-forecast)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from schedule import reasons as R
from schedule.dates import add
from schedule.evaluate import age_rule_on, interval_reference
from schedule.model import Antigen, SeriesDose, SeriesStatus
from schedule.skip import FORECAST_CONTEXTS, can_skip
from schedule.state import (
    SATISFIED,
    SKIPPED,
    AntigenDose,
    Context,
    PatientSeries,
    SeriesForecast,
)

__all__ = [
    "contraindicated_vaccines",
    "forecast_series",
    "has_evidence_of_immunity",
    "is_contraindicated",
]

_ONE_DAY = timedelta(days=1)


def has_evidence_of_immunity(antigen: Antigen, ctx: Context) -> bool:
    """7.2 (table 7-3): clinical history of immunity, or born before the immunity date."""
    immunity = antigen.immunity
    if immunity.clinical_history_codes & ctx.observation_codes:
        return True
    for rule in immunity.birth_date:
        if ctx.patient.birth_date >= rule.immunity_birth_date:
            continue
        if rule.exclusion_codes & ctx.observation_codes:
            continue
        country = ctx.patient.birth_country
        if rule.birth_country and country and country != rule.birth_country:
            continue
        return True
    return False


def is_contraindicated(antigen: Antigen, ctx: Context) -> bool:
    """7.3: an active observation contraindicates the antigen at the assessment age."""
    for ci in antigen.contraindications:
        if ci.observation_code not in ctx.observation_codes:
            continue
        if ctx.within_ages(ci.begin_age, ci.end_age, ctx.assessment_date):
            return True
    return False


def contraindicated_vaccines(antigen: Antigen, ctx: Context) -> frozenset[str]:
    """7.3: vaccine codes contraindicated for this patient on the assessment date."""
    codes: set[str] = set()
    for ci in antigen.vaccine_contraindications:
        if ci.observation_code not in ctx.observation_codes:
            continue
        for v in ci.vaccines:
            if ctx.within_ages(v.begin_age, v.end_age, ctx.assessment_date):
                codes.add(v.code)
    return frozenset(codes)


def _conflict_end(target: SeriesDose, ctx: Context) -> date | None:
    """CALCDTCONFLICT-3: latest end of a live-virus conflict for the next dose."""
    latest: date | None = None
    for rule in target.preferable_vaccines:
        for conflict in ctx.conflicts_by_current.get(rule.code, ()):
            given = ctx.last_given.get(conflict.previous_code)
            if given is not None and given <= ctx.assessment_date:
                end = add(given, conflict.end_interval)
                if latest is None or end > latest:
                    latest = end
    return latest


def _latest(dates: list[date]) -> date | None:
    return max(dates) if dates else None


def _dates(series: PatientSeries, t: int, previous: AntigenDose | None, ctx: Context) -> SeriesForecast:
    """7.4 (aged out) and 7.5 for target dose ``t``."""
    target = series.targets[t]
    on = ctx.assessment_date
    rule = age_rule_on(target, on)
    max_date = ctx.age_date(rule.max_age) if rule and rule.max_age else None
    if max_date is not None and on >= max_date:
        return SeriesForecast(SeriesStatus.AGED_OUT, (R.AGED_OUT,), t)
    candidates: list[date] = []
    if rule and rule.min_age:
        candidates.append(ctx.age_date(rule.min_age))
    rec_intervals: list[date] = []
    late_intervals: list[date] = []
    priority = bool(target.intervals)
    for interval in target.intervals:
        if not interval.in_effect(on):
            continue
        if not interval.priority_override:
            priority = False
        ref = interval_reference(interval, series, previous, on + _ONE_DAY, ctx)
        if ref is None:
            continue
        if interval.min_interval is not None:
            candidates.append(add(ref, interval.min_interval))
        if interval.earliest_rec_interval is not None:
            rec_intervals.append(add(ref, interval.earliest_rec_interval))
        if interval.latest_rec_interval is not None:
            late_intervals.append(add(ref, interval.latest_rec_interval))
    conflict = _conflict_end(target, ctx)
    if conflict is not None:
        candidates.append(conflict)
    if target.season_start is not None:
        candidates.append(target.season_start)
    for dose, result in zip(series.doses, series.results, strict=True):
        if result is not None and result.target is not None:
            candidates.append(dose.date)
    earliest = max(candidates) if candidates else ctx.patient.birth_date
    if max_date is not None and earliest >= max_date:
        return SeriesForecast(SeriesStatus.AGED_OUT, (R.CANNOT_FINISH,), t)
    if rule and rule.earliest_rec_age:
        unadjusted_rec: date = ctx.age_date(rule.earliest_rec_age)
    else:
        unadjusted_rec = _latest(rec_intervals) or earliest
    unadjusted_past: date | None = None
    if rule and rule.latest_rec_age:
        unadjusted_past = ctx.age_date(rule.latest_rec_age) - _ONE_DAY
    elif late_intervals:
        unadjusted_past = max(late_intervals) - _ONE_DAY
    recommended = max(earliest, unadjusted_rec)
    past_due = max(earliest, unadjusted_past) if unadjusted_past is not None else None
    latest = max_date - _ONE_DAY if max_date is not None else None
    vaccines = tuple(
        v.code
        for v in target.preferable_vaccines
        if v.forecast and any(ctx.within_ages(v.begin_age, v.end_age, d) for d in (earliest, recommended))
    )
    dose_number = 1 + sum(
        1
        for s, d, td in zip(series.status, series.satisfied_by, series.targets, strict=True)
        if s == SATISFIED and (td.season_start is None or (d is not None and d.date >= td.season_start))
    )
    return SeriesForecast(
        SeriesStatus.NOT_COMPLETE,
        (),
        t,
        dose_number,
        earliest,
        recommended,
        past_due,
        latest,
        unadjusted_rec,
        unadjusted_past,
        vaccines,
        priority,
    )


def forecast_series(
    series: PatientSeries,
    antigen: Antigen,
    ctx: Context,
    group_complete: Callable[[str], bool],
) -> SeriesForecast:
    """Forecast the next target dose of an evaluated ``series`` (chapter 7)."""
    t = series.next_target
    prior = list(zip(series.doses, series.results, strict=True))
    previous = series.reference_dose(len(series.doses))
    previous_date = previous.date if previous is not None else None
    immune = has_evidence_of_immunity(antigen, ctx)
    contraindicated = is_contraindicated(antigen, ctx)
    while True:
        # 7.1 conditional skip
        while t < len(series.targets) and can_skip(
            series.targets[t],
            FORECAST_CONTEXTS,
            ctx.assessment_date,
            previous_date,
            prior,
            ctx,
            group_complete,
        ):
            series.status[t] = SKIPPED
            t += 1
        # 7.4 forecast need
        if t >= len(series.targets):
            if any(s == SATISFIED for s in series.status):
                return SeriesForecast(SeriesStatus.COMPLETE, (R.COMPLETE,))
            return SeriesForecast(SeriesStatus.NOT_RECOMMENDED, (R.NOT_RECOMMENDED_HISTORY,))
        if immune:
            return SeriesForecast(SeriesStatus.IMMUNE, (R.IMMUNE,), t)
        if contraindicated:
            return SeriesForecast(SeriesStatus.CONTRAINDICATED, (R.CONTRAINDICATED,), t)
        target = series.targets[t]
        if target.season_end is not None and ctx.assessment_date > target.season_end:
            return SeriesForecast(SeriesStatus.NOT_RECOMMENDED, (R.PAST_SEASON,), t)
        forecast = _dates(series, t, previous, ctx)
        if forecast.status is not SeriesStatus.NOT_COMPLETE or forecast.earliest is None:
            return forecast
        # 7.6 validate recommendation
        if forecast.earliest > ctx.assessment_date and can_skip(
            target,
            FORECAST_CONTEXTS,
            forecast.earliest,
            previous_date,
            prior,
            ctx,
            group_complete,
        ):
            series.status[t] = SKIPPED
            t += 1
            continue
        removed = contraindicated_vaccines(antigen, ctx)
        if removed:
            forecast.vaccines = tuple(v for v in forecast.vaccines if v not in removed)
        return forecast

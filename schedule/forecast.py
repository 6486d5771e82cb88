"""Chapter 7, forecast dates and reasons for one patient series.

* 7.1 conditional skip (forecast context, reference date = assessment date)
* 7.2 :func:`has_evidence_of_immunity`
* 7.3 :func:`is_contraindicated` and :func:`contraindicated_vaccines`
* 7.4 forecast need (complete, immune, contraindicated, past season, aged out)
* 7.5 forecast dates and recommended vaccines
* 7.6 validate recommendation (conditional skip at the earliest date, then re-forecast)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from schedule import reasons as R
from schedule.dates import Duration, add
from schedule.evaluate import interval_reference, is_waived
from schedule.model import Antigen, PatientObservation, SeriesDose, SeriesStatus
from schedule.skip import FORECAST_CONTEXTS, can_skip
from schedule.state import (
    SATISFIED,
    SKIPPED,
    AntigenDose,
    Context,
    DoseResult,
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
    if not ctx.observation_codes:
        return False
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
    conflicts = ctx.conflicts_by_target.get(id(target))
    if conflicts is None:
        conflicts = tuple(c for rule in target.preferable_vaccines for c in ctx.conflicts_by_current.get(rule.code, ()))
        ctx.conflicts_by_target[id(target)] = conflicts
    latest: date | None = None
    for conflict in conflicts:
        given = ctx.last_given.get(conflict.previous_code)
        if given is not None and given <= ctx.assessment_date:
            end = add(given, conflict.end_interval)
            if latest is None or end > latest:
                latest = end
    return latest


def _dates(series: PatientSeries, t: int, previous: AntigenDose | None, ctx: Context) -> SeriesForecast:
    """7.4 (aged out) and 7.5 for target dose ``t``."""
    target = series.targets[t]
    on = ctx.assessment_date
    rule = target.age_rule(on)
    max_date = ctx.age_date(rule.max_age) if rule and rule.max_age else None
    if max_date is not None and on >= max_date:
        return SeriesForecast(SeriesStatus.AGED_OUT, (R.AGED_OUT,), t)
    # The latest evaluated dose (doses are in date order): CALCDTFORECAST-1 needs no
    # date before it.
    earliest: date | None = None
    results = series.results
    for i in range(len(results) - 1, -1, -1):
        result = results[i]
        if result is not None and result.target is not None:
            earliest = series.doses[i].date
            break
    if rule and rule.min_age:
        min_age_date = ctx.age_date(rule.min_age)
        if earliest is None or min_age_date > earliest:
            earliest = min_age_date
    rec_interval: date | None = None
    late_interval: date | None = None
    priority = bool(target.intervals)
    day_after = on + _ONE_DAY
    # An interval waived by a new observation (Td: "6 months after dose 2 *or in the
    # next pregnancy*") gives two ways to a valid dose: after the interval, or during
    # the observation. The earliest date is the sooner of the two; the recommended and
    # past-due dates follow the observation, which the patient is in now.
    waived_min: date | None = None
    during: PatientObservation | None = None
    for interval in target.intervals:
        if not interval.always and not interval.in_effect(on):
            continue
        if not interval.priority_override:
            priority = False
        ref = interval_reference(interval, series, previous, day_after, ctx)
        if ref is None:
            continue
        if interval.waived_by_new_observation is not None:
            observation = is_waived(interval, ref, on, ctx)
            if observation is not None:
                if during is None or _start(observation) > _start(during):
                    during = observation
                waived_min = _later(waived_min, ref, interval.min_interval)
                continue
        earliest = _later(earliest, ref, interval.min_interval)
        rec_interval = _later(rec_interval, ref, interval.earliest_rec_interval)
        late_interval = _later(late_interval, ref, interval.latest_rec_interval)
    if ctx.conflicts_by_current:
        conflict = _conflict_end(target, ctx)
        if conflict is not None and (earliest is None or conflict > earliest):
            earliest = conflict
    season = target.season_start
    if season is not None and (earliest is None or season > earliest):
        earliest = season
    if series.not_before is not None and (earliest is None or series.not_before > earliest):
        earliest = series.not_before
    if earliest is None:
        if t:
            # FORECASTDTCAN-1 with nothing to go on (no minimum age, no interval, no
            # dose evaluated): table 7-9 assumes 12/31/2999, never before the maximum
            # age date, so table 7-10 says Aged Out (an adult skipped to dose 4 of the
            # infant meningococcal series, which relies on doses 1-3 for its date).
            return SeriesForecast(SeriesStatus.AGED_OUT, (R.CANNOT_FINISH,), t)
        # A first dose without a minimum age is a birth dose (the Vietnamese data
        # writes BCG and hepatitis B at birth so; the CDC data says "0 days").
        earliest = ctx.patient.birth_date
    if during is not None:
        after_interval = max(earliest, waived_min) if waived_min is not None else earliest
        in_observation = max(earliest, _start(during))
        if during.end is not None and in_observation > during.end:
            earliest = after_interval
        else:
            earliest = min(after_interval, in_observation)
    if max_date is not None and earliest >= max_date:
        return SeriesForecast(SeriesStatus.AGED_OUT, (R.CANNOT_FINISH,), t)
    if rule and rule.earliest_rec_age:
        unadjusted_rec: date = ctx.age_date(rule.earliest_rec_age)
    else:
        unadjusted_rec = rec_interval or earliest
    unadjusted_past: date | None = None
    if rule and rule.latest_rec_age:
        unadjusted_past = ctx.age_date(rule.latest_rec_age) - _ONE_DAY
    elif late_interval is not None:
        unadjusted_past = late_interval - _ONE_DAY
    recommended = max(earliest, unadjusted_rec)
    past_due = max(earliest, unadjusted_past) if unadjusted_past is not None else None
    latest = max_date - _ONE_DAY if max_date is not None else None
    vaccines = tuple(
        v.code
        for v in target.preferable_vaccines
        if v.forecast
        and (
            (v.begin_age is None and v.end_age is None)
            or ctx.within_ages(v.begin_age, v.end_age, earliest)
            or ctx.within_ages(v.begin_age, v.end_age, recommended)
        )
    )
    if series.series.seasonal:
        dose_number = 1 + sum(
            1
            for s, d, td in zip(series.status, series.satisfied_by, series.targets, strict=True)
            if s == SATISFIED and (td.season_start is None or (d is not None and d.date >= td.season_start))
        )
    else:
        dose_number = 1 + series.status.count(SATISFIED)
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


def _later(latest: date | None, ref: date, interval: Duration | None) -> date | None:
    """The later of ``latest`` and ``ref + interval`` (no interval: ``latest``)."""
    if interval is None:
        return latest
    candidate = add(ref, interval)
    return candidate if latest is None or candidate > latest else latest


def _start(observation: PatientObservation) -> date:
    # new_observation() only returns observations with a start date
    assert observation.start is not None
    return observation.start


def forecast_series(
    series: PatientSeries,
    antigen: Antigen,
    ctx: Context,
    group_complete: Callable[[str], bool],
    immune: bool | None = None,
    contraindicated: bool | None = None,
) -> SeriesForecast:
    """Forecast the next target dose of an evaluated ``series`` (chapter 7).

    ``immune`` and ``contraindicated`` (7.2, 7.3) hold for the whole antigen: a caller
    forecasting several series of one antigen may pass them, else they are worked out.
    """
    t = series.next_target
    targets = series.targets
    prior = _PriorDoses(series)
    previous = series.reference_dose(len(series.doses))
    previous_date = previous.date if previous is not None else None
    if immune is None:
        immune = has_evidence_of_immunity(antigen, ctx)
    if contraindicated is None:
        contraindicated = is_contraindicated(antigen, ctx)
    on = ctx.assessment_date
    while True:
        # 7.1 conditional skip
        while (
            t < len(targets)
            and targets[t].conditional_skips
            and can_skip(targets[t], FORECAST_CONTEXTS, on, previous_date, prior, ctx, group_complete)
        ):
            series.status[t] = SKIPPED
            t += 1
        # 7.4 forecast need
        if t >= len(targets):
            if SATISFIED in series.status:
                return SeriesForecast(SeriesStatus.COMPLETE, (R.COMPLETE,))
            return SeriesForecast(SeriesStatus.NOT_RECOMMENDED, (R.NOT_RECOMMENDED_HISTORY,))
        if immune:
            return SeriesForecast(SeriesStatus.IMMUNE, (R.IMMUNE,), t)
        if contraindicated:
            return SeriesForecast(SeriesStatus.CONTRAINDICATED, (R.CONTRAINDICATED,), t)
        target = targets[t]
        if target.season_end is not None and on > target.season_end:
            return SeriesForecast(SeriesStatus.NOT_RECOMMENDED, (R.PAST_SEASON,), t)
        forecast = _dates(series, t, previous, ctx)
        if forecast.status is not SeriesStatus.NOT_COMPLETE or forecast.earliest is None:
            return forecast
        # 7.6 validate recommendation
        if (
            target.conditional_skips
            and forecast.earliest > on
            and can_skip(target, FORECAST_CONTEXTS, forecast.earliest, previous_date, prior, ctx, group_complete)
        ):
            series.status[t] = SKIPPED
            t += 1
            continue
        if antigen.vaccine_contraindications and ctx.observation_codes:
            removed = contraindicated_vaccines(antigen, ctx)
            if removed:
                forecast.vaccines = tuple(v for v in forecast.vaccines if v not in removed)
        return forecast


class _PriorDoses:
    """A series' doses with their results, for skip conditions that count doses."""

    __slots__ = ("series",)

    def __init__(self, series: PatientSeries) -> None:
        self.series = series

    def __iter__(self) -> Iterator[tuple[AntigenDose, DoseResult | None]]:
        return zip(self.series.doses, self.series.results, strict=True)

"""Spec 6.2 and 7.1 (and 7.6.1), conditional skip: can a target dose be skipped?

One implementation serves evaluation (reference date = date administered), forecast
(reference date = assessment date) and validating a forecast (reference date = earliest
date); only the allowed contexts and the reference date differ (CONDSKIP-2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from schedule.dates import MAX_DATE, MIN_DATE, add
from schedule.model import DoseStatus, SeriesDose, SkipCondition, SkipConditionType, SkipContext
from schedule.state import AntigenDose, Context, DoseResult

__all__ = ["EVALUATION_CONTEXTS", "FORECAST_CONTEXTS", "can_skip"]

EVALUATION_CONTEXTS = frozenset({SkipContext.EVALUATION, SkipContext.BOTH})
FORECAST_CONTEXTS = frozenset({SkipContext.FORECAST, SkipContext.BOTH})


def _count(
    cond: SkipCondition,
    prior: Iterable[tuple[AntigenDose, DoseResult | None]],
    ctx: Context,
) -> int:
    """CONDSKIP-1: the number of conditional doses administered."""
    start = cond.start_date or MIN_DATE
    stop = cond.end_date or MAX_DATE
    valid_only = cond.dose_type.lower() == "valid"
    n = 0
    for dose, result in prior:
        if cond.vaccine_types and dose.code not in cond.vaccine_types:
            continue
        if not (start <= dose.date < stop and ctx.within_ages(cond.begin_age, cond.end_age, dose.date)):
            continue
        if valid_only and (result is None or result.status is not DoseStatus.VALID):
            continue
        n += 1
    return n


def _condition_met(
    cond: SkipCondition,
    ref: date,
    previous: date | None,
    prior: Iterable[tuple[AntigenDose, DoseResult | None]],
    ctx: Context,
    group_complete: Callable[[str], bool],
) -> bool:
    kind = cond.condition_type
    if kind is SkipConditionType.AGE:
        return ctx.within_ages(cond.begin_age, cond.end_age, ref)
    if kind is SkipConditionType.INTERVAL:
        if previous is None or cond.interval is None:
            return False
        return ref >= add(previous, cond.interval)
    if kind is SkipConditionType.COMPLETED_SERIES:
        return any(group_complete(g) for g in cond.series_groups)
    if kind is SkipConditionType.OBSERVATION:
        return cond.observation_code is not None and cond.observation_code in ctx.observations_on(ref)
    # Vaccine count by age / by date / by date and age (table 6-9).
    count = _count(cond, prior, ctx)
    target = cond.dose_count or 0
    logic = cond.dose_count_logic
    if logic.startswith("greater"):
        return count > target
    if logic.startswith("equal"):
        return count == target
    if logic.startswith("less"):
        return count < target
    return False


def can_skip(
    target: SeriesDose,
    contexts: frozenset[SkipContext],
    ref: date,
    previous: date | None,
    prior: Iterable[tuple[AntigenDose, DoseResult | None]],
    ctx: Context,
    group_complete: Callable[[str], bool],
) -> bool:
    """True when ``target`` can be skipped (tables 6-6 to 6-11).

    ``previous`` is the date of the immediately previous dose (Interval conditions);
    ``prior`` are the antigen doses to count, with their evaluation so far;
    ``group_complete(series_group)`` answers Completed Series conditions.
    """
    for skip in target.conditional_skips:
        if skip.context not in contexts:
            continue
        sets_met = 0
        sets_seen = 0
        for skip_set in skip.sets:
            if not skip_set.in_effect(ref):
                continue
            sets_seen += 1
            met = [_condition_met(c, ref, previous, prior, ctx, group_complete) for c in skip_set.conditions]
            if skip_set.condition_logic == "OR":
                if any(met):
                    sets_met += 1
            elif met and all(met):
                sets_met += 1
        if sets_seen == 0:
            continue
        if skip.set_logic == "AND":
            if sets_met == sets_seen:
                return True
        elif sets_met > 0:
            return True
    return False

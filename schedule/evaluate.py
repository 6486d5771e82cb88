"""Spec 4.4 and chapter 6, evaluate the doses of one patient series.

The walk of spec figure 4-6: take target doses in order, evaluate each antigen dose
against the current target dose, move to the next target dose when one is satisfied.
Each step of chapter 6 is a small function named after its section:

* 6.1 :func:`schedule.organize.dose_condition` sub-standard doses (once per dose)
* 6.2 :mod:`schedule.skip`              conditional skip (evaluation context)
* 6.3 :func:`is_inadvertent`            inadvertent vaccine
* 6.4 :func:`evaluate_age`              age (too young, grace period, too old)
* 6.5 :func:`evaluate_intervals`        preferable intervals
* 6.6 (allowable intervals, same function with ``allowable=True``)
* 6.7 :func:`has_live_virus_conflict`   live virus conflicts
* 6.8 :func:`is_preferable_vaccine`     preferable vaccine (+ volume reason)
* 6.9 :func:`is_allowable_vaccine`      allowable vaccine
* 6.10 :func:`evaluate_series`          satisfy target dose, statuses and reasons
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from schedule import reasons as R
from schedule.dates import add
from schedule.model import AgeRule, DoseStatus, Interval, PatientObservation, SeriesDose, VaccineRule
from schedule.skip import EVALUATION_CONTEXTS, can_skip
from schedule.state import (
    SATISFIED,
    SKIPPED,
    AntigenDose,
    Context,
    DoseResult,
    PatientSeries,
)

__all__ = [
    "age_rule_on",
    "evaluate_age",
    "evaluate_intervals",
    "evaluate_series",
    "has_live_virus_conflict",
    "interval_reference",
    "is_allowable_vaccine",
    "is_inadvertent",
    "is_preferable_vaccine",
    "is_waived",
]


def is_inadvertent(target: SeriesDose, code: str) -> bool:
    """6.3: the vaccine must never be given for this target dose."""
    return code in target.inadvertent_codes


def age_rule_on(target: SeriesDose, on: date) -> AgeRule | None:
    """The target dose's age rule in effect on ``on`` (spec 3.3)."""
    return target.age_rule(on)


def evaluate_age(target: SeriesDose, when: date, ctx: Context) -> str | None:
    """6.4: ``TOO_YOUNG``, ``TOO_OLD``, ``GRACE_PERIOD_AGE`` or None (valid)."""
    rule = target.age_rule(when)
    if rule is None:
        return None
    abs_min, low, high = ctx.age_limits(rule)
    if abs_min is not None and when < abs_min:
        return R.TOO_YOUNG
    if high is not None and when >= high:
        return R.TOO_OLD
    if low is not None and when < low:
        return R.GRACE_PERIOD_AGE
    return None


def interval_reference(
    interval: Interval,
    series: PatientSeries,
    previous: AntigenDose | None,
    before: date,
    ctx: Context,
) -> date | None:
    """CALCDTINT-1/2/8/9: the date an interval is measured from, or None if none.

    ``before``: "from most recent" looks at doses given before this date; "from
    observation" looks at the most recent observation active on the assessment date,
    for every dose alike (CALCDTINT-9).
    """
    if interval.from_previous:
        return previous.date if previous is not None else None
    if interval.from_target_dose is not None:
        index = interval.from_target_dose - 1
        if 0 <= index < len(series.satisfied_by):
            dose = series.satisfied_by[index]
            return dose.date if dose is not None else None
        return None
    if interval.from_most_recent:
        found: date | None = None
        for dose in ctx.history:
            if dose.date >= before:
                break
            if dose.code in interval.from_most_recent:
                found = dose.date
        return found
    if interval.from_observation is not None:
        return ctx.observation_start(interval.from_observation)
    return None


def is_waived(interval: Interval, ref: date, on: date, ctx: Context) -> PatientObservation | None:
    """The observation that waives ``interval`` (measured from ``ref``) on ``on``: one
    with the interval's ``waived_by_new_observation`` code, active on ``on``, begun
    after ``ref``. None when the interval applies."""
    code = interval.waived_by_new_observation
    return None if code is None else ctx.new_observation(code, on, ref)


def evaluate_intervals(
    intervals: tuple[Interval, ...],
    when: date,
    series: PatientSeries,
    previous: AntigenDose | None,
    ctx: Context,
) -> tuple[bool, bool]:
    """6.5/6.6: ``(satisfied, grace_period_used)`` for all intervals in effect on ``when``."""
    grace = False
    for interval in intervals:
        if not interval.always and not interval.in_effect(when):
            continue
        ref = interval_reference(interval, series, previous, when, ctx)
        if ref is None:
            continue
        if interval.waived_by_new_observation is not None and is_waived(interval, ref, when, ctx) is not None:
            continue
        if interval.abs_min_interval is not None and when < add(ref, interval.abs_min_interval):
            return False, False
        if interval.min_interval is not None and when < add(ref, interval.min_interval):
            grace = True
    return True, grace


def has_live_virus_conflict(dose: AntigenDose, series: PatientSeries, ctx: Context) -> bool:
    """6.7: the dose falls inside the conflict window of an earlier live vaccine."""
    for conflict in ctx.conflicts_by_current.get(dose.code, ()):
        for other in ctx.given_by_code.get(conflict.previous_code, ()):  # date order
            if other.date >= dose.date:
                break  # only doses given before this one
            # A dose of another antigen has no status here: it counts as valid.
            result = next((r for d, r in zip(series.doses, series.results, strict=True) if d is other), None)
            valid = result is None or result.status is DoseStatus.VALID
            end = conflict.min_end_interval if valid else conflict.end_interval
            if add(other.date, conflict.begin_interval) <= dose.date < add(other.date, end):
                return True
    return False


def _in_age_range(rule: VaccineRule, when: date, ctx: Context) -> bool:
    return ctx.within_ages(rule.begin_age, rule.end_age, when)


def is_preferable_vaccine(target: SeriesDose, dose: AntigenDose, ctx: Context) -> tuple[bool, bool]:
    """6.8: ``(preferable, low_volume)``. Volume never invalidates a dose."""
    for rule in target.preferable_by_code.get(dose.code, ()):
        if rule.plain:
            return True, False
        if not _in_age_range(rule, dose.date, ctx):
            continue
        trade = dose.dose.trade_name
        if rule.trade_name and trade and rule.trade_name.casefold() != trade.casefold():
            continue
        volume = dose.dose.volume
        low = rule.volume is not None and volume is not None and volume < rule.volume
        return True, low
    return False, False


def is_allowable_vaccine(target: SeriesDose, dose: AntigenDose, ctx: Context) -> bool:
    """6.9: the vaccine is allowable for the target dose at that age."""
    rules = target.allowable_by_code.get(dose.code, ())
    return any(rule.plain or _in_age_range(rule, dose.date, ctx) for rule in rules)


class _Prior:
    """The doses before position ``upto`` with their results, built only if a skip asks."""

    __slots__ = ("doses", "results", "upto")

    def __init__(self, doses: list[AntigenDose], results: list[DoseResult | None], upto: int) -> None:
        self.doses = doses
        self.results = results
        self.upto = upto

    def __iter__(self) -> Iterator[tuple[AntigenDose, DoseResult | None]]:
        return zip(self.doses[: self.upto], self.results[: self.upto], strict=True)


def evaluate_series(series: PatientSeries, ctx: Context, group_complete: Callable[[str], bool]) -> None:
    """Evaluate every antigen dose of ``series`` (spec 4.4 figure 4-6 and chapter 6).

    Fills ``series.results``, ``series.status``, ``series.satisfied_by`` and
    ``series.next_target`` in place.
    """
    t = 0
    doses = series.doses
    results = series.results
    targets = series.targets
    conflicts = ctx.conflicts_by_current
    previous: AntigenDose | None = None  # CALCDTINT-1, kept up to date as doses are evaluated
    for i, dose in enumerate(doses):
        if i:
            last = results[i - 1]
            if last is not None and last.is_reference():
                previous = doses[i - 1]
        if t >= len(targets):
            results[i] = DoseResult(DoseStatus.EXTRANEOUS, (R.SERIES_COMPLETE,))
            continue
        # 6.1 dose administered condition
        if dose.substandard is not None:
            results[i] = DoseResult(DoseStatus.SUBSTANDARD, (dose.substandard,), t)
            continue
        # 6.2 conditional skip, evaluation context
        while (
            t < len(targets)
            and targets[t].conditional_skips
            and can_skip(
                targets[t],
                EVALUATION_CONTEXTS,
                dose.date,
                previous.date if previous is not None else None,
                _Prior(doses, results, i),
                ctx,
                group_complete,
            )
        ):
            series.status[t] = SKIPPED
            t += 1
        if t >= len(targets):
            results[i] = DoseResult(DoseStatus.EXTRANEOUS, (R.SERIES_COMPLETE,))
            continue
        target = targets[t]
        code = dose.code
        when = dose.date
        # 6.3 inadvertent vaccine
        if code in target.inadvertent_codes:
            results[i] = DoseResult(DoseStatus.NOT_VALID, (R.INADVERTENT,), t, True)
            continue
        notes: list[str] = []
        failures: list[str] = []
        # 6.4 age
        age = evaluate_age(target, when, ctx)
        if age is not None:
            (notes if age == R.GRACE_PERIOD_AGE else failures).append(age)
        # 6.5 preferable interval, 6.6 allowable interval
        if target.intervals:
            ok, grace = evaluate_intervals(target.intervals, when, series, previous, ctx)
            if not ok:
                allowable = tuple(iv for iv in target.allowable_intervals if iv.in_effect(when))
                if allowable:
                    ok, _ = evaluate_intervals(allowable, when, series, previous, ctx)
            if not ok:
                failures.append(R.TOO_SOON)
            elif grace:
                notes.append(R.GRACE_PERIOD_INTERVAL)
        # 6.7 live virus conflict
        if code in conflicts and has_live_virus_conflict(dose, series, ctx):
            failures.append(R.LIVE_VIRUS_CONFLICT)
        # 6.8 preferable vaccine, 6.9 allowable vaccine
        preferable, low_volume = is_preferable_vaccine(target, dose, ctx)
        if low_volume:
            notes.append(R.LOW_VOLUME)
        if not preferable and not is_allowable_vaccine(target, dose, ctx):
            failures.append(R.NOT_ALLOWABLE)
        # 6.10 satisfy target dose
        if not failures:
            results[i] = DoseResult(DoseStatus.VALID, tuple(notes) if notes else (), t)
            series.status[t] = SATISFIED
            series.satisfied_by[t] = dose
            if target.recurring:
                series.insert_recurring(t)
            t += 1
        elif failures[0] == R.TOO_OLD:
            results[i] = DoseResult(DoseStatus.EXTRANEOUS, tuple(failures), t)
        else:
            results[i] = DoseResult(DoseStatus.NOT_VALID, tuple(failures), t)
    series.next_target = t

"""The engine's entry point: :func:`evaluate` a patient against a schedule.

It runs the CDSi processing model (spec chapter 4) in order:

1. gather data (4.1): the caller passes a :class:`~schedule.model.Patient`;
2. organize immunization history (4.2): :mod:`schedule.organize`;
3. create relevant patient series (4.3, chapter 5): :mod:`schedule.select_series`;
4. evaluate and forecast each series (4.4, chapters 6–7): :mod:`schedule.evaluate`,
   :mod:`schedule.forecast`;
5. select best patient series (4.5, chapter 8): :mod:`schedule.best_series`;
6. identify and evaluate vaccine groups (4.6, chapter 9): :mod:`schedule.vaccine_group`.

The engine does no I/O and keeps no state between calls except small per-schedule
lookup tables (built on first use), so one schedule can serve many threads/processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from types import MappingProxyType

from schedule import reasons as R
from schedule.best_series import select_best_series
from schedule.evaluate import evaluate_series
from schedule.forecast import forecast_series, has_evidence_of_immunity, is_contraindicated
from schedule.model import (
    Antigen,
    AntigenDoseEvaluation,
    Assessment,
    DoseStatus,
    EvaluatedDose,
    LiveVirusConflict,
    Patient,
    Schedule,
    SeriesStatus,
    SkipConditionType,
    VaccineGroup,
    VaccineGroupForecast,
)
from schedule.organize import organize_history
from schedule.select_series import relevant_series
from schedule.state import AntigenDose, Context, DoseResult, PatientSeries, SeriesForecast, active_observations
from schedule.vaccine_group import BestSeries, vaccine_group_forecast

__all__ = ["evaluate"]


class _Prepared:
    """Per-schedule lookup tables the engine builds on first use of a schedule."""

    __slots__ = ("antigens", "conflicts", "conflicts_by_target", "groups", "linked", "schedule")

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        #: live virus conflicts indexed by the current (impacted) vaccine code
        self.conflicts: dict[str, list[LiveVirusConflict]] = {}
        for conflict in schedule.live_virus_conflicts:
            self.conflicts.setdefault(conflict.current_code, []).append(conflict)
        self.conflicts_by_target: dict[int, tuple[LiveVirusConflict, ...]] = {}
        self.groups = list(schedule.vaccine_groups.values())
        self.antigens = _antigens_of(self.groups)
        #: antigens with a "Completed Series" skip: their series must run in dependency order
        self.linked = frozenset(
            name
            for name, antigen in schedule.antigens.items()
            if any(
                c.condition_type is SkipConditionType.COMPLETED_SERIES
                for s in antigen.series
                for d in s.doses
                for skip in d.conditional_skips
                for skip_set in skip.sets
                for c in skip_set.conditions
            )
        )


_PREPARED: dict[int, _Prepared] = {}


def _prepared(schedule: Schedule) -> _Prepared:
    entry = _PREPARED.get(id(schedule))
    if entry is None or entry.schedule is not schedule:
        if len(_PREPARED) > 16:
            _PREPARED.clear()
        entry = _Prepared(schedule)
        _PREPARED[id(schedule)] = entry
    return entry


def _antigens_of(groups: list[VaccineGroup]) -> list[str]:
    return list(dict.fromkeys(a for g in groups for a in g.antigens))


def _forecaster(
    antigen: Antigen, ctx: Context, immune: bool, contraindicated: bool
) -> Callable[[PatientSeries], SeriesForecast]:
    def forecast(ps: PatientSeries) -> SeriesForecast:
        return forecast_series(ps, antigen, ctx, _no_group_complete, immune, contraindicated)

    return forecast


def _no_group_complete(group: str) -> bool:
    """``group_complete`` for antigens without "Completed Series" skips: never asked."""
    return False


class _AntigenRun:
    """Evaluate and forecast every relevant series of one antigen.

    Series are run lazily so that a "Completed Series" conditional skip can ask whether
    another series group of the same antigen is complete (spec 6.2, table 6-7).
    """

    def __init__(self, antigen: Antigen, series: list[PatientSeries], ctx: Context) -> None:
        self.antigen = antigen
        self.series = series
        self.ctx = ctx
        self.running: set[int] = set()
        self.immune = has_evidence_of_immunity(antigen, ctx)
        self.contraindicated = is_contraindicated(antigen, ctx)
        for ps in series:
            ps.antigen_contraindicated = self.contraindicated

    def run_all(self) -> None:
        for ps in self.series:
            self.run(ps)

    def run(self, ps: PatientSeries) -> None:
        if ps.forecast is not None or id(ps) in self.running:
            return
        self.running.add(id(ps))
        evaluate_series(ps, self.ctx, self.group_complete)
        ps.forecast = forecast_series(
            ps, self.antigen, self.ctx, self.group_complete, self.immune, self.contraindicated
        )
        self.running.discard(id(ps))

    def group_complete(self, group: str) -> bool:
        for other in self.series:
            if other.series.series_group != group or id(other) in self.running:
                continue
            self.run(other)
            if other.forecast is not None and other.forecast.status is SeriesStatus.COMPLETE:
                return True
        return False


def _not_started(ps: PatientSeries, ctx: Context) -> bool:
    """Younger than the series' minimum age to start, with no valid dose in it."""
    start = ps.series.min_age_to_start
    return start is not None and ctx.assessment_date < ctx.age_date(start) and ps.valid_count() == 0


def _rank(ps: PatientSeries, ctx: Context) -> int:
    """Which best series speaks first for a dose's evaluation: one in use, then others."""
    status = ps.forecast.status if ps.forecast is not None else None
    if _not_started(ps, ctx):
        return 2
    return 0 if status in (SeriesStatus.NOT_COMPLETE, SeriesStatus.COMPLETE) else 1


def evaluate(
    patient: Patient,
    schedule: Schedule,
    assessment_date: date,
    vaccine_groups: Iterable[str] | None = None,
) -> Assessment:
    """Evaluate ``patient``'s doses and forecast the next doses on ``assessment_date``.

    ``vaccine_groups`` restricts the work to some vaccine groups (by name, e.g.
    ``["MMR"]``); by default every group of the schedule is assessed. Groups for which
    no series applies to the patient (e.g. travel vaccines without an indication) are
    left out of ``Assessment.vaccine_groups``. Doses given after ``assessment_date`` are
    ignored (their ``evaluations`` are empty), so a past date gives the status as it was
    then. Raises ``KeyError`` for a vaccine group the schedule does not have.
    """
    prepared = _prepared(schedule)
    ctx = Context(
        patient=patient,
        schedule=schedule,
        assessment_date=assessment_date,
        observation_codes=active_observations(patient, assessment_date) if patient.observations else frozenset(),
        conflicts_by_current=prepared.conflicts,
        conflicts_by_target=prepared.conflicts_by_target,
    )
    by_antigen, unknown = organize_history(patient, schedule, ctx)
    if vaccine_groups is None:
        groups = prepared.groups
        antigens = prepared.antigens
    else:
        unknown_groups = [name for name in vaccine_groups if name not in schedule.vaccine_groups]
        if unknown_groups:
            raise KeyError(f"unknown vaccine group(s) {unknown_groups} in schedule {schedule.name!r}")
        groups = [schedule.vaccine_groups[name] for name in vaccine_groups]
        antigens = _antigens_of(groups)

    best_by_antigen: dict[str, list[PatientSeries]] = {}
    all_by_antigen: dict[str, list[PatientSeries]] = {}
    no_doses: list[AntigenDose] = []
    for name in antigens:
        antigen = schedule.antigens.get(name)
        if antigen is None:
            continue
        doses = by_antigen.get(name, no_doses)
        series_list = [PatientSeries(s, name, doses, not_before) for s, not_before in relevant_series(antigen, ctx)]
        if not series_list:
            continue
        if name in prepared.linked:
            _AntigenRun(antigen, series_list, ctx).run_all()
        else:
            # Series are evaluated now (every dose's result is reported) and forecast when
            # best-series selection or the vaccine group first asks (many never are).
            contraindicated = is_contraindicated(antigen, ctx)
            forecaster = _forecaster(antigen, ctx, has_evidence_of_immunity(antigen, ctx), contraindicated)
            for ps in series_list:
                evaluate_series(ps, ctx, _no_group_complete)
                ps.antigen_contraindicated = contraindicated
                ps.forecaster = forecaster
        all_by_antigen[name] = series_list
        best_by_antigen[name] = select_best_series(series_list, ctx)

    forecasts: dict[str, VaccineGroupForecast] = {}
    for group in groups:
        best = [
            (a, ps, forecast)
            for a in group.antigens
            for ps in best_by_antigen.get(a, ())
            if (forecast := ps.forecast) is not None
        ]
        if not best:
            continue
        if len(best) == 1:
            a, ps, f = best[0]
            forecasts[group.name] = vaccine_group_forecast(group, [BestSeries(a, ps.series.name, f)], None)
            continue
        parts = [BestSeries(a, ps.series.name, f, _not_started(ps, ctx), ps.series.series_type) for a, ps, f in best]
        # MULTIANTVG-1 needs the latest dose of the group; antigen doses are in date order.
        last_doses = [by_antigen[a][-1].date for a in group.antigens if by_antigen.get(a)]
        forecasts[group.name] = vaccine_group_forecast(group, parts, max(last_doses, default=None))

    return Assessment(
        assessment_date,
        lambda: _dose_evaluations(patient, ctx, best_by_antigen, all_by_antigen, set(unknown)),
        MappingProxyType(forecasts),
    )


def _antigen_evaluation(antigen: str, ps: PatientSeries, result: DoseResult) -> AntigenDoseEvaluation:
    target = result.target + 1 if result.target is not None else None
    return AntigenDoseEvaluation(antigen, result.status, result.reasons, ps.series.name, target, ps.series.series_type)


def _dose_evaluations(
    patient: Patient,
    ctx: Context,
    best_by_antigen: dict[str, list[PatientSeries]],
    all_by_antigen: dict[str, list[PatientSeries]],
    unknown: set[int],
) -> tuple[EvaluatedDose, ...]:
    per_dose: list[list[AntigenDoseEvaluation]] = [[] for _ in patient.doses]
    for antigen, series_list in all_by_antigen.items():
        if len(series_list) == 1:  # each dose once: nothing to rank or de-duplicate
            ps = series_list[0]
            for dose, result in zip(ps.doses, ps.results, strict=True):
                if result is not None:
                    per_dose[dose.input_index].append(_antigen_evaluation(antigen, ps, result))
            continue
        best = sorted(best_by_antigen.get(antigen, []), key=lambda p: _rank(p, ctx))
        done: set[int] = set()
        # A patient may need several best series at once (a risk series for a condition
        # beside the standard one, spec 4.5): a dose that counts in one of them is
        # reported from it, so a dose extraneous to a complete standard series but valid
        # in the risk series shows as valid.
        if len(best) > 1:
            for ps in best:
                for dose, result in zip(ps.doses, ps.results, strict=True):
                    if result is not None and result.status is DoseStatus.VALID and dose.input_index not in done:
                        done.add(dose.input_index)
                        per_dose[dose.input_index].append(_antigen_evaluation(antigen, ps, result))
        for ps in best + [p for p in series_list if p not in best]:
            for dose, result in zip(ps.doses, ps.results, strict=True):
                if result is None or dose.input_index in done:
                    continue
                done.add(dose.input_index)
                per_dose[dose.input_index].append(_antigen_evaluation(antigen, ps, result))
    for i in unknown:
        per_dose[i].append(AntigenDoseEvaluation("", DoseStatus.NOT_VALID, (R.UNKNOWN_VACCINE,)))
    return tuple(EvaluatedDose(dose, tuple(evals)) for dose, evals in zip(patient.doses, per_dose, strict=True))

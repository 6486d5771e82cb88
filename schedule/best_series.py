"""Chapter 8, select the best patient series of an antigen.

Per series group: 8.1 pre-filter (scorable series), 8.2 one prioritized series when
obvious, 8.3 classify (complete / in-process / no valid doses), 8.4–8.6 score,
8.7 pick the highest score (ties: best series preference). Then 8.8 keeps the
prioritized series that are needed, given equivalent series groups.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from schedule.dates import add
from schedule.evaluate import age_rule_on
from schedule.model import DoseStatus, SeriesStatus, SeriesType
from schedule.state import NOT_SATISFIED, Context, PatientSeries

__all__ = ["select_best_series"]


def _status(ps: PatientSeries) -> SeriesStatus:
    assert ps.forecast is not None
    return ps.forecast.status


def _is_complete(ps: PatientSeries) -> bool:
    return _status(ps) is SeriesStatus.COMPLETE


def _is_aged_out(ps: PatientSeries) -> bool:
    return _status(ps) is SeriesStatus.AGED_OUT


def _is_in_process(ps: PatientSeries) -> bool:
    return ps.valid_count() > 0 and _status(ps) is SeriesStatus.NOT_COMPLETE


def _first_valid_date(ps: PatientSeries) -> date | None:
    for dose, result in zip(ps.doses, ps.results, strict=True):
        if result is not None and result.status is DoseStatus.VALID:
            return dose.date
    return None


def _scorable(group: list[PatientSeries], ctx: Context) -> list[PatientSeries]:
    """8.1: SELECTB-24 (contraindicated) and SELECTSCORE-2."""
    if any(p.antigen_contraindicated for p in group):
        all_ci = all(_status(p) is SeriesStatus.CONTRAINDICATED for p in group)
        candidates = [p for p in group if all_ci or _status(p) is not SeriesStatus.CONTRAINDICATED]
    else:  # no forecast can say Contraindicated: no need to make them here
        candidates = group
    has_default = any(p.series.default_series for p in group)
    none_valid = all(p.valid_count() == 0 for p in group)
    # SELECTSCORE-2 ranks risk series by priority (A first). A series the patient has
    # aged out of is no path to immunity: like a contraindicated one (SELECTB-24) it
    # does not hold back a lower-priority series (an adult at an outbreak: the infant
    # series, Aged Out, leaves the adult 1-dose series).
    live = [p for p in candidates if p.series.series_type is not SeriesType.RISK or not _is_aged_out(p)]
    best_priority = min((p.series.series_priority for p in live or group), default="A")
    scorable = []
    for p in candidates:
        kind = p.series.series_type
        if kind is SeriesType.RISK:
            if p.series.series_priority <= best_priority:
                scorable.append(p)
        elif kind is SeriesType.STANDARD:
            first = _first_valid_date(p)
            if first is not None:
                limit = p.series.max_age_to_start
                if limit is None or first < ctx.age_date(limit):
                    scorable.append(p)
            elif none_valid and not has_default:
                scorable.append(p)
        elif _is_complete(p):
            scorable.append(p)
    return scorable


def _finish_date(ps: PatientSeries) -> date | None:
    """SELECTB-12: earliest date + the longest minimum interval of each remaining dose."""
    assert ps.forecast is not None
    finish = ps.forecast.earliest
    if finish is None or ps.forecast.target is None:
        return finish
    for target in ps.targets[ps.forecast.target + 1 :]:
        longest = None
        for interval in target.intervals:
            if interval.from_previous and interval.min_interval is not None:
                candidate = add(finish, interval.min_interval)
                if longest is None or candidate > longest:
                    longest = candidate
        if longest is not None:
            finish = longest
    return finish


def _completable(ps: PatientSeries, ctx: Context) -> bool:
    """SELECTB-3: forecast finish date < maximum age date of the last target dose."""
    finish = _finish_date(ps)
    if finish is None:
        return False
    rule = age_rule_on(ps.targets[-1], ctx.assessment_date)
    if rule is None or rule.max_age is None:
        return True
    return finish < ctx.age_date(rule.max_age)


def _award(
    series: list[PatientSeries],
    scores: dict[int, int],
    test: Callable[[PatientSeries], bool],
    yes: int,
    tie: int | None,
    no: int,
) -> None:
    hits = [p for p in series if test(p)]
    for p in series:
        if test(p):
            scores[id(p)] += tie if tie is not None and len(hits) > 1 else yes
        else:
            scores[id(p)] += no


def _score(series: list[PatientSeries], kind: str, ctx: Context) -> PatientSeries:
    """8.4–8.7: score and return the prioritized series."""
    scores = {id(p): 0 for p in series}
    most = max(p.valid_count() for p in series)
    if kind == "complete":
        _award(series, scores, lambda p: p.valid_count() == most, 1, 0, -1)
    elif kind == "in-process":
        completable = {id(p): _completable(p, ctx) for p in series}
        finish = {id(p): _finish_date(p) for p in series}
        remaining = {id(p): sum(1 for s in p.status if s == NOT_SATISFIED) for p in series}
        fewest = min(remaining.values())
        finishes = [d for p in series if completable[id(p)] and (d := finish[id(p)]) is not None]
        soonest = min(finishes) if finishes else None

        def all_valid(p: PatientSeries) -> bool:
            return p.series.product_path and all(r is None or r.status is DoseStatus.VALID for r in p.results)

        _award(series, scores, all_valid, 2, None, -2)
        _award(series, scores, lambda p: completable[id(p)], 3, None, -3)
        _award(series, scores, lambda p: p.valid_count() == most, 2, 0, -2)
        _award(series, scores, lambda p: remaining[id(p)] == fewest, 2, 0, -2)
        _award(
            series,
            scores,
            lambda p: completable[id(p)] and soonest is not None and finish[id(p)] == soonest,
            1,
            0,
            -1,
        )
    else:
        starts = {id(p): p.forecast.earliest if p.forecast else None for p in series}
        known = [d for d in starts.values() if d is not None]
        first = min(known) if known else None
        _award(series, scores, lambda p: first is not None and starts[id(p)] == first, 1, 0, -1)
        _award(series, scores, lambda p: _completable(p, ctx), 1, None, -1)
        _award(series, scores, lambda p: p.series.product_path, -1, None, 1)
    return max(series, key=lambda p: (scores[id(p)], -p.series.series_preference))


def _prioritized(group: list[PatientSeries], ctx: Context) -> PatientSeries | None:
    """8.1–8.7 for one series group."""
    scorable = _scorable(group, ctx)
    defaults = [p for p in group if p.series.default_series]
    if not scorable:
        return defaults[0] if defaults else None
    if len(scorable) == 1:
        return scorable[0]
    complete = [p for p in scorable if _is_complete(p)]
    in_process = [p for p in scorable if _is_in_process(p)]
    if len(complete) == 1:
        return complete[0]
    if not complete and len(in_process) == 1:
        return in_process[0]
    if not complete and not in_process and len(defaults) == 1:
        return defaults[0]
    if len(complete) >= 2:
        return _score(complete, "complete", ctx)
    if len(in_process) >= 2:
        return _score(in_process, "in-process", ctx)
    no_valid = [p for p in scorable if p.valid_count() == 0]
    if no_valid:
        return _score(no_valid, "no-valid", ctx)
    return _score(scorable, "in-process", ctx)


def select_best_series(series: list[PatientSeries], ctx: Context) -> list[PatientSeries]:
    """Chapter 8: the best patient series of one antigen (usually exactly one)."""
    if len(series) == 1:
        # A lone series is its group's prioritized series (table 8-3) and, with no other
        # group to be equivalent to, the best one (table 8-14) unless evaluation-only.
        only: PatientSeries | None = series[0]
        lone = series[0].series
        # A default series, or a standard one without a maximum age to start, is
        # scorable or the default (table 8-1): it is the prioritized series.
        if not lone.default_series and (lone.series_type is not SeriesType.STANDARD or lone.max_age_to_start):
            only = _prioritized(series, ctx)
        if only is not None and (only.series.series_type is not SeriesType.EVALUATION_ONLY or _is_complete(only)):
            return [only]
        return []
    groups: dict[str, list[PatientSeries]] = {}
    for p in series:
        groups.setdefault(p.series.series_group, []).append(p)
    prioritized = {g: _prioritized(members, ctx) for g, members in groups.items()}
    chosen = {g: p for g, p in prioritized.items() if p is not None}
    best: list[PatientSeries] = []
    for group, p in chosen.items():
        if _is_complete(p):
            best.append(p)
            continue
        if p.series.series_type is SeriesType.EVALUATION_ONLY:
            continue
        equivalents = [chosen[g] for g in p.series.equivalent_series_groups if g != group and g in chosen]
        if any(_is_complete(e) for e in equivalents):
            continue
        if p.series.series_type is SeriesType.RISK or not any(
            e.series.series_type is SeriesType.RISK for e in equivalents
        ):
            best.append(p)
    return best

"""Chapter 9, identify and evaluate vaccine group: merge antigen forecasts into one.

9.1 general rules (dates, dose number), 9.2 single antigen groups, 9.3 multiple antigen
groups (status table 9-4, earliest date MULTIANTVG-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schedule.model import SeriesStatus, SeriesType, VaccineGroup, VaccineGroupForecast
from schedule.state import SeriesForecast

__all__ = ["BestSeries", "vaccine_group_forecast"]

_STATUS_ORDER = (
    SeriesStatus.CONTRAINDICATED,
    SeriesStatus.AGED_OUT,
    SeriesStatus.NOT_RECOMMENDED,
    SeriesStatus.NOT_COMPLETE,
)

# Within one antigen, best series of non-equivalent series groups (e.g. childhood and
# 50+ pneumococcal) describe different stages of life: the one still in progress speaks.
_WITHIN_ANTIGEN = (
    SeriesStatus.NOT_COMPLETE,
    SeriesStatus.COMPLETE,
    SeriesStatus.IMMUNE,
    SeriesStatus.AGED_OUT,
    SeriesStatus.NOT_RECOMMENDED,
    SeriesStatus.CONTRAINDICATED,
)


@dataclass(frozen=True, slots=True)
class BestSeries:
    """A best patient series' forecast, as input to the vaccine group forecast.

    ``not_started``: the patient is younger than the series' minimum age to start and
    has no valid dose in it (e.g. the 50+ pneumococcal series for a child).
    """

    antigen: str
    name: str
    forecast: SeriesForecast
    not_started: bool = False
    series_type: SeriesType = SeriesType.STANDARD


def _antigen_forecasts(items: list[BestSeries]) -> list[SeriesForecast]:
    """Reduce one antigen's best series to those that decide its status."""
    active = [i for i in items if not i.not_started] or items
    statuses = {i.forecast.status for i in active}
    for status in _WITHIN_ANTIGEN:
        if status in statuses:
            return [i.forecast for i in active if i.forecast.status is status]
    return [i.forecast for i in active]


def _group_status(forecasts: list[SeriesForecast]) -> SeriesStatus:
    """Table 9-4."""
    statuses = {f.status for f in forecasts}
    for status in _STATUS_ORDER:
        if status in statuses:
            return status
    if statuses == {SeriesStatus.IMMUNE}:
        return SeriesStatus.IMMUNE
    return SeriesStatus.COMPLETE


def _single(group: VaccineGroup, item: BestSeries) -> VaccineGroupForecast:
    """The common case, one best series in the group: its forecast is the group's."""
    f = item.forecast
    if f.status is not SeriesStatus.NOT_COMPLETE or f.earliest is None:
        return VaccineGroupForecast(group.name, f.status, reasons=f.reasons, series=(item.name,))
    return VaccineGroupForecast(
        group.name,
        f.status,
        f.dose_number,
        f.earliest,
        max(f.earliest, f.recommended) if f.recommended else f.earliest,
        max(f.earliest, f.past_due) if f.past_due else None,
        f.latest,
        f.vaccines,
        f.reasons,
        (item.name,),
    )


def vaccine_group_forecast(
    group: VaccineGroup,
    best: list[BestSeries],
    latest_dose: date | None,
) -> VaccineGroupForecast:
    """Merge the best series forecasts of a vaccine group's antigens (chapter 9).

    ``latest_dose`` is the date of the patient's latest dose of a vaccine in the group
    (MULTIANTVG-1). Only best series of one series type are blended (spec 4.6 and
    chapter 9: risk with risk, standard with standard); with both, the risk forecast
    speaks while it has a dose to give, as the condition calls for it now and the
    standard series can follow "later in life" (spec 4.5), else the standard one.
    """
    if len(best) == 1:
        return _single(group, best[0])
    kinds = dict.fromkeys(i.series_type for i in best)
    if len(kinds) > 1:
        per_type = [
            _blend(group, [i for i in best if i.series_type is kind], latest_dose)
            for kind in _TYPE_ORDER
            if kind in kinds
        ]
        for forecast in per_type:
            if forecast.status is SeriesStatus.NOT_COMPLETE:
                return forecast
        return min(per_type, key=lambda f: _WITHIN_ANTIGEN.index(f.status))
    return _blend(group, best, latest_dose)


#: which series type's forecast speaks first when a group has best series of both
_TYPE_ORDER = (SeriesType.RISK, SeriesType.STANDARD, SeriesType.EVALUATION_ONLY)


def _blend(group: VaccineGroup, best: list[BestSeries], latest_dose: date | None) -> VaccineGroupForecast:
    """Tables 9-2 to 9-5 for best series of one series type."""
    if len(best) == 1:
        return _single(group, best[0])
    by_antigen: dict[str, list[BestSeries]] = {}
    for item in best:
        by_antigen.setdefault(item.antigen, []).append(item)
    all_forecasts = [f for items in by_antigen.values() for f in _antigen_forecasts(items)]
    status = _group_status(all_forecasts)
    reasons = tuple(dict.fromkeys(r for f in all_forecasts for r in f.reasons))
    names = tuple(dict.fromkeys(i.name for i in best))
    if status is not SeriesStatus.NOT_COMPLETE:
        return VaccineGroupForecast(group.name, status, reasons=reasons, series=names)
    due = [f for f in all_forecasts if f.status is SeriesStatus.NOT_COMPLETE and f.earliest]
    multiple = len(group.antigens) > 1
    earliest_dates = [f.earliest for f in due if f.earliest is not None]
    if multiple:
        if any(f.priority for f in due):
            earliest = min(earliest_dates)
            if latest_dose is not None:
                earliest = max(earliest, latest_dose)
        else:
            earliest = max(earliest_dates)
    else:
        earliest = min(earliest_dates)
    recommended = max(earliest, min(f.recommended for f in due if f.recommended))
    past_dues = [f.past_due for f in due if f.past_due is not None]
    past_due: date | None = max(earliest, min(past_dues)) if past_dues else None
    latests = [f.latest for f in due if f.latest is not None]
    numbers = [f.dose_number for f in due if f.dose_number is not None]
    if numbers:
        dose_number: int | None = min(numbers) if group.administer_full_vaccine_group else max(numbers)
    else:
        dose_number = None
    vaccines = tuple(dict.fromkeys(v for f in due for v in f.vaccines))
    return VaccineGroupForecast(
        vaccine_group=group.name,
        status=status,
        dose_number=dose_number,
        earliest=earliest,
        recommended=recommended,
        past_due=past_due,
        latest=min(latests) if latests else None,
        vaccines=vaccines,
        reasons=reasons,
        series=names,
    )

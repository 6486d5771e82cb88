"""Runtime state shared by the engine's chapters: antigen doses, patient series, forecasts.

These objects live only during one :func:`schedule.engine.evaluate` call. They are
mutable on purpose (the evaluation walks target doses and fills results in place) and
use ``__slots__`` because the engine creates many of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from schedule.dates import Duration, add
from schedule.model import (
    AdministeredDose,
    AgeRule,
    AntigenSeries,
    DoseStatus,
    LiveVirusConflict,
    Patient,
    PatientObservation,
    Schedule,
    SeriesDose,
    SeriesStatus,
)

SATISFIED = "satisfied"
SKIPPED = "skipped"
NOT_SATISFIED = "not satisfied"


@dataclass(slots=True)
class AntigenDose:
    """An antigen administered record (spec 4.2): one dose, seen for one antigen."""

    history_index: int  # position in the date-sorted patient history
    input_index: int  # position in Patient.doses as given by the caller
    dose: AdministeredDose
    date: date
    code: str
    substandard: str | None = None  # 6.1 reason, the same for every antigen of the dose


@dataclass(slots=True)
class DoseResult:
    """The evaluation of one antigen dose against one patient series."""

    status: DoseStatus
    reasons: tuple[str, ...] = ()
    target: int | None = None  # index into PatientSeries.targets, None if never evaluated
    inadvertent: bool = False

    def is_reference(self) -> bool:
        """CALCDTINT-1: intervals count from doses evaluated Valid or Not Valid, not inadvertent."""
        return self.status in (DoseStatus.VALID, DoseStatus.NOT_VALID) and not self.inadvertent


@dataclass(slots=True)
class SeriesForecast:
    """A patient series forecast (spec 7): status, next target dose and its dates."""

    status: SeriesStatus
    reasons: tuple[str, ...] = ()
    target: int | None = None
    dose_number: int | None = None
    earliest: date | None = None
    recommended: date | None = None
    past_due: date | None = None
    latest: date | None = None
    unadjusted_recommended: date | None = None
    unadjusted_past_due: date | None = None
    vaccines: tuple[str, ...] = ()
    priority: bool = False  # FORECASTPRIORITY-1


class PatientSeries:
    """A relevant patient series (spec 5): an antigen series being walked for a patient."""

    __slots__ = (
        "_forecast",
        "_valid_count",
        "antigen",
        "antigen_contraindicated",
        "doses",
        "forecaster",
        "next_target",
        "not_before",
        "results",
        "satisfied_by",
        "series",
        "status",
        "targets",
    )

    def __init__(
        self, series: AntigenSeries, antigen: str, doses: list[AntigenDose], not_before: date | None = None
    ) -> None:
        self.series = series
        self.antigen = antigen
        self.doses = doses
        #: a risk series whose indication begins later (spec 5.1 extension): no forecast before it
        self.not_before = not_before
        self.targets: list[SeriesDose] = list(series.doses)
        self.status: list[str] = [NOT_SATISFIED] * len(self.targets)
        self.satisfied_by: list[AntigenDose | None] = [None] * len(self.targets)
        self.results: list[DoseResult | None] = [None] * len(doses)
        self.next_target = 0
        self._forecast: SeriesForecast | None = None
        #: makes the forecast on first use of ``forecast`` (set once the series is evaluated)
        self.forecaster: Callable[[PatientSeries], SeriesForecast] | None = None
        #: the antigen is contraindicated (7.3): the forecast may say Contraindicated
        self.antigen_contraindicated = False
        self._valid_count = -1

    @property
    def forecast(self) -> SeriesForecast | None:
        """The series forecast (chapter 7), made on first use; None while not yet made."""
        if self._forecast is None and self.forecaster is not None:
            forecaster, self.forecaster = self.forecaster, None
            self._forecast = forecaster(self)
        return self._forecast

    @forecast.setter
    def forecast(self, value: SeriesForecast | None) -> None:
        self._forecast = value

    def valid_count(self) -> int:
        """Number of satisfied target doses (SELECTB-21); final once the forecast is made."""
        if self._forecast is not None:
            if self._valid_count < 0:
                self._valid_count = self.status.count(SATISFIED)
            return self._valid_count
        return self.status.count(SATISFIED)

    def reference_dose(self, upto: int) -> AntigenDose | None:
        """The latest dose before position ``upto`` that intervals count from (CALCDTINT-1)."""
        for i in range(upto - 1, -1, -1):
            result = self.results[i]
            if result is not None and result.is_reference():
                return self.doses[i]
        return None

    def insert_recurring(self, at: int) -> None:
        """Repeat target dose ``at`` right after itself (spec 4.4 step 5)."""
        self.targets.insert(at + 1, self.targets[at])
        self.status.insert(at + 1, NOT_SATISFIED)
        self.satisfied_by.insert(at + 1, None)


@dataclass(slots=True)
class Context:
    """Everything about one evaluation run that chapters share, with small caches."""

    patient: Patient
    schedule: Schedule
    assessment_date: date
    history: list[AntigenDose] = field(default_factory=list)
    observation_codes: frozenset[str] = frozenset()
    conflicts_by_current: dict[str, list[LiveVirusConflict]] = field(default_factory=dict)
    #: conflicts whose current code is a preferable vaccine of a target dose, by id(target);
    #: shared by every run on the same schedule, filled on first use
    conflicts_by_target: dict[int, tuple[LiveVirusConflict, ...]] = field(default_factory=dict)
    #: birth date + duration, keyed by Duration.key (equal durations share an entry)
    _age_cache: dict[int, date] = field(default_factory=dict)
    #: latest date each vaccine code was given (forecast conflict ends, CALCDTCONFLICT-3)
    last_given: dict[str, date] = field(default_factory=dict)
    #: every dose given, by vaccine code, in date order (live virus conflicts)
    given_by_code: dict[str, list[AntigenDose]] = field(default_factory=dict)
    #: (absolute minimum, minimum, maximum) age dates per AgeRule.limits_key
    _limits_cache: dict[tuple[int | None, int | None, int | None], tuple[date | None, date | None, date | None]] = (
        field(default_factory=dict)
    )

    def age_date(self, age: Duration) -> date:
        """Birth date + ``age``, memoised for this patient."""
        cached = self._age_cache.get(age.key)
        if cached is None:
            cached = add(self.patient.birth_date, age)
            self._age_cache[age.key] = cached
        return cached

    def age_limits(self, rule: AgeRule) -> tuple[date | None, date | None, date | None]:
        """Dates of ``rule``'s absolute minimum, minimum and maximum ages, memoised."""
        limits = self._limits_cache.get(rule.limits_key)
        if limits is None:
            abs_min, low, high = rule.abs_min_age, rule.min_age, rule.max_age
            limits = (
                None if abs_min is None else self.age_date(abs_min),
                None if low is None else self.age_date(low),
                None if high is None else self.age_date(high),
            )
            self._limits_cache[rule.limits_key] = limits
        return limits

    def within_ages(self, begin: Duration | None, end: Duration | None, when: date) -> bool:
        """``birth + begin <= when < birth + end``; a missing age is no limit (spec 3.4)."""
        if begin is not None and when < self.age_date(begin):
            return False
        return end is None or when < self.age_date(end)

    def observations_on(self, day: date) -> frozenset[str]:
        """Codes of the patient's observations active on ``day`` (start and end included;
        a missing start or end is no limit)."""
        if day == self.assessment_date:
            return self.observation_codes
        return active_observations(self.patient, day)

    def observation_start(self, code: str) -> date | None:
        """CALCDTINT-9: start of the most recent observation with ``code`` that is active
        on the assessment date (None when there is none, or it has no start date).

        The same date serves every dose: an observation that began after a dose (an
        antiretroviral therapy started after MMR) still counts, so that dose comes too
        soon after it."""
        if code not in self.observation_codes:
            return None
        on = self.assessment_date
        best: date | None = None
        for obs in self.patient.observations:
            start = obs.start
            if (
                obs.code == code
                and start is not None
                and start <= on
                and (obs.end is None or on <= obs.end)
                and (best is None or start > best)
            ):
                best = start
        return best

    def new_observation(self, code: str, on: date, after: date) -> PatientObservation | None:
        """The observation with ``code`` active on ``on`` that began after ``after``
        (a pregnancy that started after the previous dose), or None."""
        for obs in self.patient.observations:
            start = obs.start
            if obs.code == code and start is not None and after < start <= on and (obs.end is None or on <= obs.end):
                return obs
        return None


def active_observations(patient: Patient, on: date) -> frozenset[str]:
    """Codes of ``patient``'s observations active on ``on``."""
    return frozenset(
        o.code for o in patient.observations if (o.start is None or o.start <= on) and (o.end is None or on <= o.end)
    )

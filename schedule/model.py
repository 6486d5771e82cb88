"""The schedule model: what a schedule *is*, independent of where it comes from.

The shape follows the CDSi supporting data (logic specification v4.6, appendix A,
"domain model") so that the CDC data loads one-to-one, and is general enough to express a
national schedule such as Vietnam's (Circulars 38/2017, 10/2024, 52/2025):

* a :class:`Schedule` holds antigens, vaccine groups, a vaccine-code map, live-virus
  conflicts and observation types; ``name``/``version``/``effective``/``cessation`` let a
  registry keep several versions and pick one by date;
* vaccine codes are plain strings: CDC CVX codes (``"08"``, ``"102"``) or local codes
  (``"VN-QUINVAXEM"``); nothing in the engine assumes they are numeric;
* every age/interval is a :class:`~schedule.dates.Duration` (``"6 months - 4 days"``);
* every component that changed over time carries ``effective``/``cessation`` dates
  (``None`` = open-ended), as in spec section 3.3.

Patients, doses and observations (the engine's input) and the assessment (its output) are
defined here too, so callers need only this module and :func:`schedule.engine.evaluate`.
All classes are frozen dataclasses; collections are tuples or read-only mappings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from schedule.dates import MAX_DATE, MIN_DATE, Duration

__all__ = [
    "AdministeredDose",
    "AgeRule",
    "Antigen",
    "AntigenAssociation",
    "AntigenContraindication",
    "AntigenDoseEvaluation",
    "AntigenSeries",
    "Assessment",
    "BirthDateImmunity",
    "ConditionalSkip",
    "DoseStatus",
    "Duration",
    "EvaluatedDose",
    "Immunity",
    "InadvertentVaccine",
    "Indication",
    "Interval",
    "LiveVirusConflict",
    "ObservationType",
    "Patient",
    "PatientObservation",
    "Schedule",
    "SeriesDose",
    "SeriesStatus",
    "SeriesType",
    "SkipCondition",
    "SkipConditionType",
    "SkipContext",
    "SkipSet",
    "VaccineCode",
    "VaccineContraindication",
    "VaccineGroup",
    "VaccineGroupForecast",
    "VaccineRule",
]


def _in_effect(effective: date | None, cessation: date | None, on: date) -> bool:
    if effective is None and cessation is None:
        return True
    return (effective or MIN_DATE) <= on <= (cessation or MAX_DATE)


# --------------------------------------------------------------------------- statuses


class DoseStatus(StrEnum):
    """Evaluation status of a dose administered for one antigen (spec 3.2)."""

    VALID = "Valid"
    NOT_VALID = "Not Valid"
    EXTRANEOUS = "Extraneous"
    SUBSTANDARD = "Sub-standard"


class SeriesStatus(StrEnum):
    """Status of a patient series / vaccine group (spec 3.2, table 3-3)."""

    NOT_COMPLETE = "Not Complete"
    COMPLETE = "Complete"
    IMMUNE = "Immune"
    AGED_OUT = "Aged Out"
    CONTRAINDICATED = "Contraindicated"
    NOT_RECOMMENDED = "Not Recommended"


class SeriesType(StrEnum):
    """``Standard`` series apply to everyone; ``Risk`` series need an indication."""

    STANDARD = "Standard"
    RISK = "Risk"
    EVALUATION_ONLY = "Evaluation Only"


class SkipContext(StrEnum):
    """When a conditional skip applies (spec 3.3, figure 3-3)."""

    EVALUATION = "Evaluation"
    FORECAST = "Forecast"
    BOTH = "Both"


class SkipConditionType(StrEnum):
    """Condition types of a conditional skip (spec 6.2, table 6-6)."""

    AGE = "Age"
    COMPLETED_SERIES = "Completed Series"
    INTERVAL = "Interval"
    VACCINE_COUNT_BY_AGE = "Vaccine Count by Age"
    VACCINE_COUNT_BY_DATE = "Vaccine Count by Date"
    VACCINE_COUNT_BY_DATE_AND_AGE = "Vaccine Count by Date and Age"
    OBSERVATION = "Observation"


# --------------------------------------------------------------------------- series


@dataclass(frozen=True, slots=True)
class AgeRule:
    """Ages of a target dose. ``None`` means "no such limit" (spec 6.4, 7.5).

    ``latest_rec_age`` is the age at which the dose becomes past due (overdue).
    """

    abs_min_age: Duration | None = None
    min_age: Duration | None = None
    earliest_rec_age: Duration | None = None
    latest_rec_age: Duration | None = None
    max_age: Duration | None = None
    effective: date | None = None
    cessation: date | None = None
    #: Derived: equal for rules with the same absolute minimum, minimum and maximum ages
    limits_key: tuple[int | None, int | None, int | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = tuple(None if age is None else age.key for age in (self.abs_min_age, self.min_age, self.max_age))
        object.__setattr__(self, "limits_key", key)

    def in_effect(self, on: date) -> bool:
        """True when this rule applies to a dose given (or a forecast made) on ``on``."""
        return _in_effect(self.effective, self.cessation, on)


@dataclass(frozen=True, slots=True)
class Interval:
    """A preferable or allowable interval (spec 6.5, 6.6).

    Exactly one reference is set: ``from_previous`` (the immediately previous dose),
    ``from_target_dose`` (the dose that satisfied target dose N, 1-based),
    ``from_most_recent`` (the latest dose of any of these vaccine codes) or
    ``from_observation`` (the start of the patient's most recent observation with this
    code that began on or before the dose date, or the assessment date in a forecast).
    ``priority_override``: this interval overrides others (CDC "intervalPriority").

    ``waived_by_new_observation`` (an extension for national schedules): an
    observation code; the interval does not apply to a dose given while the patient has
    an observation with this code that began after the interval's reference dose. It
    expresses "at least 6 months after dose 2, *or in the next pregnancy*" (Td for
    women): the 6-month interval is waived in a pregnancy that began after dose 2.
    """

    from_previous: bool = True
    from_target_dose: int | None = None
    from_most_recent: frozenset[str] = frozenset()
    from_observation: str | None = None
    abs_min_interval: Duration | None = None
    min_interval: Duration | None = None
    earliest_rec_interval: Duration | None = None
    latest_rec_interval: Duration | None = None
    priority_override: bool = False
    effective: date | None = None
    cessation: date | None = None
    waived_by_new_observation: str | None = None
    #: Derived: no effective/cessation date, so the interval applies on every date.
    always: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "always", self.effective is None and self.cessation is None)

    def in_effect(self, on: date) -> bool:
        """True when this interval applies on ``on``."""
        return self.always or _in_effect(self.effective, self.cessation, on)


@dataclass(frozen=True, slots=True)
class VaccineRule:
    """A preferable or allowable vaccine for a target dose (spec 6.8, 6.9).

    ``code`` is a CVX or local vaccine code. ``mvx``/``trade_name`` restrict a preferable
    vaccine to one product; ``volume`` (mL) is the expected dose volume;
    ``forecast`` marks the vaccines to list as recommended in the forecast.
    """

    vaccine_type: str
    code: str
    begin_age: Duration | None = None
    end_age: Duration | None = None
    trade_name: str | None = None
    mvx: str | None = None
    volume: float | None = None
    forecast: bool = False
    #: Derived: no age range, trade name or volume to check (any dose of the code fits)
    plain: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        plain = self.begin_age is None and self.end_age is None and not self.trade_name and self.volume is None
        object.__setattr__(self, "plain", plain)


@dataclass(frozen=True, slots=True)
class InadvertentVaccine:
    """A vaccine that must never be given for this target dose (spec 6.3)."""

    vaccine_type: str
    code: str


@dataclass(frozen=True, slots=True)
class SkipCondition:
    """One condition of a conditional-skip set (spec 6.2, tables 6-5 to 6-8).

    ``dose_count_logic`` is ``"greater than"``, ``"equal to"`` or ``"less than"``;
    ``dose_type`` is ``"Valid"`` or ``"Total"``; ``vaccine_types`` are vaccine codes.
    ``observation_code`` serves ``Observation`` conditions (an extension for national
    schedules, e.g. "pregnant"): met when the patient has the observation on the
    condition's reference date (the dose date in evaluation, the assessment date in a
    forecast).
    """

    condition_id: str
    condition_type: SkipConditionType
    start_date: date | None = None
    end_date: date | None = None
    begin_age: Duration | None = None
    end_age: Duration | None = None
    interval: Duration | None = None
    dose_count: int | None = None
    dose_type: str = "Total"
    dose_count_logic: str = "greater than"
    vaccine_types: frozenset[str] = frozenset()
    series_groups: tuple[str, ...] = ()
    observation_code: str | None = None


@dataclass(frozen=True, slots=True)
class SkipSet:
    """A set of conditions joined by ``condition_logic`` (``"AND"``/``"OR"``)."""

    set_id: str
    description: str
    conditions: tuple[SkipCondition, ...]
    condition_logic: str = "AND"
    effective: date | None = None
    cessation: date | None = None

    def in_effect(self, on: date) -> bool:
        """True when this set applies on ``on``."""
        return _in_effect(self.effective, self.cessation, on)


@dataclass(frozen=True, slots=True)
class ConditionalSkip:
    """A conditional skip of a target dose: sets joined by ``set_logic``."""

    context: SkipContext
    sets: tuple[SkipSet, ...]
    set_logic: str = "OR"


@dataclass(frozen=True, slots=True)
class SeriesDose:
    """A target dose of an antigen series (CDC "seriesDose")."""

    dose_number: int
    ages: tuple[AgeRule, ...] = ()
    intervals: tuple[Interval, ...] = ()
    allowable_intervals: tuple[Interval, ...] = ()
    preferable_vaccines: tuple[VaccineRule, ...] = ()
    allowable_vaccines: tuple[VaccineRule, ...] = ()
    inadvertent_vaccines: tuple[InadvertentVaccine, ...] = ()
    conditional_skips: tuple[ConditionalSkip, ...] = ()
    recurring: bool = False
    season_start: date | None = None
    season_end: date | None = None
    # Derived lookups, computed once here so evaluation does no list scans.
    inadvertent_codes: frozenset[str] = field(init=False, repr=False, compare=False)
    preferable_by_code: Mapping[str, tuple[VaccineRule, ...]] = field(init=False, repr=False, compare=False)
    allowable_by_code: Mapping[str, tuple[VaccineRule, ...]] = field(init=False, repr=False, compare=False)
    #: the only age rule when it is undated (the usual case), else None: see age_rule()
    fixed_age: AgeRule | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inadvertent_codes", frozenset(v.code for v in self.inadvertent_vaccines))
        object.__setattr__(self, "preferable_by_code", _by_code(self.preferable_vaccines))
        object.__setattr__(self, "allowable_by_code", _by_code(self.allowable_vaccines))
        ages = self.ages
        fixed = ages[0] if len(ages) == 1 and ages[0].effective is None and ages[0].cessation is None else None
        object.__setattr__(self, "fixed_age", fixed)

    def age_rule(self, on: date) -> AgeRule | None:
        """The age rule in effect on ``on`` (spec 3.3), or None."""
        if self.fixed_age is not None:
            return self.fixed_age
        for rule in self.ages:
            if rule.in_effect(on):
                return rule
        return None


def _by_code(rules: tuple[VaccineRule, ...]) -> Mapping[str, tuple[VaccineRule, ...]]:
    table: dict[str, list[VaccineRule]] = {}
    for rule in rules:
        table.setdefault(rule.code, []).append(rule)
    return MappingProxyType({code: tuple(found) for code, found in table.items()})


@dataclass(frozen=True, slots=True)
class Indication:
    """Why a risk series applies: a patient observation, optionally within ages."""

    observation_code: str
    description: str = ""
    begin_age: Duration | None = None
    end_age: Duration | None = None
    guidance: str = ""


@dataclass(frozen=True, slots=True)
class AntigenSeries:
    """An antigen series: an ordered list of target doses and how to choose the series.

    ``effective``/``cessation`` (not in the CDC data) let a national schedule version a
    whole series by date; they are checked against the assessment date.
    """

    name: str
    target_disease: str
    vaccine_group: str
    series_type: SeriesType
    doses: tuple[SeriesDose, ...]
    default_series: bool = False
    product_path: bool = False
    series_group_name: str = ""
    series_group: str = ""
    series_priority: str = "A"
    series_preference: int = 1
    min_age_to_start: Duration | None = None
    max_age_to_start: Duration | None = None
    required_gender: frozenset[str] = frozenset()
    equivalent_series_groups: tuple[str, ...] = ()
    indications: tuple[Indication, ...] = ()
    admin_guidance: tuple[str, ...] = ()
    effective: date | None = None
    cessation: date | None = None
    #: Derived: some target dose has a season (its dose numbers count seasons)
    seasonal: bool = field(init=False, repr=False, compare=False)
    #: Derived: relevant to every patient (no gender, dates or indications to check)
    unconditional: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "seasonal", any(d.season_start is not None for d in self.doses))
        unconditional = (
            not self.required_gender
            and self.effective is None
            and self.cessation is None
            and self.series_type is not SeriesType.RISK
        )
        object.__setattr__(self, "unconditional", unconditional)


@dataclass(frozen=True, slots=True)
class BirthDateImmunity:
    """Born before ``immunity_birth_date`` → immune, unless an exclusion observation."""

    immunity_birth_date: date
    birth_country: str = ""
    exclusion_codes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Immunity:
    """Evidence of immunity: clinical-history observation codes and birth-date rules."""

    clinical_history_codes: frozenset[str] = frozenset()
    birth_date: tuple[BirthDateImmunity, ...] = ()


@dataclass(frozen=True, slots=True)
class AntigenContraindication:
    """An observation that contraindicates every vaccine of the antigen."""

    observation_code: str
    title: str = ""
    text: str = ""
    guidance: str = ""
    begin_age: Duration | None = None
    end_age: Duration | None = None


@dataclass(frozen=True, slots=True)
class VaccineContraindication:
    """An observation that contraindicates some vaccines (code → optional age range)."""

    observation_code: str
    vaccines: tuple[VaccineRule, ...]
    title: str = ""
    text: str = ""
    guidance: str = ""


@dataclass(frozen=True, slots=True)
class Antigen:
    """All supporting data for one antigen (CDC "antigenSupportingData")."""

    name: str
    series: tuple[AntigenSeries, ...]
    immunity: Immunity = field(default_factory=Immunity)
    contraindications: tuple[AntigenContraindication, ...] = ()
    vaccine_contraindications: tuple[VaccineContraindication, ...] = ()


@dataclass(frozen=True, slots=True)
class AntigenAssociation:
    """A vaccine code counts for ``antigen`` when given between these ages."""

    antigen: str
    begin_age: Duration | None = None
    end_age: Duration | None = None


@dataclass(frozen=True, slots=True)
class VaccineCode:
    """A vaccine code (CVX or local) and the antigens it contains."""

    code: str
    description: str
    antigens: tuple[AntigenAssociation, ...]
    #: CVX code(s) this local code is equivalent to, if any (for national schedules).
    cvx: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VaccineGroup:
    """A vaccine group (e.g. ``"MMR"``) and its antigens (spec 9)."""

    name: str
    antigens: tuple[str, ...]
    administer_full_vaccine_group: bool = False


@dataclass(frozen=True, slots=True)
class LiveVirusConflict:
    """Doses of ``current_code`` given within the window after ``previous_code`` conflict."""

    previous_type: str
    previous_code: str
    current_type: str
    current_code: str
    begin_interval: Duration
    min_end_interval: Duration
    end_interval: Duration


@dataclass(frozen=True, slots=True)
class ObservationType:
    """A coded patient observation (indication, contraindication, immunity evidence)."""

    code: str
    title: str
    group: str = ""
    indication_text: str = ""
    contraindication_text: str = ""
    clarifying_text: str = ""
    #: (code system, code) pairs, e.g. ("SNOMED", "77386006").
    coded_values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Schedule:
    """A complete, versioned schedule: everything the engine needs.

    Build it once (loader or data files) and evaluate many patients with it.
    """

    name: str
    antigens: Mapping[str, Antigen]
    vaccine_groups: Mapping[str, VaccineGroup]
    vaccines: Mapping[str, VaccineCode]
    live_virus_conflicts: tuple[LiveVirusConflict, ...] = ()
    observations: Mapping[str, ObservationType] = field(default_factory=lambda: MappingProxyType({}))
    version: str = ""
    effective: date | None = None
    cessation: date | None = None

    def in_effect(self, on: date) -> bool:
        """True when this schedule version applies on ``on``."""
        return _in_effect(self.effective, self.cessation, on)

    def group_of_antigen(self, antigen: str) -> list[str]:
        """Names of the vaccine groups that contain ``antigen``."""
        return [g.name for g in self.vaccine_groups.values() if antigen in g.antigens]


# --------------------------------------------------------------------------- patient


@dataclass(frozen=True, slots=True)
class AdministeredDose:
    """A dose given to the patient.

    ``vaccine_code`` is a CVX or local code known to the schedule's ``vaccines`` map.
    ``condition`` is a dose condition code (e.g. ``"expired"``, ``"recalled"``,
    ``"partial"``) that makes the dose sub-standard (spec 6.1); ``lot_expiration`` and
    ``volume`` (mL) are checked too when given.
    """

    date_administered: date
    vaccine_code: str
    mvx: str | None = None
    trade_name: str | None = None
    lot: str | None = None
    lot_expiration: date | None = None
    volume: float | None = None
    condition: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class PatientObservation:
    """A coded observation about the patient (pregnancy, immunity, contraindication)."""

    code: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class Patient:
    """The engine's input: birth date, sex (``"F"``, ``"M"``, ``"U"``), history."""

    birth_date: date
    sex: str = "U"
    doses: tuple[AdministeredDose, ...] = ()
    observations: tuple[PatientObservation, ...] = ()
    birth_country: str = ""


# --------------------------------------------------------------------------- output


@dataclass(frozen=True, slots=True)
class AntigenDoseEvaluation:
    """How one dose counted for one antigen.

    ``reasons`` are codes from :mod:`schedule.reasons` (empty when valid).
    ``target_dose`` is the 1-based target dose satisfied (valid doses) or evaluated.
    ``series_type`` is the type of the series that evaluated it (None: no series).
    """

    antigen: str
    status: DoseStatus
    reasons: tuple[str, ...] = ()
    series: str = ""
    target_dose: int | None = None
    series_type: SeriesType | None = None


@dataclass(frozen=True, slots=True)
class EvaluatedDose:
    """A dose administered and its evaluation for each antigen it contains."""

    dose: AdministeredDose
    evaluations: tuple[AntigenDoseEvaluation, ...]

    def status_for_group(self, antigens: tuple[str, ...]) -> DoseStatus | None:
        """The dose's status for a vaccine group, combining its antigens' statuses.

        Order of precedence: Not Valid, Sub-standard, Valid, Extraneous (a Tdap booster
        that counts for tetanus and diphtheria is valid even if pertussis was complete).
        """
        order = (
            DoseStatus.NOT_VALID,
            DoseStatus.SUBSTANDARD,
            DoseStatus.VALID,
            DoseStatus.EXTRANEOUS,
        )
        found = {e.status for e in self.evaluations if e.antigen in antigens}
        for status in order:
            if status in found:
                return status
        return None


@dataclass(frozen=True, slots=True)
class VaccineGroupForecast:
    """Series status and next-dose forecast of a vaccine group (spec 7.5, 9).

    ``recommended`` is the due date and ``past_due`` the overdue date; dates are
    ``None`` when no further dose is recommended. ``vaccines`` are recommended vaccine
    codes; ``reasons`` are codes from :mod:`schedule.reasons`.
    """

    vaccine_group: str
    status: SeriesStatus
    dose_number: int | None = None
    earliest: date | None = None
    recommended: date | None = None
    past_due: date | None = None
    latest: date | None = None
    vaccines: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    series: tuple[str, ...] = ()


class Assessment:
    """The engine's output for one patient on one assessment date.

    ``doses`` (per dose, per antigen evaluations) is built on first access: callers that
    only need the vaccine group forecasts (reminders, coverage counts, the benchmark)
    do not pay for it. ``doses`` may be a tuple or a function returning one.
    """

    __slots__ = ("_doses", "assessment_date", "vaccine_groups")

    def __init__(
        self,
        assessment_date: date,
        doses: tuple[EvaluatedDose, ...] | Callable[[], tuple[EvaluatedDose, ...]],
        vaccine_groups: Mapping[str, VaccineGroupForecast],
    ) -> None:
        self.assessment_date = assessment_date
        self.vaccine_groups = vaccine_groups
        self._doses = doses

    @property
    def doses(self) -> tuple[EvaluatedDose, ...]:
        """Every dose given, in the caller's order, with its evaluation per antigen."""
        doses = self._doses
        if not isinstance(doses, tuple):
            doses = doses()
            self._doses = doses
        return doses

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assessment):
            return NotImplemented
        return (self.assessment_date, self.doses, dict(self.vaccine_groups)) == (
            other.assessment_date,
            other.doses,
            dict(other.vaccine_groups),
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Assessment({self.assessment_date!r}, {self.doses!r}, {dict(self.vaccine_groups)!r})"

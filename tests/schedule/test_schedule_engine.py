"""Key evaluation and forecast rules, on a small hand-made schedule (no CDC files needed).

The schedule "Demo" has one live vaccine group, Measles (code "M", also in "MV" with
varicella), two doses: dose 1 from 12 months (absolute minimum 12 months - 4 days),
recommended 12-16 months, maximum 18 years, "MV" allowed before 13 years; dose 2 at
least 4 weeks after dose 1 (absolute minimum 4 weeks - 4 days), recommended from
4 years, due by 7 years, "MV" inadvertent. Varicella ("V") conflicts with measles.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

import pytest

from schedule import reasons
from schedule.dates import Duration
from schedule.engine import evaluate
from schedule.model import (
    AdministeredDose,
    AgeRule,
    Antigen,
    AntigenAssociation,
    AntigenContraindication,
    AntigenDoseEvaluation,
    AntigenSeries,
    Assessment,
    ConditionalSkip,
    DoseStatus,
    InadvertentVaccine,
    Interval,
    LiveVirusConflict,
    Patient,
    PatientObservation,
    Schedule,
    SeriesDose,
    SeriesStatus,
    SeriesType,
    SkipCondition,
    SkipConditionType,
    SkipContext,
    SkipSet,
    VaccineCode,
    VaccineGroup,
    VaccineRule,
)

D = Duration.parse
DOB = date(2020, 1, 15)


def demo_schedule(skip_dose2_after: str | None = None, skip_dose2_observation: str | None = None) -> Schedule:
    skips: tuple[ConditionalSkip, ...] = ()
    if skip_dose2_after:
        condition = SkipCondition("1", SkipConditionType.AGE, begin_age=D(skip_dose2_after))
        skips = (ConditionalSkip(SkipContext.BOTH, (SkipSet("1", "old enough", (condition,)),)),)
    if skip_dose2_observation:
        condition = SkipCondition("1", SkipConditionType.OBSERVATION, observation_code=skip_dose2_observation)
        skips = (ConditionalSkip(SkipContext.EVALUATION, (SkipSet("1", "observed", (condition,)),)),)
    dose1 = SeriesDose(
        1,
        ages=(AgeRule(D("12 months - 4 days"), D("12 months"), D("12 months"), D("16 months"), D("18 years")),),
        preferable_vaccines=(VaccineRule("measles", "M", D("12 months"), forecast=True),),
        allowable_vaccines=(VaccineRule("measles", "M"), VaccineRule("MV", "MV", end_age=D("13 years"))),
    )
    dose2 = SeriesDose(
        2,
        ages=(AgeRule(D("12 months - 4 days"), D("12 months"), D("4 years"), D("7 years"), D("18 years")),),
        intervals=(Interval(abs_min_interval=D("4 weeks - 4 days"), min_interval=D("4 weeks")),),
        preferable_vaccines=(VaccineRule("measles", "M", forecast=True),),
        allowable_vaccines=(VaccineRule("MV", "MV"),),
        inadvertent_vaccines=(InadvertentVaccine("measles-varicella", "MV"),),
        conditional_skips=skips,
    )
    series = AntigenSeries(
        "Measles 2-dose",
        "Measles",
        "Measles",
        SeriesType.STANDARD,
        (dose1, dose2),
        default_series=True,
        series_group="1",
    )
    antigen = Antigen("Measles", (series,), contraindications=(AntigenContraindication("007", "Pregnant"),))
    varicella = Antigen(
        "Varicella",
        (
            AntigenSeries(
                "Varicella 1-dose",
                "Varicella",
                "Varicella",
                SeriesType.STANDARD,
                (
                    SeriesDose(
                        1,
                        ages=(AgeRule(min_age=D("12 months")),),
                        preferable_vaccines=(VaccineRule("V", "V"), VaccineRule("MV", "MV")),
                    ),
                ),
                default_series=True,
                series_group="1",
            ),
        ),
    )
    return Schedule(
        name="demo",
        antigens=MappingProxyType({"Measles": antigen, "Varicella": varicella}),
        vaccine_groups=MappingProxyType(
            {
                "Measles": VaccineGroup("Measles", ("Measles",)),
                "Varicella": VaccineGroup("Varicella", ("Varicella",)),
            }
        ),
        vaccines=MappingProxyType(
            {
                "M": VaccineCode("M", "measles", (AntigenAssociation("Measles"),)),
                "V": VaccineCode("V", "varicella", (AntigenAssociation("Varicella"),)),
                "MV": VaccineCode(
                    "MV", "measles-varicella", (AntigenAssociation("Measles"), AntigenAssociation("Varicella"))
                ),
            }
        ),
        live_virus_conflicts=(
            LiveVirusConflict("varicella", "V", "measles", "M", D("1 day"), D("24 days"), D("28 days")),
        ),
    )


def run(
    *doses: tuple[str, str], on: str = "2026-01-01", schedule: Schedule | None = None, **patient: object
) -> Assessment:
    p = Patient(DOB, "F", tuple(AdministeredDose(date.fromisoformat(d), code) for d, code in doses), **patient)  # type: ignore[arg-type]
    return evaluate(p, schedule or demo_schedule(), date.fromisoformat(on))


def measles(result: Assessment, n: int) -> AntigenDoseEvaluation:
    """The Measles evaluation of the n-th dose (1-based)."""
    return next(e for e in result.doses[n - 1].evaluations if e.antigen == "Measles")


def test_no_doses_forecasts_dose_1_from_the_ages() -> None:
    forecast = run(on="2020-06-01").vaccine_groups["Measles"]
    assert forecast.status is SeriesStatus.NOT_COMPLETE and forecast.dose_number == 1
    assert forecast.earliest == date(2021, 1, 15)  # minimum age
    assert forecast.recommended == date(2021, 1, 15)  # earliest recommended age
    assert forecast.past_due == date(2021, 5, 14)  # latest recommended age - 1 day
    assert forecast.latest == date(2038, 1, 14)  # maximum age - 1 day
    assert forecast.vaccines == ("M",)


def test_below_absolute_minimum_age_is_not_valid_too_young() -> None:
    result = run(("2021-01-10", "M"))
    assert measles(result, 1).status is DoseStatus.NOT_VALID
    assert measles(result, 1).reasons[0] == reasons.TOO_YOUNG


def test_grace_period_of_four_days_counts() -> None:
    result = run(("2021-01-11", "M"))
    assert measles(result, 1).status is DoseStatus.VALID
    assert reasons.GRACE_PERIOD_AGE in measles(result, 1).reasons


@pytest.mark.parametrize(
    ("dose2", "status", "reasons_given"),
    [
        # Dose 1 on 15 January 2021; dose 2 at least 4 weeks later (12 February), or
        # 4 weeks - 4 days (8 February) with the grace period.
        ("2021-02-07", DoseStatus.NOT_VALID, (reasons.TOO_SOON,)),
        ("2021-02-08", DoseStatus.VALID, (reasons.GRACE_PERIOD_INTERVAL,)),
        ("2021-02-11", DoseStatus.VALID, (reasons.GRACE_PERIOD_INTERVAL,)),
        ("2021-02-12", DoseStatus.VALID, ()),
    ],
)
def test_a_dose_in_the_interval_grace_period_is_valid_and_says_so(
    dose2: str, status: DoseStatus, reasons_given: tuple[str, ...]
) -> None:
    result = run(("2021-01-15", "M"), (dose2, "M"), on="2021-03-01")
    assert measles(result, 1).reasons == ()
    assert (measles(result, 2).status, measles(result, 2).reasons) == (status, reasons_given)


def test_interval_too_soon_then_forecast_from_the_invalid_dose() -> None:
    result = run(("2021-01-15", "M"), ("2021-02-07", "M"), on="2021-02-10")
    assert measles(result, 2).status is DoseStatus.NOT_VALID
    assert measles(result, 2).reasons == (reasons.TOO_SOON,)
    forecast = result.vaccine_groups["Measles"]
    assert forecast.dose_number == 2
    assert forecast.earliest == date(2021, 3, 7)  # 4 weeks after the invalid dose


def test_allowable_vaccine_is_valid_within_its_ages() -> None:
    assert measles(run(("2021-02-01", "MV"), on="2021-03-01"), 1).status is DoseStatus.VALID
    late = run(("2033-02-01", "MV"), on="2033-03-01")  # allowable only before 13 years
    assert measles(late, 1).status is DoseStatus.NOT_VALID
    assert measles(late, 1).reasons == (reasons.NOT_ALLOWABLE,)


def test_inadvertent_vaccine_is_not_valid() -> None:
    result = run(("2021-02-01", "M"), ("2024-02-01", "MV"), on="2024-03-01")
    assert measles(result, 2).status is DoseStatus.NOT_VALID
    assert measles(result, 2).reasons == (reasons.INADVERTENT,)


def test_extra_dose_after_completion_is_extraneous() -> None:
    result = run(("2021-01-15", "M"), ("2024-01-15", "M"), ("2024-06-01", "M"))
    assert [measles(result, n).status for n in (1, 2, 3)] == [DoseStatus.VALID, DoseStatus.VALID, DoseStatus.EXTRANEOUS]
    assert measles(result, 3).reasons == (reasons.SERIES_COMPLETE,)
    assert result.vaccine_groups["Measles"].status is SeriesStatus.COMPLETE


def test_substandard_dose_must_be_repeated() -> None:
    p = Patient(DOB, "F", (AdministeredDose(date(2021, 2, 1), "M", condition="cold chain"),))
    result = evaluate(p, demo_schedule(), date(2021, 3, 1))
    assert result.doses[0].evaluations[0].status is DoseStatus.SUBSTANDARD
    assert result.vaccine_groups["Measles"].dose_number == 1


def test_live_virus_conflict_within_28_days() -> None:
    result = run(("2021-02-01", "V"), ("2021-02-15", "M"), on="2021-03-01")
    assert measles(result, 2).status is DoseStatus.NOT_VALID
    assert reasons.LIVE_VIRUS_CONFLICT in measles(result, 2).reasons
    # the forecast waits for the end of the conflict (28 days after the live dose)
    assert result.vaccine_groups["Measles"].earliest == date(2021, 3, 1)


def test_too_old_is_extraneous_and_aged_out() -> None:
    result = run(("2038-02-01", "M"), on="2038-03-01")
    assert measles(result, 1).status is DoseStatus.EXTRANEOUS
    assert measles(result, 1).reasons == (reasons.TOO_OLD,)
    assert result.vaccine_groups["Measles"].status is SeriesStatus.AGED_OUT


def test_conditional_skip_completes_the_series() -> None:
    result = run(("2030-01-15", "M"), on="2030-03-01", schedule=demo_schedule(skip_dose2_after="10 years"))
    assert result.vaccine_groups["Measles"].status is SeriesStatus.COMPLETE


def test_observation_skip_looks_at_the_dose_date() -> None:
    schedule = demo_schedule(skip_dose2_observation="X")
    doses = (("2021-01-15", "M"), ("2023-06-01", "M"))

    def dose2(start: str, end: str) -> DoseStatus:
        seen = (PatientObservation("X", date.fromisoformat(start), date.fromisoformat(end)),)
        return measles(run(*doses, on="2024-06-01", schedule=schedule, observations=seen), 2).status

    # observed when dose 2 was given: target dose 2 is skipped, the dose is extra
    assert dose2("2023-01-01", "2023-12-31") is DoseStatus.EXTRANEOUS
    # observed on the assessment date only: dose 2 was a dose like any other
    assert dose2("2024-01-01", "2024-12-31") is DoseStatus.VALID


def test_contraindication_observation() -> None:
    p = Patient(DOB, "F", (), (PatientObservation("007", start=date(2025, 1, 1)),))
    forecast = evaluate(p, demo_schedule(), date(2025, 6, 1)).vaccine_groups["Measles"]
    assert forecast.status is SeriesStatus.CONTRAINDICATED
    assert forecast.earliest is None


def test_unknown_vaccine_code_is_reported() -> None:
    result = run(("2021-02-01", "XYZ"))
    assert result.doses[0].evaluations[0].reasons == (reasons.UNKNOWN_VACCINE,)


def test_reasons_in_vietnamese_and_english() -> None:
    assert "too early" in reasons.describe(reasons.TOO_YOUNG, lang="en")
    assert "sớm" in reasons.describe(reasons.TOO_YOUNG)
    assert reasons.describe("new_code") == "new_code"


def test_check_schedule_finds_typos() -> None:
    from dataclasses import replace

    from schedule.check import check_schedule

    assert check_schedule(demo_schedule()) == []
    broken = replace(
        demo_schedule(),
        vaccines=MappingProxyType({"M": VaccineCode("M", "measles", (AntigenAssociation("Measels"),))}),
    )
    problems = check_schedule(broken)
    assert any("unknown antigen 'Measels'" in p for p in problems)
    assert any("'MV' not in the vaccine map" in p for p in problems)


def test_assessment_as_of_a_past_date_ignores_later_doses() -> None:
    result = run(("2021-01-15", "M"), ("2024-01-15", "M"), on="2022-01-01")
    assert measles(result, 1).status is DoseStatus.VALID
    assert result.doses[1].evaluations == ()
    assert result.vaccine_groups["Measles"].dose_number == 2


def test_conformance_cases_may_carry_observations() -> None:
    from schedule.conformance import case_patient

    case = {
        "dob": "2000-01-01",
        "gender": "F",
        "doses": [{"date": "2020-01-01", "cvx": "09", "mvx": None}],
        "observations": [{"code": "PREGNANT", "start": "2025-09-01", "end": None}],
    }
    patient = case_patient(case)
    assert patient.observations == (PatientObservation("PREGNANT", date(2025, 9, 1), None),)
    assert patient.doses[0].vaccine_code == "09"

"""People with medical conditions on the real CDC supporting data (issue 13): one small
patient per engine behaviour the CDC underlying-condition cases needed, each modelled on
one of those cases (named in the test)."""

from __future__ import annotations

from datetime import date

import pytest

from schedule import Patient, PatientObservation, SeriesStatus, evaluate
from schedule.model import AdministeredDose, DoseStatus, Schedule, VaccineGroupForecast

pytestmark = pytest.mark.shared

ASPLENIA = "160"
OUTBREAK = "070"
TRAVEL = "048"


def _forecast(patient: Patient, schedule: Schedule, day: date, group: str) -> VaccineGroupForecast:
    return evaluate(patient, schedule, day, [group]).vaccine_groups[group]


def test_dose_valid_in_the_risk_series_is_reported_valid(cdc_schedule: Schedule) -> None:
    # 2016-UC-0056: a 2-year-old with asplenia; the second Hib dose completes the risk
    # series but is extraneous to the (complete) standard 1-dose catch-up series.
    child = Patient(
        date(2014, 7, 15),
        "F",
        (AdministeredDose(date(2016, 8, 8), "48"), AdministeredDose(date(2016, 10, 3), "48")),
        (PatientObservation(ASPLENIA),),
    )
    result = evaluate(child, cdc_schedule, date(2016, 10, 3), ["Hib"])
    assert [d.status_for_group(("Hib",)) for d in result.doses] == [DoseStatus.VALID, DoseStatus.VALID]
    assert result.doses[1].evaluations[0].series == "Hib risk child 2-dose series"
    assert result.vaccine_groups["Hib"].status is SeriesStatus.COMPLETE


def test_mmr_given_before_antiretroviral_therapy_is_repeated_after_it(cdc_schedule: Schedule) -> None:
    # 2016-UC-0094: two MMR doses in childhood, ART begun at 20: the ART series counts
    # from the start of therapy (CALCDTINT-9), so a dose is due 6 months after it.
    art = date(2016, 6, 12)
    adult = Patient(
        date(1996, 5, 12),
        "F",
        (AdministeredDose(date(1997, 5, 12), "03"), AdministeredDose(date(2000, 5, 12), "03")),
        (PatientObservation("026"), PatientObservation("120", art)),
    )
    forecast = _forecast(adult, cdc_schedule, art, "MMR")
    assert forecast.status is SeriesStatus.NOT_COMPLETE
    assert forecast.earliest == date(2016, 12, 12)


def test_adult_with_asplenia_gets_the_adult_meningococcal_series(cdc_schedule: Schedule) -> None:
    # 2016-UC-0123: the infant series skips to dose 4, which has no minimum age and
    # nothing to count from: Aged Out (FORECASTDTCAN-1), so the 2-dose series is best.
    adult = Patient(date(1992, 4, 18), "M", observations=(PatientObservation(ASPLENIA),))
    forecast = _forecast(adult, cdc_schedule, date(2016, 5, 2), "Meningococcal")
    assert (forecast.earliest, forecast.recommended) == (date(1994, 4, 18), date(1994, 4, 18))


def test_adult_at_an_outbreak_gets_the_one_dose_series(cdc_schedule: Schedule) -> None:
    # 2016-UC-0128: the priority-A infant series are Aged Out for a 60-year-old and no
    # longer hold back the priority-B adult 1-dose series.
    adult = Patient(date(1956, 3, 7), "M", observations=(PatientObservation(OUTBREAK),))
    forecast = _forecast(adult, cdc_schedule, date(2016, 8, 30), "Meningococcal")
    assert forecast.status is SeriesStatus.NOT_COMPLETE
    assert forecast.earliest == date(1958, 3, 7)


def test_child_below_the_indication_age_is_forecast_at_that_age(cdc_schedule: Schedule) -> None:
    # 2022-UC-0001: dengue vaccine for a past infection from 9 years; at 8 years and
    # 11 months the child is told it is due on the 9th birthday.
    child = Patient(date(2013, 2, 12), "M", observations=(PatientObservation("211", date(2022, 1, 3)),))
    forecast = _forecast(child, cdc_schedule, date(2022, 1, 4), "Dengue")
    assert forecast.status is SeriesStatus.NOT_COMPLETE
    assert (forecast.earliest, forecast.recommended) == (date(2022, 2, 12), date(2022, 2, 12))


def test_young_traveller_gets_the_travel_dose_now(cdc_schedule: Schedule) -> None:
    # Issue 13: a 6-month-old traveller; the risk (travel) and standard MMR forecasts
    # are not blended (spec 4.6), so the dose is due now, before the series' latest date.
    infant = Patient(date(2025, 1, 10), "F", observations=(PatientObservation(TRAVEL),))
    forecast = _forecast(infant, cdc_schedule, date(2025, 7, 10), "MMR")
    assert forecast.status is SeriesStatus.NOT_COMPLETE
    assert forecast.earliest == forecast.recommended == date(2025, 7, 10)
    assert forecast.latest == date(2026, 1, 9)

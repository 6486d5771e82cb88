"""Rules the CDC development cases do not exercise (they carry no medical history):
immunity, contraindications and risk indications, on the real CDC supporting data."""

from __future__ import annotations

from datetime import date

import pytest

from schedule import Patient, PatientObservation, SeriesStatus, evaluate
from schedule.model import AdministeredDose, Schedule

pytestmark = pytest.mark.shared

TODAY = date(2025, 11, 10)


def test_born_before_1957_is_immune_to_measles(cdc_schedule: Schedule) -> None:
    forecast = evaluate(Patient(date(1950, 5, 5), "M"), cdc_schedule, TODAY, ["MMR"]).vaccine_groups["MMR"]
    assert forecast.status is SeriesStatus.IMMUNE
    assert forecast.earliest is None


def test_pregnancy_contraindicates_mmr(cdc_schedule: Schedule) -> None:
    woman = Patient(date(2000, 3, 1), "F", observations=(PatientObservation("007", date(2025, 9, 1)),))
    forecast = evaluate(woman, cdc_schedule, TODAY, ["MMR"]).vaccine_groups["MMR"]
    assert forecast.status is SeriesStatus.CONTRAINDICATED


def test_observation_that_ended_no_longer_applies(cdc_schedule: Schedule) -> None:
    woman = Patient(
        date(2000, 3, 1), "F", observations=(PatientObservation("007", date(2024, 1, 1), date(2024, 9, 1)),)
    )
    forecast = evaluate(woman, cdc_schedule, TODAY, ["MMR"]).vaccine_groups["MMR"]
    assert forecast.status is SeriesStatus.NOT_COMPLETE


def test_every_observation_code_is_handled(cdc_schedule: Schedule) -> None:
    doses = (AdministeredDose(date(2010, 1, 1), "33"), AdministeredDose(date(2020, 1, 1), "115"))
    for code in cdc_schedule.observations:
        adult = Patient(date(1970, 5, 5), "F", doses, (PatientObservation(code, date(2020, 1, 1)),))
        result = evaluate(adult, cdc_schedule, TODAY)
        assert "DTaP/Tdap/Td" in result.vaccine_groups, code

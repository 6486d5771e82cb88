"""The CDC supporting data loads into the model with the values of the XML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from schedule.cdc_loader import load_cdc_schedule
from schedule.dates import Duration
from schedule.model import Schedule, SeriesType, SkipConditionType, SkipContext

pytestmark = pytest.mark.shared


def test_groups_antigens_and_vaccine_codes(cdc_schedule: Schedule) -> None:
    assert cdc_schedule.vaccine_groups["MMR"].antigens == ("Measles", "Mumps", "Rubella")
    assert cdc_schedule.vaccine_groups["MMR"].administer_full_vaccine_group
    assert not cdc_schedule.vaccine_groups["DTaP/Tdap/Td"].administer_full_vaccine_group
    pediarix = cdc_schedule.vaccines["110"]
    assert {a.antigen for a in pediarix.antigens} == {"Diphtheria", "Tetanus", "Pertussis", "HepB", "Polio"}


def test_series_dose_ages_intervals_and_vaccines(cdc_schedule: Schedule) -> None:
    hib = cdc_schedule.antigens["Hib"]
    series = next(s for s in hib.series if s.name.startswith("Hib start at 2 months"))
    assert series.series_type is SeriesType.STANDARD and series.default_series
    assert series.max_age_to_start == Duration(0, 7, -4, "7 months - 4 days")
    dose1, dose2 = series.doses[0], series.doses[1]
    assert dose1.dose_number == 1
    assert dose1.ages[0].abs_min_age == Duration.parse("6 weeks - 4 days")
    assert dose1.ages[0].latest_rec_age == Duration.parse("3 months + 4 weeks")
    assert not dose1.intervals  # an empty <interval/> is no interval
    assert dose2.intervals[0].from_previous
    assert dose2.intervals[0].min_interval == Duration.parse("4 weeks")
    assert {v.code for v in dose1.preferable_vaccines} >= {"48", "49"}
    assert any(v.code == "148" and v.end_age == Duration.parse("19 months") for v in dose1.allowable_vaccines)


def test_conditional_skips_are_typed(cdc_schedule: Schedule) -> None:
    hib = cdc_schedule.antigens["Hib"]
    skips = [k for s in hib.series for d in s.doses for k in d.conditional_skips]
    assert {k.context for k in skips} == {SkipContext.EVALUATION, SkipContext.FORECAST, SkipContext.BOTH}
    kinds = {c.condition_type for k in skips for st in k.sets for c in st.conditions}
    assert SkipConditionType.AGE in kinds and SkipConditionType.VACCINE_COUNT_BY_AGE in kinds


def test_immunity_contraindications_conflicts(cdc_schedule: Schedule) -> None:
    measles = cdc_schedule.antigens["Measles"]
    assert measles.immunity.birth_date[0].immunity_birth_date == date(1957, 1, 1)
    assert "007" in {c.observation_code for c in measles.contraindications}  # pregnancy
    mmr_then_var = [c for c in cdc_schedule.live_virus_conflicts if c.previous_code == "03" and c.current_code == "21"]
    assert mmr_then_var and mmr_then_var[0].end_interval == Duration.parse("28 days")


def test_effective_dates_are_kept(cdc_schedule: Schedule) -> None:
    hpv = cdc_schedule.antigens["HPV"]
    dated = [iv for s in hpv.series for d in s.doses for iv in d.intervals if iv.cessation]
    assert dated and all(iv.cessation and iv.cessation.year >= 2000 for iv in dated)


def test_loading_is_cached(cdsi: Path) -> None:
    folder = cdsi / "supporting-data-4.64"
    assert load_cdc_schedule(folder) is load_cdc_schedule(folder)


def test_cdc_schedule_is_consistent(cdc_schedule: Schedule) -> None:
    from schedule.check import check_schedule

    assert check_schedule(cdc_schedule) == []

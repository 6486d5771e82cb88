"""Vietnam's schedule: the conformance cases, version selection, data checks, catalogue."""

from __future__ import annotations

import itertools
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from schedule import registry
from schedule.check import check_schedule
from schedule.conformance import main as cdsi_run
from schedule.conformance import run_cases
from schedule.engine import evaluate
from schedule.model import DoseStatus, SeriesStatus
from schedule.vn import DataError, catalogue, load, schedule_for, timeline, version_for, versions
from schedule.vn.examples import typical_two_year_old

CASES_FILE = Path(__file__).with_name("cases.json")
CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------- conformance cases


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    (result,) = run_cases([case], timeline())
    assert result.passed, f"{case['name']}: {result.mismatches}"


def test_the_engine_runner_passes_every_case(capsys: pytest.CaptureFixture[str]) -> None:
    # `niis cdsi-run --schedule vn tests/schedule/vn/cases.json`, observations included
    assert cdsi_run(["--schedule", "vn", str(CASES_FILE), "--min-pass", str(len(CASES))]) == 0
    assert capsys.readouterr().out.endswith(f"{len(CASES)} passed, 0 failed\n")


def test_case_ids_are_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))


def test_every_case_names_a_vn_vaccine_group() -> None:
    groups = set(timeline().vaccine_groups)
    assert {c["vaccine_group"] for c in CASES} <= groups


# --------------------------------------------------------------------- versions


def test_versions_are_dated_and_contiguous() -> None:
    found = versions()
    assert [v.id for v in found] == ["2018", "2024", "2025", "2026"]
    assert found[1].effective == date(2024, 8, 1)
    for older, newer in itertools.pairwise(found):
        assert older.cessation is not None
        assert (newer.effective - older.cessation).days == 1
    assert found[-1].cessation is None


def test_version_in_force_on_a_date() -> None:
    assert version_for(date(2024, 7, 31)).id == "2018"
    assert version_for(date(2024, 8, 1)).id == "2024"
    assert version_for(date(2016, 1, 1)).id == "2018"  # before the first: the first
    assert schedule_for(date(2026, 7, 1)).version == "2026"


def test_unconfirmed_facts_are_flagged_in_the_data() -> None:
    data = load()
    assert version_for(date(2026, 7, 1)).confidence == "unconfirmed"
    assert data.series["ipv-2dose"].confidence == "unconfirmed"
    # minimum ages no circular states: 6 weeks for dose 1, 12 months for the booster
    assert "dose 1 min_age: assumption" in data.series["dt-5dose"].flags
    assert "dose 4 min_age: assumption" in data.series["dt-5dose"].flags
    assert "dose 1 min_age: assumption" in data.series["polio-3dose"].flags


def test_rotavirus_joins_epi_with_circular_10_of_2024() -> None:
    # Circular 10/2024's eleventh disease is rotavirus (the old data moved it in 2026)
    data = load()
    assert data.programme("rota-monovalent-2dose", date(2024, 7, 31)) == "service"
    assert data.programme("rota-monovalent-2dose", date(2024, 8, 1)) == "EPI"
    assert "32" in (data.scope("rota-monovalent-2dose", date(2025, 1, 1)) or "")


def test_pcv_joins_epi_when_circular_52_takes_effect_not_on_1_january() -> None:
    # signed 31 December 2025: a circular takes effect 45 days after signing at the earliest
    data = load()
    assert version_for(date(2026, 1, 15)).id == "2024"
    assert data.programme("pcv-3plus1", date(2026, 1, 15)) == "service"
    assert data.programme("pcv-3plus1", date(2026, 2, 15)) == "EPI"
    assert data.scope("rota-monovalent-2dose", date(2026, 2, 15)) is not None  # scope carried over


def test_hpv_in_epi_is_for_girls_aged_11_in_four_provinces() -> None:
    data = load()
    scope = data.scope("hpv-2dose", date(2026, 7, 1)) or ""
    assert "girls aged 11" in scope and "Quảng Ngãi" in scope
    assert data.programme("hpv-3dose", date(2026, 7, 1)) == "service"  # a start at 15+ is not the pilot


def test_registry_gives_the_timeline_or_the_version_of_a_date() -> None:
    assert registry.get("vn") is timeline()
    assert registry.get("vn", on=date(2024, 8, 1)) is schedule_for(date(2024, 8, 1))
    assert registry.get("vn", supporting_data=None).name == "vn"


def test_timeline_and_version_agree_around_an_effective_date() -> None:
    patient, _ = typical_two_year_old(date(2024, 8, 15))
    for day in (date(2024, 7, 31), date(2024, 8, 1)):
        by_timeline = evaluate(patient, timeline(), day)
        by_version = evaluate(patient, schedule_for(day), day)
        assert {g: f.status for g, f in by_timeline.vaccine_groups.items()} == {
            g: f.status for g, f in by_version.vaccine_groups.items()
        }


def test_every_version_passes_the_engine_consistency_check() -> None:
    assert check_schedule(timeline()) == []
    for version in versions():
        assert check_schedule(version.schedule) == [], version.id


# --------------------------------------------------------------------- data errors


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    from schedule.vn.loader import DATA_DIR

    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_typo_in_a_dose_names_the_file_and_series(data_copy: Path) -> None:
    path = data_copy / "series" / "epi.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('latest_rec_age = "1 month"', 'latest_rec = "1 month"'))
    with pytest.raises(DataError, match=r"series/epi.toml: series 'bcg' dose 1: unknown key\(s\) latest_rec"):
        load(data_copy)


def test_unknown_vaccine_code_in_a_series_is_an_error(data_copy: Path) -> None:
    path = data_copy / "series" / "epi.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('vaccines = ["19"]', 'vaccines = ["VN-NOPE"]'))
    with pytest.raises(DataError, match="unknown vaccine code 'VN-NOPE'"):
        load(data_copy)


def test_an_interval_waived_by_an_unknown_observation_is_an_error(data_copy: Path) -> None:
    path = data_copy / "series" / "women.toml"
    text = path.read_text(encoding="utf-8")
    assert 'waived_by_new_observation = "VN-PREGNANT"' in text
    path.write_text(text.replace('waived_by_new_observation = "VN-PREGNANT"', 'waived_by_new_observation = "VN-PREG"'))
    with pytest.raises(DataError, match="unknown observation 'VN-PREG'"):
        load(data_copy)


def test_a_version_naming_an_unknown_series_is_an_error(data_copy: Path) -> None:
    path = data_copy / "versions.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('epi_add = ["ipv-2dose",', 'epi_add = ["ipv-3dose",'))
    with pytest.raises(DataError, match="unknown series id 'ipv-3dose'"):
        load(data_copy)


def test_a_new_version_is_data_only(data_copy: Path) -> None:
    path = data_copy / "versions.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[version]]\nid = "2027"\ntitle = "Test"\neffective = 2027-01-01\nbased_on = "2026"\n'
        + 'epi_remove = ["ipv-2dose"]\nepi_add = ["ipv-1dose"]\n'
    )
    data = load(data_copy)
    assert data.version_on(date(2027, 1, 1)).id == "2027"
    assert data.versions[-2].cessation == date(2026, 12, 31)


# --------------------------------------------------------------------- catalogue


def test_catalogue_products_have_stable_unique_ids_and_known_codes() -> None:
    products = catalogue.all_products()
    assert len({p.id for p in products}) == len(products)
    codes = set(timeline().vaccines)
    assert all(p.code in codes for p in products)
    assert all(p.name_vi and p.name for p in products)


def test_catalogue_lookups() -> None:
    assert catalogue.by_id("vn-hexaxim").code == "146"
    assert "Polio IPV" in catalogue.antigens("vn-hexaxim")
    assert {p.id for p in catalogue.by_code("119")} == {"vn-rotarix"}
    assert catalogue.by_gtin("04006381333931") is None  # valid GTIN, not a vaccine we list


def test_gtin_normalization() -> None:
    assert catalogue.normalize_gtin("4006381333931") == "04006381333931"
    with pytest.raises(ValueError):
        catalogue.normalize_gtin("4006381333932")


def test_catalogue_gtin_is_found(data_copy: Path) -> None:
    # The real catalogue has no verified GTIN yet: add one to a copy and look it up.
    path = data_copy / "catalogue.toml"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index('id = "vn-hexaxim"')
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("gtin = "))
    lines[end] = 'gtin = ["4006381333931"]'
    path.write_text("\n".join(lines))
    found = catalogue.by_gtin("4006381333931", data_copy)
    assert found is not None
    assert found.id == "vn-hexaxim"
    assert catalogue.by_gtin("04006381333931", data_copy) == found


# --------------------------------------------------------------------- example patient


def test_typical_two_year_old_is_up_to_date() -> None:
    patient, day = typical_two_year_old(date(2026, 11, 27))
    assessment = evaluate(patient, timeline(), day)
    for evaluated in assessment.doses:
        statuses = {e.status for e in evaluated.evaluations}
        assert DoseStatus.VALID in statuses, evaluated
    groups = assessment.vaccine_groups
    for name in ("HepB", "BCG", "Hib", "Polio", "Measles/MR", "Rotavirus", "PCV", "Varicella", "HepA"):
        assert groups[name].status is SeriesStatus.COMPLETE, name
    assert groups["JE"].status is SeriesStatus.NOT_COMPLETE  # third dose a year after the second
    assert groups["JE"].earliest == date(2026, 12, 4)

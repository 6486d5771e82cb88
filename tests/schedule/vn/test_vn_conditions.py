"""Contraindications, precautions and the screening checklist of Vietnam's schedule:
what the nurse is told to do per vaccine group ("do not give", "postpone until ...",
"refer"), with the reason in Vietnamese and English."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from schedule.model import AdministeredDose, Patient, PatientObservation
from schedule.vn import DataError, load, timeline
from schedule.vn.advice import Action, advise
from schedule.vn.screening import Answer, ScreeningError, checklist, screen

LIVE_GROUPS = ("BCG", "Measles/MR", "MMR", "Varicella", "Rotavirus")
TODAY = date(2026, 11, 1)


def _woman(*observations: PatientObservation) -> Patient:
    return Patient(date(2005, 3, 1), "F", (), observations)


def _infant_at_2_months() -> tuple[Patient, date]:
    """Born 2026-01-01 with the birth doses: the 2-month doses are due on 2026-03-01."""
    birth = date(2026, 1, 1)
    doses = (AdministeredDose(birth, "08"), AdministeredDose(date(2026, 1, 3), "19"))
    return Patient(birth, "M", doses), date(2026, 3, 2)


# --------------------------------------------------------------------- pregnancy


def test_pregnant_woman_with_no_record_gets_td_and_no_live_vaccine() -> None:
    advice = advise(_woman(PatientObservation("VN-PREGNANT", date(2026, 9, 1))), TODAY)
    for group in LIVE_GROUPS:
        assert advice[group].action is Action.DO_NOT_GIVE, group
    mr = advice["Measles/MR"]
    assert mr.reasons[0].rule == "live-pregnancy"
    assert "pregnancy" in mr.reasons[0].text("en")
    assert "có thai" in mr.reasons[0].text("vi")
    assert advice["Td (women)"].action is Action.VACCINATE
    assert advice["Td (women)"].vaccines == ("09", "139")
    # an inactivated vaccine stays, the oral polio vaccine goes
    assert "178" not in advice["Polio"].vaccines and "10" in advice["Polio"].vaccines
    assert "178" in advice["Polio"].withheld


def test_after_delivery_the_live_vaccines_are_due_again() -> None:
    delivered = PatientObservation("VN-PREGNANT", date(2026, 9, 1), date(2027, 5, 20))
    advice = advise(_woman(delivered), date(2027, 7, 1))
    for group in ("Measles/MR", "MMR", "Varicella"):
        assert advice[group].action is Action.VACCINATE, group
        assert advice[group].reasons == ()
    # on the day of the delivery (the end is included) still not
    assert advise(_woman(delivered), date(2027, 5, 20))["Measles/MR"].action is Action.DO_NOT_GIVE


# --------------------------------------------------------------------- immunodeficiency, HIV


def test_severe_immunodeficiency_withholds_live_vaccines_only() -> None:
    patient, day = _infant_at_2_months()
    sick = Patient(patient.birth_date, "M", patient.doses, (PatientObservation("VN-IMMUNODEFICIENCY", day),))
    advice = advise(sick, day)
    assert advice["Rotavirus"].action is Action.DO_NOT_GIVE
    assert advice["Rotavirus"].reasons[0].text("en").startswith("Live vaccine: contraindicated in severe")
    polio = advice["Polio"]
    assert polio.action is Action.VACCINATE
    assert "178" not in polio.vaccines and set(polio.vaccines) >= {"10", "146"}
    assert advice["DTP"].action is Action.VACCINATE and advice["DTP"].reasons == ()


def test_hiv_exposed_infant_gets_no_bcg_until_infection_is_excluded() -> None:
    birth = date(2026, 5, 1)
    exposed = PatientObservation("VN-HIV-EXPOSED", birth)
    advice = advise(Patient(birth, "M", (), (exposed,)), birth)
    assert advice["BCG"].action is Action.DO_NOT_GIVE
    assert advice["BCG"].reasons[0].confidence == "unconfirmed"  # 1575's text not read
    assert advice["HepB"].action is Action.VACCINATE
    excluded = PatientObservation("VN-HIV-EXPOSED", birth, date(2026, 6, 12))
    assert advise(Patient(birth, "M", (), (excluded,)), date(2026, 6, 20))["BCG"].action is Action.VACCINATE


def test_immunosuppressive_treatment_then_postpone_after_it_ends() -> None:
    birth = date(2025, 1, 1)
    on_treatment = PatientObservation("VN-CORTICOSTEROID-HIGH-DOSE", date(2026, 3, 1))
    assert advise(Patient(birth, "F", (), (on_treatment,)), date(2026, 3, 10))["Varicella"].action is Action.DO_NOT_GIVE
    ended = PatientObservation("VN-CORTICOSTEROID-HIGH-DOSE", date(2026, 3, 1), date(2026, 3, 20))
    varicella = advise(Patient(birth, "F", (), (ended,)), date(2026, 3, 25))["Varicella"]
    assert varicella.action is Action.POSTPONE
    assert varicella.until == date(2026, 4, 3)  # 14 days after the last day
    assert advise(Patient(birth, "F", (), (ended,)), date(2026, 4, 3))["Varicella"].action is Action.VACCINATE


# --------------------------------------------------------------------- anaphylaxis


def test_anaphylaxis_after_a_pentavalent_dose_stops_its_components_everywhere() -> None:
    patient, day = _infant_at_2_months()
    patient = Patient(patient.birth_date, "M", (*patient.doses, AdministeredDose(day, "198")))
    outcome = screen(patient, date(2026, 4, 1), "child", {"anaphylaxis-previous-dose": Answer(vaccine_code="198")})
    groups = outcome.vaccine_groups
    for group in ("DTP", "HepB", "Hib"):
        assert groups[group].action is Action.DO_NOT_GIVE, group
    assert groups["DTP"].reasons[0].rule == "anaphylaxis"
    assert "Phản vệ" in groups["DTP"].reasons[0].text("vi")
    # the 6-in-1 shares those components: polio is offered without it
    assert groups["Polio"].action is Action.VACCINATE
    assert "146" not in groups["Polio"].vaccines and "146" in groups["Polio"].withheld
    assert groups["Rotavirus"].action is Action.VACCINATE  # other vaccines go on
    codes = {o.code for o in outcome.observations}
    assert codes == {"VN-ANAPHYLAXIS-DTP", "VN-ANAPHYLAXIS-HEPB", "VN-ANAPHYLAXIS-HIB"}
    assert all(o.end is None for o in outcome.observations)  # for good


# --------------------------------------------------------------------- precautions


def test_fever_today_postpones_what_is_due_until_tomorrow() -> None:
    patient, day = _infant_at_2_months()
    outcome = screen(patient, day, "child", {"temperature": True})
    assert outcome.decision is Action.POSTPONE
    for group in ("DTP", "HepB", "Polio", "Rotavirus", "PCV"):
        advice = outcome.vaccine_groups[group]
        assert advice.action is Action.POSTPONE, group
        assert advice.until == date(2026, 3, 3)
        assert "37.5" in advice.reasons[0].text("en") and "37,5" in advice.reasons[0].text("vi")
    assert outcome.vaccine_groups["Measles/MR"].action is Action.NOT_YET_DUE  # not due: nothing to postpone
    # the next day the fever is over: vaccinate
    fevered = Patient(patient.birth_date, "M", patient.doses, outcome.observations)
    assert advise(fevered, date(2026, 3, 3))["DTP"].action is Action.VACCINATE


def test_recent_immunoglobulin_postpones_measles_containing_vaccines_only() -> None:
    birth = date(2025, 1, 1)
    child = Patient(birth, "M", (AdministeredDose(date(2025, 10, 1), "05"),))
    outcome = screen(child, date(2026, 7, 1), "child", {"immunoglobulin": Answer(start=date(2026, 6, 1))})
    mr = outcome.vaccine_groups["Measles/MR"]
    assert mr.action is Action.POSTPONE
    assert mr.until == date(2026, 9, 1)  # 3 months after
    assert outcome.vaccine_groups["JE"].action is Action.VACCINATE
    assert outcome.decision is Action.VACCINATE  # something can be given today


def test_abnormal_heart_sounds_refer_to_hospital() -> None:
    patient, day = _infant_at_2_months()
    outcome = screen(patient, day, "child", {"heart-sounds-abnormal": True})
    assert outcome.decision is Action.REFER
    assert outcome.vaccine_groups["DTP"].action is Action.REFER
    assert "hospital" in outcome.vaccine_groups["DTP"].reasons[0].text("en")


def test_no_answer_yes_means_vaccinate() -> None:
    patient, day = _infant_at_2_months()
    outcome = screen(patient, day, "child", {"temperature": False, "acute-illness": Answer(yes=False)})
    assert outcome.decision is Action.VACCINATE
    assert outcome.observations == ()
    assert outcome.checklist_version == checklist().version == "1575/QĐ-BYT-2023"


# --------------------------------------------------------------------- newborn form


def test_newborn_form_low_weight_postpones_bcg_and_hbsag_mother_adds_a_note() -> None:
    birth = date(2026, 5, 1)
    outcome = screen(Patient(birth, "F"), birth, "newborn", {"weight-under-2000g": True, "mother-hbsag-positive": True})
    assert outcome.vaccine_groups["BCG"].action is Action.POSTPONE
    assert outcome.vaccine_groups["HepB"].action is Action.VACCINATE
    assert outcome.decision is Action.VACCINATE
    assert any("24 hours" in note for note in outcome.notes_en)
    assert any("24 giờ" in note for note in outcome.notes_vi)


def test_newborn_mother_with_hiv_no_bcg() -> None:
    birth = date(2026, 5, 1)
    outcome = screen(Patient(birth, "M"), birth, "newborn", {"mother-hiv": True})
    assert outcome.vaccine_groups["BCG"].action is Action.DO_NOT_GIVE
    assert outcome.observations == (PatientObservation("VN-HIV-EXPOSED", birth, None),)


# --------------------------------------------------------------------- bad answers


def test_bad_answers_name_the_problem() -> None:
    patient, day = _infant_at_2_months()
    with pytest.raises(ScreeningError, match="unknown screening form 'adult'"):
        screen(patient, day, "adult", {})
    with pytest.raises(ScreeningError, match="has no question 'fever'"):
        screen(patient, day, "child", {"fever": True})
    with pytest.raises(ScreeningError, match="name the vaccine of the previous dose"):
        screen(patient, day, "child", {"anaphylaxis-previous-dose": True})
    with pytest.raises(ScreeningError, match="use child"):
        screen(patient, day, "newborn", {})
    with pytest.raises(ScreeningError, match="before the start"):
        screen(patient, day, "child", {"corticosteroids": Answer(start=day, end=date(2026, 2, 1))})


def test_screening_observations_are_known_to_the_schedule() -> None:
    # the forecast API rejects unknown observation codes: every code a screening records
    # must be in the schedule
    known = timeline().observations
    for form in checklist().forms.values():
        for question in form.questions.values():
            assert all(code == "anaphylaxis" or code in known for code in question.observations)
    assert set(load().conditions.anaphylaxis.values()) <= set(known)


# --------------------------------------------------------------------- data errors


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    from schedule.vn.loader import DATA_DIR

    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_rule_naming_an_unknown_observation_is_an_error(data_copy: Path) -> None:
    _edit(data_copy / "contraindications.toml", 'observations = ["VN-FEVER"]', 'observations = ["VN-FEVR"]')
    with pytest.raises(DataError, match="precaution 'fever': unknown observation 'VN-FEVR'"):
        load(data_copy)


def test_a_rule_naming_an_unknown_vaccine_list_is_an_error(data_copy: Path) -> None:
    _edit(data_copy / "contraindications.toml", 'vaccines = "live"', 'vaccines = "alive"')
    with pytest.raises(DataError, match="'alive' is not a list"):
        load(data_copy)


def test_the_live_list_decides_antigen_or_vaccine_contraindication(data_copy: Path) -> None:
    # with MMRV left off the live list, not every measles vaccine is listed: measles is
    # then contraindicated vaccine by vaccine (MMRV could still be recommended)
    measles = timeline().antigens["Measles"]
    assert any(c.observation_code == "VN-PREGNANT" for c in measles.contraindications)
    _edit(data_copy / "contraindications.toml", '"03", "94", "21"', '"03", "21"')
    measles = load(data_copy).timeline.antigens["Measles"]
    assert all(c.observation_code != "VN-PREGNANT" for c in measles.contraindications)
    (pregnant,) = [c for c in measles.vaccine_contraindications if c.observation_code == "VN-PREGNANT"]
    assert {v.code for v in pregnant.vaccines} == {"03", "04", "05"}


def test_every_observation_code_fits_the_forecast_api() -> None:
    # POST /api/forecast takes codes of at most 32 characters
    assert max(len(code) for code in timeline().observations) <= 32

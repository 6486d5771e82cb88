"""POST /api/forecast: the rules engine behind the API, in the nurse's language."""

from __future__ import annotations

from typing import Any

import pytest

ADULT = {"birth_date": "2005-03-01", "sex": "F", "assessment_date": "2026-11-01", "language": "en"}
INFANT = {"birth_date": "2026-09-01", "sex": "M", "assessment_date": "2026-11-01", "language": "en"}


async def groups_of(client: Any, token_for: Any, body: dict[str, Any], path: str = "/api/forecast") -> dict[str, Any]:
    response = await client.post(path, json=body, headers=await token_for("vac1"))
    assert response.status_code == 200, response.text
    return {g["vaccine_group"]: g for g in response.json()["vaccine_groups"]}


async def test_a_pentavalent_dose_given_too_early_is_not_valid_and_moves_the_next(client: Any, token_for: Any) -> None:
    body = {
        "birth_date": "2026-01-10",
        "sex": "F",
        "assessment_date": "2026-04-01",
        "doses": [
            {"date": "2026-01-10", "vaccine_code": "08"},
            {"date": "2026-03-05", "vaccine_code": "198"},
            {"date": "2026-03-28", "vaccine_code": "198"},
        ],
    }  # 23 days after the first: too soon
    response = await client.post("/api/forecast", json=body, headers=await token_for("vac1"))
    assert response.status_code == 200, response.text
    result = response.json()
    third = result["doses"][2]["evaluations"]
    diphtheria = next(e for e in third if e["antigen"] == "Diphtheria")
    assert diphtheria["status"] == "Not Valid"
    assert diphtheria["reasons"] and all(r["text"] != r["code"] for r in diphtheria["reasons"])
    dtp = next(g for g in result["vaccine_groups"] if g["vaccine_group"] == "DTP")
    assert dtp["dose_number"] == 2
    assert dtp["earliest"] >= "2026-03-29"  # counted from the invalid dose (live-free interval rule) or the valid one


async def test_reasons_come_in_the_requested_language(client: Any, token_for: Any) -> None:
    body = {
        "birth_date": "2026-01-10",
        "assessment_date": "2026-04-01",
        "language": "en",
        "doses": [{"date": "2026-01-20", "vaccine_code": "19"}],
    }
    result = (await client.post("/api/forecast", json=body, headers=await token_for("vac1"))).json()
    bcg = next(g for g in result["vaccine_groups"] if g["vaccine_group"] == "BCG")
    assert bcg["status"] == "Complete" and bcg["reasons"][0]["text"].isascii()


async def test_unknown_vaccine_code_names_the_dose(client: Any, token_for: Any) -> None:
    body = {"birth_date": "2026-01-10", "doses": [{"date": "2026-01-20", "vaccine_code": "NOPE"}]}
    response = await client.post("/api/forecast", json=body, headers=await token_for("vac1"))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "doses[0].vaccine_code"


async def test_birth_date_in_the_future_is_refused(client: Any, token_for: Any) -> None:
    body = {"birth_date": "2099-01-10", "assessment_date": "2026-01-01"}
    response = await client.post("/api/forecast", json=body, headers=await token_for("vac1"))
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "birth_date"


async def test_forecast_needs_a_signed_in_user(client: Any) -> None:
    assert (await client.post("/api/forecast", json={"birth_date": "2026-01-10"})).status_code == 401


async def test_a_pregnant_woman_is_not_offered_live_vaccines_and_gets_td(client: Any, token_for: Any) -> None:
    body = {
        "birth_date": "2005-03-01",
        "sex": "F",
        "assessment_date": "2026-11-01",
        "observations": [{"code": "VN-PREGNANT", "start": "2026-09-01"}, {"code": "VN-FEVER", "start": "2026-11-01"}],
    }
    response = await client.post("/api/forecast", json=body, headers=await token_for("vac1"))
    assert response.status_code == 200, response.text  # screening observation codes are known
    groups = {g["vaccine_group"]: g for g in response.json()["vaccine_groups"]}
    for live in ("Measles/MR", "MMR", "Varicella"):
        assert groups[live]["status"] == "Contraindicated", live
        assert groups[live]["recommended"] is None
    assert groups["Td (women)"]["status"] == "Not Complete"
    assert groups["Td (women)"]["recommended"] == "2026-09-01"


async def test_a_pregnant_woman_is_told_why_live_vaccines_are_withheld_and_td_is_to_give(
    client: Any, token_for: Any
) -> None:
    groups = await groups_of(
        client, token_for, {**ADULT, "observations": [{"code": "VN-PREGNANT", "start": "2026-09-01"}]}
    )
    measles = groups["Measles/MR"]["advice"]
    assert measles["action"] == "do not give" and measles["vaccines"] == []
    assert {"04", "05"} <= set(measles["withheld"])
    assert [r["code"] for r in measles["reasons"]] == ["live-pregnancy"]
    assert measles["reasons"][0]["observations"] == ["VN-PREGNANT"]
    assert "pregnancy" in measles["reasons"][0]["text"]
    polio = groups["Polio"]["advice"]  # IPV may be given, the oral vaccine is withheld
    assert polio["action"] == "vaccinate" and "10" in polio["vaccines"] and "02" in polio["withheld"]
    td = groups["Td (women)"]["advice"]
    assert td["action"] == "vaccinate" and td["vaccines"] and td["reasons"] == []


async def test_the_reason_comes_in_vietnamese_by_default(client: Any, token_for: Any) -> None:
    body = {**ADULT, "language": None, "observations": [{"code": "VN-PREGNANT", "start": "2026-09-01"}]}
    reason = (await groups_of(client, token_for, body))["Varicella"]["advice"]["reasons"][0]
    assert reason["code"] == "live-pregnancy" and "có thai" in reason["text"]


async def test_fever_today_postpones_what_is_due_until_tomorrow(client: Any, token_for: Any) -> None:
    fever = {"code": "VN-FEVER", "start": "2026-11-01", "end": "2026-11-01"}
    groups = await groups_of(client, token_for, {**INFANT, "observations": [fever]})
    dtp = groups["DTP"]["advice"]
    assert dtp["action"] == "postpone" and dtp["until"] == "2026-11-02"
    assert [r["code"] for r in dtp["reasons"]] == ["fever"] and "198" in dtp["withheld"]
    measles = groups["Measles/MR"]["advice"]  # due next year: a fever today changes nothing
    assert measles["action"] == "not yet due" and measles["reasons"] == []


async def test_anaphylaxis_after_a_dtp_dose_withholds_every_dtp_containing_vaccine(client: Any, token_for: Any) -> None:
    reaction = {"code": "VN-ANAPHYLAXIS-DTP", "start": "2026-07-05"}
    doses = [{"date": "2026-07-05", "vaccine_code": "198"}]
    body = {**INFANT, "birth_date": "2026-05-01", "doses": doses, "observations": [reaction]}
    groups = await groups_of(client, token_for, body)
    dtp = groups["DTP"]
    assert dtp["status"] == "Contraindicated" and dtp["advice"]["action"] == "do not give"
    assert [r["code"] for r in dtp["advice"]["reasons"]] == ["anaphylaxis"]
    polio = groups["Polio"]["advice"]  # the 6-in-1 leaves the polio group too; IPV stays
    assert polio["action"] == "vaccinate" and "146" in polio["withheld"] and "10" in polio["vaccines"]
    assert groups["PCV"]["advice"]["action"] == "vaccinate"


async def test_after_delivery_live_vaccines_are_due_again(client: Any, token_for: Any) -> None:
    ended = {"code": "VN-PREGNANT", "start": "2025-09-01", "end": "2026-05-01"}
    groups = await groups_of(client, token_for, {**ADULT, "observations": [ended]})
    measles = groups["Measles/MR"]
    assert measles["status"] == "Not Complete"
    assert measles["advice"] == {
        "action": "vaccinate",
        "until": None,
        "vaccines": ["05", "04"],
        "withheld": [],
        "reasons": [],
    }


async def test_an_unknown_observation_code_is_refused_by_name(client: Any, token_for: Any) -> None:
    body = {**ADULT, "observations": [{"code": "VN-PREGNANT"}, {"code": "NOPE"}]}
    response = await client.post("/api/forecast", json=body, headers=await token_for("vac1"))
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "observations[1].code"


# ----------------------------------------------------------------- screening (Decision 1575)


async def test_the_checklist_says_which_form_fits_the_child(client: Any, token_for: Any) -> None:
    response = await client.get(
        "/api/screening/forms", params={"birth_date": "2026-01-10", "language": "en"}, headers=await token_for("vac1")
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["version"] == "1575/QĐ-BYT-2023"
    forms = {f["id"]: f for f in found["forms"]}
    assert forms["child"]["fits"] is True and forms["newborn"]["fits"] is False  # older than a month by now
    questions = {q["id"]: q for q in forms["child"]["questions"]}
    assert questions["temperature"]["text"].startswith("Temperature")
    assert questions["anaphylaxis-previous-dose"]["names_vaccine"] is True
    assert questions["temperature"]["names_vaccine"] is False
    assert "198" in {v["code"] for v in found["vaccines"]}  # what the anaphylaxis answer may name


async def test_the_checklist_is_in_vietnamese_by_default(client: Any, token_for: Any) -> None:
    found = (await client.get("/api/screening/forms", headers=await token_for("vac1"))).json()
    newborn = next(f for f in found["forms"] if f["id"] == "newborn")
    assert newborn["title"] == "Trẻ sơ sinh" and newborn["fits"] is None


async def test_a_fever_and_an_anaphylaxis_answer_postpone_and_withhold(client: Any, token_for: Any) -> None:
    body = {
        **INFANT,
        "form": "child",
        "answers": {
            "temperature": {},
            "anaphylaxis-previous-dose": {"vaccine_code": "198"},
            "immunodeficiency": {"yes": False},
        },
    }
    response = await client.post("/api/screening/assess", json=body, headers=await token_for("vac1"))
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["checklist_version"] == "1575/QĐ-BYT-2023"
    assert outcome["decision"] == "postpone"
    assert {"code": "VN-FEVER", "start": "2026-11-01", "end": "2026-11-01"} in outcome["observations"]
    groups = {g["vaccine_group"]: g["advice"] for g in outcome["vaccine_groups"]}
    assert groups["DTP"]["action"] == "do not give"
    assert groups["PCV"]["action"] == "postpone" and groups["PCV"]["until"] == "2026-11-02"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"form": "adult"}, "form"),
        ({"form": "newborn"}, "form"),  # the child is 2 months old
        ({"answers": {"no-such-question": {}}}, "answers"),
        ({"answers": {"anaphylaxis-previous-dose": {}}}, "answers"),  # which vaccine?
        (
            {"answers": {"anaphylaxis-previous-dose": {"vaccine_code": "NOPE"}}},
            "answers.anaphylaxis-previous-dose.vaccine_code",
        ),
        ({"answers": {"corticosteroids": {"start": "2026-10-20", "end": "2026-10-01"}}}, "answers"),
    ],
)
async def test_answers_that_do_not_fit_the_form_are_refused_clearly(
    client: Any, token_for: Any, change: dict[str, Any], field: str
) -> None:
    body = {**INFANT, "form": "child", **change}
    response = await client.post("/api/screening/assess", json=body, headers=await token_for("vac1"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == field


async def test_screening_needs_a_signed_in_user(client: Any) -> None:
    assert (await client.get("/api/screening/forms")).status_code == 401
    assert (await client.post("/api/screening/assess", json={**INFANT, "form": "child"})).status_code == 401

"""POST /api/forecast: the rules engine behind the API, in the nurse's language."""

from __future__ import annotations

from typing import Any


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

"""AEFI through the API: a report after a dose, refused when it cannot be true (an onset
before the dose or in the future, doses of two people, a dose not seen); a serious one
alerts the officers above the facility exactly once, however often it is resent; the
lists are the caller's area, serious first, counted per lot; a lot put on hold from the
report stops doses online, keeps a synced one flagged, and tells the stores holding it.

The stock world is test_stock's (F1's store kept by ``clerk1``, F1b's by nobody; ``vac1``
at F1); officers over F1: ``com1`` (Ba Đình), ``prov1`` (Hà Nội), ``admin`` (national).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from api import clock
from api.records.aefi import services as aefi
from db.tables import AefiReport, AuditEvent, Dose, Outbox
from tests.api.test_stock import Stock, _on_hand, _receive
from tests.world import World

PENTAVALENT = "198"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _dose_body(world: World, stock: Stock, subject: str = "S1", **changes: Any) -> dict[str, Any]:
    return {
        "subject_id": world.subjects[subject],
        "vaccine_code": PENTAVALENT,
        "store_id": stock.stores["F1"]["id"],
        "lot_id": stock.lots["penta_a"],
        "route": "IM",
        "site": "left_thigh",
        **changes,
    }


async def _dose(client: httpx.AsyncClient, vac: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/doses", json=body, headers={**vac, **_key()})
    assert response.status_code == 201, response.text
    return dict(response.json()["dose"])


def _report(dose_ids: list[int], **changes: Any) -> dict[str, Any]:
    return {
        "dose_ids": dose_ids,
        "onset_at": (clock.current().now() - timedelta(minutes=5)).isoformat(),
        "symptoms": [{"code": "fever"}],
        "seriousness": "none",
        "outcome": "recovering",
        **changes,
    }


async def _given(client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock) -> dict[str, Any]:
    """A pentavalent dose given to S1 at F1 (ten doses on hand first), a few minutes ago."""
    await _receive(stock, "F1", "penta_a", 10)
    given = (clock.current().now() - timedelta(minutes=30)).replace(second=40, microsecond=0)
    return await _dose(client, await token_for("vac1"), _dose_body(world, stock, administered_at=given.isoformat()))


async def test_a_report_after_a_dose_is_written_once_with_its_audit_row(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    dose = await _given(client, token_for, world, stock)
    vac = {**await token_for("vac1"), **_key()}
    body = _report(
        [dose["id"]],
        symptoms=[{"code": "fever"}, {"code": "other", "text": "quấy khóc, bỏ bú"}],
        reporter_name="Trần Thị Bích",
        reporter_phone="0912345678",
    )

    first = await client.post("/api/aefi", json=body, headers=vac)
    again = await client.post("/api/aefi", json=body, headers=vac)

    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.json() == first.json()
    report = first.json()
    assert report["subject_name"] == "Nguyễn Văn An" and report["facility_id"] == world.facilities["F1"]
    assert [s["code"] for s in report["symptoms"]] == ["fever", "other"]
    assert report["symptom_list"] == aefi.symptom_list().version
    assert report["reporter_name"] == "Trần Thị Bích" and report["reporter_id"] == world.users["vac1"]
    assert [(d["id"], d["lot_number"]) for d in report["doses"]] == [(dose["id"], "PA001")]
    # Not serious: no one is alerted.
    assert report["serious"] is False and report["alerts"] == []
    assert await AefiReport.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "aefi.report") == 1
    assert await Outbox.count().where(Outbox.template == aefi.SERIOUS_TEMPLATE) == 0


async def test_reports_that_cannot_be_true_are_refused_naming_the_field(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    dose = await _given(client, token_for, world, stock)
    other = await _dose(
        client, await token_for("vac1"), _dose_body(world, stock, "S1y", administered_at=dose["administered_at"])
    )
    vac = await token_for("vac1")
    before_dose = (clock.current().now() - timedelta(hours=2)).isoformat()
    tomorrow = (clock.current().now() + timedelta(days=1)).isoformat()

    async def refused(body: dict[str, Any], status: int = 422) -> dict[str, Any]:
        response = await client.post("/api/aefi", json=body, headers={**vac, **_key()})
        assert response.status_code == status, response.text
        return dict(response.json()["error"])

    early = await refused(_report([dose["id"]], onset_at=before_dose))
    assert early["details"]["field"] == "onset_at" and "trước mũi tiêm" in early["message"]
    future = await refused(_report([dose["id"]], onset_at=tomorrow))
    assert future["details"]["field"] == "onset_at" and "tương lai" in future["message"]
    two_people = await refused(_report([dose["id"], other["id"]]))
    assert two_people["details"]["field"] == "dose_ids"
    unknown_code = await refused(_report([dose["id"]], symptoms=[{"code": "sneezing"}]))
    assert unknown_code["details"]["field"] == "symptoms"
    no_words = await refused(_report([dose["id"]], symptoms=[{"code": "other"}]))
    assert no_words["details"]["field"] == "symptoms"
    missing = await refused(_report([999999]), 404)
    assert "Không tìm thấy mũi tiêm 999999" in missing["message"]
    # vac2 (F2) cannot see S1: the dose answers as missing, its existence does not leak.
    response = await client.post("/api/aefi", json=_report([dose["id"]]), headers={**await token_for("vac2"), **_key()})
    assert response.status_code == 404
    # A parent does not report through this route.
    response = await client.post(
        "/api/aefi", json=_report([dose["id"]]), headers={**await token_for("parent1"), **_key()}
    )
    assert response.status_code == 403
    # Without a key a retry could report it twice.
    response = await client.post("/api/aefi", json=_report([dose["id"]]), headers=vac)
    assert response.status_code == 422 and "Idempotency-Key" in response.json()["error"]["message"]
    assert await AefiReport.count() == 0
    # The form gives minutes: a reaction in the dose's own minute is after the dose.
    same_minute = datetime.fromisoformat(dose["administered_at"]).replace(second=0).isoformat()
    response = await client.post(
        "/api/aefi", json=_report([dose["id"]], onset_at=same_minute), headers={**vac, **_key()}
    )
    assert response.status_code == 201, response.text


async def test_a_refusal_is_worded_in_vietnamese_for_a_vietnamese_account(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    dose = await _given(client, token_for, world, stock)
    response = await client.post(
        "/api/aefi",
        json=_report([dose["id"]], onset_at=(clock.current().now() + timedelta(days=1)).isoformat()),
        headers={**await token_for("vac1"), **_key()},
    )
    assert response.json()["error"]["message"].startswith("Thời điểm khởi phát ở tương lai")


async def test_a_serious_report_alerts_the_officers_above_the_facility_once(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    dose = await _given(client, token_for, world, stock)
    vac = {**await token_for("vac1"), **_key()}
    body = _report([dose["id"]], symptoms=[{"code": "seizure"}], seriousness="hospitalised")

    first = await client.post("/api/aefi", json=body, headers=vac)
    again = await client.post("/api/aefi", json=body, headers=vac)

    assert first.status_code == 201 and again.status_code == 201, first.text
    report = first.json()
    # Ba Đình's officers (com1m's Phúc Xá was merged into it: they answer for Ba Đình
    # now), Hà Nội's and the national admin; not Hoàn Kiếm's nor Hồ Chí Minh's.
    expected = {world.users[u] for u in ("com1", "com1m", "prov1", "admin")}
    rows = await Outbox.select().where(Outbox.reference == f"aefi:{report['id']}")
    assert {int(r["recipient"].split(":")[1]) for r in rows} == expected and len(rows) == 4
    assert all(r["template"] == aefi.SERIOUS_TEMPLATE and r["status"] == "pending" for r in rows)
    assert "Phản ứng nặng sau tiêm (phải nhập viện): Nguyễn Văn An" in rows[0]["body"]
    # Each officer reads where the doses were given.
    assert all("Trạm Y tế F1" in r["body"] for r in rows)
    assert {a["recipient_name"] for a in report["alerts"]} == {"Com1", "Com1M", "Prov1", "Admin"}
    # The officer sees the same alerts on the report.
    shown = (await client.get(f"/api/aefi/{report['id']}", headers=await token_for("com1"))).json()
    assert len(shown["alerts"]) == 4


async def test_the_lists_are_the_callers_area_serious_first_and_counted_per_lot(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    dose = await _given(client, token_for, world, stock)
    vac = await token_for("vac1")
    mild = (await client.post("/api/aefi", json=_report([dose["id"]]), headers={**vac, **_key()})).json()
    serious = (
        await client.post(
            "/api/aefi",
            json=_report([dose["id"]], seriousness="life_threatening", symptoms=[{"code": "anaphylaxis"}]),
            headers={**vac, **_key()},
        )
    ).json()

    com1 = await token_for("com1")
    listed = (await client.get("/api/aefi", headers=com1)).json()
    assert [r["id"] for r in listed] == [serious["id"], mild["id"]]
    lots = (await client.get("/api/aefi/lots", headers=com1)).json()
    assert [(c["lot_number"], c["reports"], c["serious"], c["on_hold"]) for c in lots] == [("PA001", 2, 1, False)]
    only_serious = (await client.get("/api/aefi?serious=true", headers=com1)).json()
    assert [r["id"] for r in only_serious] == [serious["id"]]
    # Outside the area: Hoàn Kiếm's officer sees none of them and cannot read one (404);
    # a place above Ba Đình's officer is a 403, as for the due list.
    com1b = await token_for("com1b")
    assert (await client.get("/api/aefi", headers=com1b)).json() == []
    assert (await client.get(f"/api/aefi/{mild['id']}", headers=com1b)).status_code == 404
    above = await client.get(f"/api/aefi?place_id={world.places['P1']}", headers=com1)
    assert above.status_code == 403
    assert (await client.get("/api/aefi", headers=await token_for("vac2"))).json() == []
    assert (await client.get("/api/aefi", headers=await token_for("clerk1"))).status_code == 403


async def test_a_lot_held_after_an_aefi_stops_doses_online_flags_synced_ones_and_tells_the_stores_once(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    dose = await _given(client, token_for, world, stock)
    await _receive(stock, "F1b", "penta_a", 5)
    vac = await token_for("vac1")
    report = (
        await client.post("/api/aefi", json=_report([dose["id"]], seriousness="cluster"), headers={**vac, **_key()})
    ).json()
    prov = await token_for("prov1")
    hold = {"on_hold": True, "reason": "Chùm ca phản ứng sau tiêm"}
    path = f"/api/stock/lots/{stock.lots['penta_a']}/hold"

    first = await client.post(path, json=hold, headers={**prov, **_key()})
    again = await client.post(path, json=hold, headers={**prov, **_key()})

    assert first.status_code == 200 and first.json()["on_hold"] is True, first.text
    assert again.status_code == 200
    # The check and the record refuse a dose from it online, saying why, in Vietnamese.
    body = _dose_body(world, stock)
    check = await client.post("/api/doses/check", json=body, headers=vac)
    record = await client.post("/api/doses", json=body, headers={**vac, **_key()})
    for refused in (check, record):
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["details"]["reason"] == "lot_on_hold"
        assert error["message"].startswith("Lô PA001 của DTP-HepB-Hib đang bị tạm dừng sử dụng")
    assert await Dose.count() == 1 and await _on_hand(stock, "F1", "penta_a") == 9
    # A dose given offline before the device knew is kept as given, and flagged.
    synced = {
        **body,
        "source": "synced",
        "administered_at": (clock.current().now() - timedelta(minutes=10)).isoformat(),
    }
    item = {"key": str(uuid.uuid4()), "method": "POST", "path": "/api/doses", "body": json.dumps(synced)}
    answer = (await client.post("/api/sync", json={"items": [item]}, headers=vac)).json()
    assert answer["items"][0]["outcome"] == "conflict" and answer["items"][0]["conflicts"] == ["lot_on_hold"]
    assert answer["items"][0]["answer"]["dose"]["flags"] == ["lot_on_hold"]
    assert await _on_hand(stock, "F1", "penta_a") == 8
    # F1's clerk is told once (the second hold changed nothing); F1b has no clerk; the
    # province store never held the lot.
    rows = await Outbox.select().where(Outbox.reference == f"lot:{stock.lots['penta_a']}")
    assert [r["recipient"] for r in rows] == [f"account:{world.users['clerk1']}"]
    assert "Chùm ca phản ứng sau tiêm" in rows[0]["body"] and rows[0]["template"] == "lot.hold"
    # The report shows the lot held and the stores' alert beside the officers'.
    shown = (await client.get(f"/api/aefi/{report['id']}", headers=prov)).json()
    assert shown["doses"][0]["lot_on_hold"] is True
    assert {a["template"] for a in shown["alerts"]} == {"aefi.serious", "lot.hold"}
    lots = (await client.get("/api/aefi/lots", headers=prov)).json()
    assert lots[0]["on_hold"] is True
    # The reason is in the audit row; a commune officer may not hold a lot.
    audit = (
        await AuditEvent.select(AuditEvent.after).where(AuditEvent.action == "stock.lot.hold").output(load_json=True)
    )
    assert [a["after"] for a in audit] == [{"on_hold": True, "reason": "Chùm ca phản ứng sau tiêm"}]
    commune = await client.post(path, json={"on_hold": False}, headers={**await token_for("com1"), **_key()})
    assert commune.status_code == 403
    # Released, then held again: a new hold, told again.
    await client.post(path, json={"on_hold": False}, headers={**prov, **_key()})
    await client.post(path, json=hold, headers={**prov, **_key()})
    assert await Outbox.count().where(Outbox.reference == f"lot:{stock.lots['penta_a']}") == 2


async def test_the_symptom_list_is_versioned_data_and_the_app_words_every_code(
    client: httpx.AsyncClient, token_for: Any
) -> None:
    answer = (await client.get("/api/aefi/symptoms", headers=await token_for("vac1"))).json()
    codes = [s["code"] for s in answer["symptoms"]]
    assert answer["version"] == aefi.symptom_list().version and "anaphylaxis" in codes and "hhe" in codes
    assert [s["code"] for s in answer["symptoms"] if s["needs_text"]] == ["other"]
    # The form offers the same codes, in the same order (it works offline, so it keeps them).
    with open("pwa/js/aefi-view.js", encoding="utf-8") as view:
        script = view.read()

    def offered(name: str) -> list[str]:
        found = re.search(rf"{name} = \[([^\]]*)\]", script)
        assert found is not None, name
        return re.findall(r'"(\w+)"', found.group(1))

    assert offered("SYMPTOMS") == codes
    # So are the seriousness and outcome choices: one the server does not know is a refusal.
    assert offered("SERIOUSNESS") == list(aefi.SERIOUSNESS) and offered("OUTCOMES") == list(aefi.OUTCOMES)
    for language in ("vi", "en"):
        with open(f"pwa/i18n/{language}.json", encoding="utf-8") as strings:
            words = json.load(strings)
        assert all(f"aefi.symptom.{code}" in words for code in codes), language

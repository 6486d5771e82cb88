"""Offline sync through the API (docs/records.md, "Offline sync"): a device's queue sent as
one batch is applied in order, once, however often it is sent (alone, in a batch, twice
at once); a refused item writes nothing and stops only the items that name it; two
devices dosing one child at two facilities keep both doses and open one review that both
facilities see; a dose on a lot put on hold meanwhile is kept and flagged.

The world and stock are test_records' (``vac1`` at F1, ``vac1b`` at F1b, both in Hà Nội;
``prov1`` the province officer over both, ``com1`` the commune officer of F1 only).
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from api import clock
from api.stock import catalogue
from api.sync.services import KINDS
from db.tables import AuditEvent, Dose, DoseReview, IdempotencyKey, StockEvent, Subject
from tests.api.test_records import PENTAVALENT
from tests.api.test_registry import child
from tests.api.test_stock import ACTOR, Stock, _on_hand, _receive
from tests.conftest import REPO
from tests.world import World


@pytest.fixture
async def vac(token_for: Any, stock: Stock) -> dict[str, str]:
    """The vaccinator of F1, whose store holds ten doses of pentavalent."""
    await _receive(stock, "F1", "penta_a", 10)
    return dict(await token_for("vac1"))


def _key() -> str:
    return str(uuid.uuid4())


def _registration(world: World, key: str, **changes: Any) -> dict[str, Any]:
    return {"key": key, "method": "POST", "path": "/api/subjects", "body": json.dumps(child(world, **changes))}


def _dose(stock: Stock, store: str, key: str, *, given: datetime, **subject: Any) -> dict[str, Any]:
    body = {
        **subject,
        "vaccine_code": PENTAVALENT,
        "source": "synced",
        "administered_at": given.isoformat(),
        "store_id": stock.stores[store]["id"],
        "lot_id": stock.lots["penta_a"],
        "route": "IM",
        "site": "left_thigh",
    }
    return {"key": key, "method": "POST", "path": "/api/doses", "body": json.dumps(body)}


def _this_morning() -> datetime:
    return clock.current().now() - timedelta(hours=2)


async def _sync(client: httpx.AsyncClient, headers: dict[str, str], *items: dict[str, Any], **extra: Any) -> Any:
    response = await client.post("/api/sync", json={"items": list(items), **extra}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _outcomes(answer: Any) -> list[str]:
    return [item["outcome"] for item in answer["items"]]


async def _counts() -> tuple[int, int, int, int]:
    return (
        await Subject.count(),
        await Dose.count(),
        await StockEvent.count().where(StockEvent.kind == "administered"),
        await AuditEvent.count(),
    )


async def test_a_child_registered_and_dosed_offline_is_applied_once_however_often_it_is_sent(
    client: httpx.AsyncClient, vac: dict[str, str], world: World, stock: Stock
) -> None:
    register, dose = _key(), _key()
    items = [
        _registration(world, register, birth_date="2026-02-01"),
        _dose(stock, "F1", dose, given=_this_morning(), subject_key=register),
    ]
    before = await _counts()

    first = await _sync(client, vac, *items)

    assert _outcomes(first) == ["applied", "applied"], first
    assert first["confirmed"] == [register, dose]
    assert abs(datetime.fromisoformat(first["synced_at"]) - clock.current().now()) < timedelta(seconds=30)
    registered, dosed = first["items"]
    assert registered["kind"] == "subject.register" and registered["status"] == 201
    assert registered["answer"]["code"] and registered["id"] == registered["answer"]["id"]
    assert dosed["kind"] == "dose.record" and dosed["answer"]["dose"]["subject_id"] == registered["id"]
    assert dosed["id"] == dosed["answer"]["dose"]["id"]
    assert dosed["answer"]["dose"]["source"] == "synced"
    assert await _on_hand(stock, "F1", "penta_a") == 9
    after = await _counts()
    assert after[:3] == (before[0] + 1, 1, 1)

    # The answer was lost: the device sends the same batch again.
    again = await _sync(client, vac, *items)
    assert _outcomes(again) == ["already_applied", "already_applied"]
    assert again["confirmed"] == [register, dose]
    assert [i["answer"] for i in again["items"]] == [i["answer"] for i in first["items"]]
    assert await _counts() == after

    # The same dose sent alone (the single endpoint, same key and bytes) is the same write.
    alone = await client.post(
        "/api/doses",
        content=items[1]["body"],
        headers={**vac, "Idempotency-Key": dose, "Content-Type": "application/json"},
    )
    assert alone.status_code == 201 and alone.headers.get("Idempotent-Replayed") == "true"
    assert alone.json() == dosed["answer"]
    assert await _counts() == after and await _on_hand(stock, "F1", "penta_a") == 9


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_a_dose_sent_alone_names_a_child_registered_offline_by_its_key(
    client: httpx.AsyncClient, vac: dict[str, str], world: World, stock: Stock
) -> None:
    register = _key()
    await _sync(client, vac, _registration(world, register))
    body = json.loads(_dose(stock, "F1", _key(), given=_this_morning(), subject_key=register)["body"])

    dosed = await client.post("/api/doses", json=body, headers={**vac, "Idempotency-Key": _key()})
    unknown = await client.post(
        "/api/doses", json={**body, "subject_key": _key()}, headers={**vac, "Idempotency-Key": _key()}
    )
    neither = await client.post(
        "/api/doses", json={**body, "subject_key": None}, headers={**vac, "Idempotency-Key": _key()}
    )

    assert dosed.status_code == 201, dosed.text
    subject = await Subject.select(Subject.id).where(Subject.full_name == "Phạm Minh Châu").first()
    assert subject is not None and dosed.json()["dose"]["subject_id"] == subject["id"]
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_key"
    assert unknown.json()["error"]["details"]["field"] == "subject_key"
    assert "send the registration first" in unknown.json()["error"]["message"]
    assert neither.status_code == 422 and neither.json()["error"]["details"]["field"] == "subject_id"
    assert await Dose.count() == 1


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_a_dose_before_its_registration_or_naming_a_missing_key_is_refused_with_nothing_written(
    client: httpx.AsyncClient, vac: dict[str, str], world: World, stock: Stock
) -> None:
    register, early, missing = _key(), _key(), _key()
    before = await _counts()

    answer = await _sync(
        client,
        vac,
        _dose(stock, "F1", early, given=_this_morning(), subject_key=register),  # out of order
        _registration(world, register),
        _dose(stock, "F1", missing, given=_this_morning(), subject_key=_key()),  # never seen
    )

    assert _outcomes(answer) == ["refused", "applied", "refused"]
    assert answer["confirmed"] == [register]
    out_of_order, _, unknown = answer["items"]
    for refused in (out_of_order, unknown):
        assert refused["status"] == 422 and refused["error"]["code"] == "unknown_key"
        assert "send the registration first" in refused["fields"]["subject_key"]
    after = await _counts()
    assert after[0] == before[0] + 1 and after[1:3] == (0, 0)
    assert await _on_hand(stock, "F1", "penta_a") == 10
    # Nothing kept under the refused keys: once corrected, the same key is the write.
    assert await IdempotencyKey.count().where(IdempotencyKey.key.is_in([early, missing])) == 0


async def test_a_refused_item_stops_only_the_items_that_name_it(
    client: httpx.AsyncClient, vac: dict[str, str], world: World, stock: Stock
) -> None:
    bad, its_dose, other = _key(), _key(), _key()
    subjects = await Subject.count()

    answer = await _sync(
        client,
        vac,
        _registration(world, bad, birth_date="2099-01-01"),
        _dose(stock, "F1", its_dose, given=_this_morning(), subject_key=bad),
        _dose(stock, "F1", other, given=_this_morning(), subject_id=world.subjects["S1"]),
        {"key": _key(), "method": "POST", "path": "/api/me/links/phone", "body": "{}"},
    )

    assert _outcomes(answer) == ["refused", "refused", "applied", "refused"]
    assert answer["confirmed"] == [other]
    refused, depends, _, not_batchable = answer["items"]
    assert refused["status"] == 422 and "birth_date" in refused["fields"]
    assert depends["status"] == 424 and depends["error"]["code"] == "depends_on_refused"
    assert bad in depends["error"]["message"]
    assert not_batchable["error"]["code"] == "not_batchable" and "on its own" in not_batchable["error"]["message"]
    assert await Subject.count() == subjects
    assert await Dose.count() == 1 and await _on_hand(stock, "F1", "penta_a") == 9


@pytest.mark.usefixtures("english")  # checks the words as raised
async def test_a_batch_over_the_bound_is_refused_saying_how_to_send_it(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    items = [_registration(world, _key()) for _ in range(501)]
    response = await client.post("/api/sync", json={"items": items}, headers=await token_for("vac1"))
    assert response.status_code == 413
    assert "at most 500" in response.json()["error"]["message"]
    naive = await client.post(
        "/api/sync", json={"items": items[:1], "last_synced_at": "2026-01-01T08:00:00"}, headers=await token_for("vac1")
    )
    assert naive.status_code == 422 and naive.json()["error"]["details"]["field"] == "last_synced_at"
    assert await IdempotencyKey.count() == 0


async def test_two_devices_dosing_one_child_at_two_facilities_keep_both_and_open_one_review(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    await _receive(stock, "F1b", "penta_a", 10)
    vac1, vac1b = await token_for("vac1"), await token_for("vac1b")
    subject = world.subjects["S1y"]  # managed by F1, lives in F1b's commune: both may dose it
    last_synced = (clock.current().now() - timedelta(days=1)).isoformat()

    # Both devices synced yesterday, then went offline; F1 dosed at 8:00, F1b at 10:00.
    first = await _sync(
        client,
        vac1,
        _dose(stock, "F1", _key(), given=_this_morning() - timedelta(hours=1), subject_id=subject),
        last_synced_at=last_synced,
    )
    second = await _sync(
        client,
        vac1b,
        _dose(stock, "F1b", _key(), given=_this_morning() + timedelta(hours=1), subject_id=subject),
        last_synced_at=last_synced,
    )

    assert _outcomes(first) == ["applied"]
    assert _outcomes(second) == ["conflict"] and second["confirmed"] == [second["items"][0]["key"]]
    conflict = second["items"][0]
    assert conflict["conflicts"] == ["double_dose"] and len(conflict["reviews"]) == 1
    doses = await Dose.select(Dose.id, Dose.status, Dose.facility).order_by(Dose.id)
    assert [d["status"] for d in doses] == ["administered", "administered"]
    assert await _on_hand(stock, "F1", "penta_a") == 9 and await _on_hand(stock, "F1b", "penta_a") == 9
    assert await DoseReview.count() == 1

    # Both facilities and the province see it; a commune officer elsewhere does not.
    review_id = conflict["reviews"][0]
    for user in ("vac1", "vac1b", "prov1", "com1", "com1b"):
        listed = (await client.get("/api/dose-reviews", headers=await token_for(user))).json()
        assert [r["id"] for r in listed] == [review_id], user
    assert (await client.get("/api/dose-reviews", headers=await token_for("vac2"))).json() == []
    review = listed[0]
    assert review["vaccine_groups"] == ["DTP", "HepB", "Hib"] and review["subject_id"] == subject
    assert {review["first"]["facility_id"], review["second"]["facility_id"]} == {
        world.facilities["F1"],
        world.facilities["F1b"],
    }
    assert review["first"]["lot_number"] == review["second"]["lot_number"] == "PA001"

    resolved = await client.post(
        f"/api/dose-reviews/{review_id}/resolve",
        json={"note": "Second dose counted invalid; repeat in 4 weeks, parents told"},
        headers={**await token_for("prov1"), "Idempotency-Key": _key()},
    )
    again = await client.post(
        f"/api/dose-reviews/{review_id}/resolve", json={"note": "again"}, headers=await token_for("vac1")
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and resolved.json()["note"].startswith("Second dose")
    assert again.status_code == 409
    assert (await client.get("/api/dose-reviews", headers=vac1)).json() == []
    assert [r["status"] for r in (await client.get("/api/dose-reviews?status=all", headers=vac1b)).json()] == [
        "resolved"
    ]
    assert await AuditEvent.count().where(AuditEvent.action.is_in(["dose_review.open", "dose_review.resolve"])) == 2


async def test_a_dose_elsewhere_the_device_had_synced_after_is_no_cross_site_conflict(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    await _receive(stock, "F1b", "penta_a", 10)
    subject = world.subjects["S1y"]
    await _sync(
        client,
        await token_for("vac1"),
        _dose(stock, "F1", _key(), given=_this_morning() - timedelta(hours=1), subject_id=subject),
    )
    # F1b's device synced after F1's dose arrived: its vaccinator could see it (the
    # engine's own check speaks then, not a review).
    answer = await _sync(
        client,
        await token_for("vac1b"),
        _dose(stock, "F1b", _key(), given=_this_morning() + timedelta(hours=1), subject_id=subject),
        last_synced_at=(clock.current().now() + timedelta(seconds=1)).isoformat(),
    )
    assert _outcomes(answer) == ["applied"] and await DoseReview.count() == 0


async def test_a_synced_dose_on_a_lot_put_on_hold_meanwhile_is_kept_and_flagged(
    client: httpx.AsyncClient, token_for: Any, world: World, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 10)
    await catalogue.set_hold(ACTOR, stock.lots["penta_a"], True)

    answer = await _sync(
        client,
        await token_for("vac1"),
        _dose(stock, "F1", _key(), given=_this_morning(), subject_id=world.subjects["S1"]),
    )

    assert _outcomes(answer) == ["conflict"]
    item = answer["items"][0]
    assert item["conflicts"] == ["lot_on_hold"] and item["answer"]["dose"]["flags"] == ["lot_on_hold"]
    assert [d["flags"] for d in await Dose.select(Dose.flags).output(load_json=True)] == [["lot_on_hold"]]
    assert await _on_hand(stock, "F1", "penta_a") == 9


async def test_the_same_batch_sent_twice_at_once_is_applied_once(
    client: httpx.AsyncClient, vac: dict[str, str], world: World, stock: Stock
) -> None:
    register = _key()
    items = [
        _registration(world, register),
        _dose(stock, "F1", _key(), given=_this_morning(), subject_key=register),
    ]
    subjects = await Subject.count()

    one, two = await asyncio.gather(
        client.post("/api/sync", json={"items": items}, headers=vac),
        client.post("/api/sync", json={"items": items}, headers=vac),
    )

    assert one.status_code == two.status_code == 200, (one.text, two.text)
    assert sorted([_outcomes(one.json()), _outcomes(two.json())]) == [
        ["already_applied", "already_applied"],
        ["applied", "applied"],
    ]
    assert await Subject.count() == subjects + 1 and await Dose.count() == 1
    assert await _on_hand(stock, "F1", "penta_a") == 9


def test_the_app_batches_exactly_the_writes_the_server_takes_in_a_batch() -> None:
    """outbox-db.js sends in batches only what POST /api/sync takes (anything else would
    come back refused ``not_batchable``), and every kind the server takes."""
    script = (REPO / "pwa" / "js" / "outbox-db.js").read_text(encoding="utf-8")
    listed = re.findall(r'\["(POST|PATCH)", /\^(.+?)\$/\]', script)
    assert [(method, path.replace("\\/", "/")) for method, path in listed] == [
        (kind.method, kind.path.pattern) for kind in KINDS
    ]


def test_every_conflict_the_server_gives_is_worded_in_both_languages() -> None:
    for lang in ("vi", "en"):
        strings = json.loads((REPO / "pwa" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        for code in ("double_dose", "lot_on_hold", "lot_expired"):
            assert f"sync.conflict.{code}" in strings
        for flag in ("lot_on_hold", "lot_expired"):
            assert f"doseReview.flag.{flag}" in strings

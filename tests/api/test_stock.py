"""The stock ledger: arithmetic, balances that hold under 50 concurrent dispensers,
shipments in transit and received with a discrepancy, offline doses below zero
flagged, reversals once, bad input refused with nothing written, and who may touch
which store.

The stock world: a province store (P1's CDC, its clerk ``clerkp``) supplying the
commune store of F1 (``clerk1``) and of F1b; a commune store of F2 in another province.
GTINs carry GS1's demo prefix 952 (docs/stock.md, "Demo data").
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from api import clock
from api.accounts.users import services as users
from api.auth.roles import Role
from api.context import Actor
from api.errors import Conflict, Invalid
from api.places import facilities
from api.stock import alerts, catalogue, open_vials, stores
from api.stock import services as ledger
from db.tables import AuditEvent, Outbox, StockBalance, StockEntry, StockEvent
from db.unit_of_work import unit_of_work
from scanning.testing.payloads import check_digit
from tests.stock_labels import label_photo
from tests.world import PASSWORD, World


def demo_gtin(item: str) -> str:
    body = "0952" + item.rjust(9, "0")
    return body + check_digit(body)


PENTA = demo_gtin("100001")  # 1-dose vials
BCG = demo_gtin("100002")  # 20-dose vials, VVM, discarded 6 h after opening
ACTOR = Actor.system("test")


@dataclass
class Stock:
    stores: dict[str, dict[str, Any]]
    products: dict[str, int]
    lots: dict[str, int]
    users: dict[str, int]


async def _lot(gtin: str, number: str, expiry: date) -> int:
    row = await catalogue.find_or_create_lot(
        ACTOR, gtin=gtin, number=number, expiry=expiry, manufacturer="Demo", field="lot"
    )
    return int(row["id"])


@pytest.fixture
async def stock(world: World) -> Stock:
    cdc = await facilities.create(
        ACTOR, code="CDC-01", name="CDC Hà Nội", kind="provincial_cdc", place_id=world.places["P1"]
    )
    world.facilities["CDC"] = cdc["id"]
    clerk = await users.create(
        ACTOR,
        username="clerkp",
        full_name="Clerkp",
        password=PASSWORD,
        role=Role.STOCK_CLERK,
        scope_facility_id=cdc["id"],
    )
    world.users["clerkp"] = clerk["id"]

    async def store(facility: str, level: Any, supplier: int | None) -> dict[str, Any]:
        row = await facilities.add_store(
            ACTOR,
            world.facilities[facility],
            name=f"Kho {facility}",
            kind="refrigerator",
            level=level,
            supplier_id=supplier,
        )
        found = await stores.get(row["stores"][-1]["id"])
        assert found is not None
        return found

    province = await store("CDC", "province", None)
    kept = {
        "P1": province,
        "F1": await store("F1", "commune", province["id"]),
        "F1b": await store("F1b", "commune", province["id"]),
        "F2": await store("F2", "commune", None),
    }
    penta = await catalogue.create_product(
        ACTOR, code="DTP-HepB-Hib", name="Pentavalent", kind="vaccine", vaccine_code="198"
    )
    bcg = await catalogue.create_product(ACTOR, code="BCG", name="BCG", kind="vaccine", vaccine_code="19")
    for gtin, product, doses, vvm, rule, hours in (
        (PENTA, penta, 1, False, "keep_28_days", None),
        (BCG, bcg, 20, True, "hours", 6),
    ):
        await catalogue.register_presentation(
            ACTOR, catalogue.PresentationIn(gtin, product["id"], doses, 50, vvm, rule, hours)
        )
    today = clock.current().today()
    lots = {
        "penta_a": await _lot(PENTA, "PA001", today + timedelta(days=400)),
        "penta_b": await _lot(PENTA, "PB002", today + timedelta(days=90)),
        "bcg": await _lot(BCG, "B7781", today + timedelta(days=200)),
    }
    return Stock(kept, {"penta": penta["id"], "bcg": bcg["id"]}, lots, world.users)


async def _receive(stock: Stock, store: str, lot: str, doses: int) -> int:
    return await ledger.receive(
        ACTOR, stock.stores[store], [ledger.ReceiptLine(doses, lot_id=stock.lots[lot])], reference="ORDER-1"
    )


async def _on_hand(stock: Stock, store: str, lot: str) -> int:
    return await ledger._on_hand(stock.stores[store]["id"], stock.lots[lot])


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_ledger_arithmetic_and_the_check(stock: Stock) -> None:
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "penta_a", 100)
    await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], doses=3, key="dose-1")
    await ledger.adjust(ACTOR, f1, "broken", stock.lots["penta_a"], 10)
    await ledger.adjust(ACTOR, f1, "found", stock.lots["penta_a"], 2)
    assert await _on_hand(stock, "F1", "penta_a") == 89
    counted = await ledger.count(ACTOR, f1, [ledger.CountLine(stock.lots["penta_a"], 80)])
    assert (await ledger.event(counted))["lines"][0]["doses"] == -9  # the variance
    assert await _on_hand(stock, "F1", "penta_a") == 80
    # A dose synced twice (same key) counts once.
    await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], key="dose-1")
    assert await _on_hand(stock, "F1", "penta_a") == 80
    assert await ledger.check() == []


async def test_the_check_finds_a_balance_that_is_not_the_sum_of_its_entries(stock: Stock) -> None:
    await _receive(stock, "F1", "penta_a", 100)
    await StockBalance.update({StockBalance.doses: 99}).where(StockBalance.store == stock.stores["F1"]["id"])
    assert await ledger.check() == [
        {"store": stock.stores["F1"]["id"], "lot": stock.lots["penta_a"], "balance": 99, "entries": 100}
    ]


async def _dispense_each_in_its_own_command(stock: Stock, dispensers: int) -> list[BaseException | int]:
    f1 = stock.stores["F1"]

    async def dispense(n: int) -> int:
        async with unit_of_work():  # one command, own transaction (own connection on PostgreSQL)
            return await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], key=f"dose-{n}")

    return await asyncio.gather(*(asyncio.create_task(dispense(n)) for n in range(dispensers)), return_exceptions=True)


async def test_fifty_concurrent_dispensers_lose_no_dose(stock: Stock) -> None:
    await _receive(stock, "F1", "penta_a", 1000)
    results = await _dispense_each_in_its_own_command(stock, 50)
    assert [r for r in results if not isinstance(r, int)] == []
    assert await _on_hand(stock, "F1", "penta_a") == 950
    assert await StockEvent.count().where(StockEvent.kind == "administered") == 50
    assert await ledger.check() == []


async def test_fifty_dispensers_on_thirty_doses_give_exactly_thirty(stock: Stock) -> None:
    await _receive(stock, "F1", "penta_a", 30)
    results = await _dispense_each_in_its_own_command(stock, 50)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 20 and all(isinstance(r, Conflict) for r in refused)
    assert await _on_hand(stock, "F1", "penta_a") == 0
    assert await ledger.check() == []


async def test_a_dose_synced_twice_at_the_same_moment_counts_once(stock: Stock) -> None:
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "penta_a", 10)

    async def sync() -> int:
        async with unit_of_work():  # two devices' syncs of one dose, each its own command
            return await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], key="twin", offline=True)

    first, second = await asyncio.gather(asyncio.create_task(sync()), asyncio.create_task(sync()))
    assert first == second
    assert await _on_hand(stock, "F1", "penta_a") == 9
    assert await StockEvent.count().where(StockEvent.kind == "administered") == 1
    assert await ledger.check() == []


async def test_a_refused_dose_inside_a_longer_command_leaves_no_trace(stock: Stock) -> None:
    """The vaccination record's transaction may catch the refusal and go on (the dose
    from another lot): the refused dose leaves no event, no entry and no audit row."""
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "penta_a", 1)
    await _receive(stock, "F1", "penta_b", 5)
    async with unit_of_work():
        with pytest.raises(Conflict, match="Only 1 doses of lot PA001"):
            await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], doses=3, key="too-many")
        await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_b"], doses=3, key="from-the-other-lot")
    assert (await _on_hand(stock, "F1", "penta_a"), await _on_hand(stock, "F1", "penta_b")) == (1, 2)
    assert await StockEvent.select(StockEvent.key).where(StockEvent.kind == "administered") == [
        {"key": "from-the-other-lot"}
    ]
    assert await AuditEvent.count().where(AuditEvent.action == "stock.administered") == 1
    assert await ledger.check() == []


async def test_a_held_or_expired_lot_is_not_given_online_but_an_offline_dose_is_kept(stock: Stock) -> None:
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "penta_a", 10)
    await catalogue.set_hold(ACTOR, stock.lots["penta_a"], True)
    with pytest.raises(Invalid, match="PA001 of DTP-HepB-Hib is on hold"):
        await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], key="held")
    await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], key="held-offline", offline=True)
    await catalogue.set_hold(ACTOR, stock.lots["penta_a"], False)
    later = clock.FixedClock(datetime.combine(clock.current().today() + timedelta(days=401), time(3), UTC))
    with clock.using(later), pytest.raises(Invalid, match="expired on"):
        await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], key="expired")
    assert await _on_hand(stock, "F1", "penta_a") == 9
    assert await ledger.check() == []


async def test_an_offline_dose_below_zero_is_kept_and_flagged_until_a_count(stock: Stock) -> None:
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "penta_a", 1)
    with pytest.raises(Conflict, match="Only 1 doses of lot PA001"):
        await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], doses=3, key="online")
    await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], doses=3, key="synced", offline=True)
    [flagged] = await ledger.balances(f1["id"], flagged=True)
    assert (flagged["lot_number"], flagged["doses"]) == ("PA001", -2)
    await ledger.count(ACTOR, f1, [ledger.CountLine(stock.lots["penta_a"], 0)])
    assert await ledger.balances(f1["id"], flagged=True) == []
    assert await ledger.check() == []


async def test_a_reversal_is_made_once_and_never_reversed(stock: Stock) -> None:
    receipt = await _receive(stock, "F1", "penta_a", 40)
    reversal = await ledger.reverse(ACTOR, stock.stores["F1"], receipt, note="typed the wrong lot")
    assert await _on_hand(stock, "F1", "penta_a") == 0
    with pytest.raises(Conflict, match="already reversed"):
        await ledger.reverse(ACTOR, stock.stores["F1"], receipt, note="again")
    with pytest.raises(Invalid, match="itself a reversal"):
        await ledger.reverse(ACTOR, stock.stores["F1"], reversal, note="undo the undo")
    assert await ledger.check() == []


async def test_fefo_and_expiring_soon(stock: Stock) -> None:
    await _receive(stock, "F1", "penta_a", 50)
    await _receive(stock, "F1", "penta_b", 20)
    picked = await ledger.suggest(stock.stores["F1"]["id"], stock.products["penta"], 30)
    assert [(p["lot_number"], p["take"]) for p in picked] == [("PB002", 20), ("PA001", 10)]
    soon = await ledger.expiring(stock.stores["F1"]["id"], 100)
    assert [row["lot_number"] for row in soon] == ["PB002"]


# --- over HTTP --------------------------------------------------------------------


async def _post(client: Any, token_for: Any, user: str, path: str, body: Any) -> Any:
    return await client.post(path, json=body, headers={**await token_for(user), **_key()})


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_shipment_in_transit_then_received_with_a_discrepancy(client: Any, token_for: Any, stock: Stock) -> None:
    province, f1 = stock.stores["P1"]["id"], stock.stores["F1"]["id"]
    await _receive(stock, "P1", "bcg", 400)
    sent = await _post(
        client,
        token_for,
        "clerkp",
        f"/api/stock/stores/{province}/shipments",
        {"to_store_id": f1, "lines": [{"lot_id": stock.lots["bcg"], "doses": 200}], "reference": "PX-7"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "in_transit"
    assert await _on_hand(stock, "P1", "bcg") == 200
    transit = await client.get(f"/api/stock/stores/{f1}/in-transit", headers=await token_for("clerk1"))
    assert [s["id"] for s in transit.json()] == [sent.json()["id"]]
    received = await _post(
        client,
        token_for,
        "clerk1",
        f"/api/stock/stores/{f1}/shipment-receipts",
        {
            "shipment_id": sent.json()["id"],
            "lines": [{"lot_id": stock.lots["bcg"], "doses": 180, "discrepancy": "damaged", "vvm_stage": 2}],
        },
    )
    assert received.status_code == 201, received.text
    assert received.json()["lines"] == [
        {
            "lot_id": stock.lots["bcg"],
            "doses": 180,
            "vvm_stage": 2,
            "expected_doses": 200,
            "discrepancy": "damaged",
            "counted_doses": None,
        }
    ]
    assert await _on_hand(stock, "F1", "bcg") == 180
    [balance] = (await client.get(f"/api/stock/stores/{f1}/balances", headers=await token_for("clerk1"))).json()
    assert (balance["doses"], balance["vials"]) == (180, 9)
    again = await _post(
        client, token_for, "clerk1", f"/api/stock/stores/{f1}/shipment-receipts", {"shipment_id": sent.json()["id"]}
    )
    assert again.status_code == 409 and "already received" in again.json()["error"]["message"]
    assert (await client.get(f"/api/stock/stores/{f1}/in-transit", headers=await token_for("clerk1"))).json() == []


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_issuing_more_than_on_hand_is_409_and_writes_nothing(client: Any, token_for: Any, stock: Stock) -> None:
    province = stock.stores["P1"]["id"]
    await _receive(stock, "P1", "penta_a", 10)
    await _receive(stock, "P1", "penta_b", 10)
    events = await StockEvent.count()
    audit_rows = await AuditEvent.count()
    answer = await _post(
        client,
        token_for,
        "clerkp",
        f"/api/stock/stores/{province}/shipments",
        {
            "to_store_id": stock.stores["F1"]["id"],
            "lines": [
                # penta_a (the lower id) fits and is moved first: the refusal of penta_b undoes it.
                {"lot_id": stock.lots["penta_b"], "doses": 11},
                {"lot_id": stock.lots["penta_a"], "doses": 5},
            ],
        },
    )
    assert answer.status_code == 409
    message = answer.json()["error"]["message"]
    assert message.startswith("Only 10 doses of lot PB002 (DTP-HepB-Hib) are on hand, 11 asked")
    assert await _on_hand(stock, "P1", "penta_a") == 10
    assert (await StockEvent.count(), await AuditEvent.count()) == (events, audit_rows)


def _receipt(line: dict[str, Any]) -> dict[str, Any]:
    return {"lines": [line], "reference": "SSCC-1"}


@pytest.mark.parametrize(
    ("line", "status", "says"),
    [
        ({"doses": 0, "lot_id": 1}, 400, "doses"),
        ({"doses": -5, "lot_id": 1}, 400, "doses"),
        (
            {
                "doses": 5,
                "gtin": PENTA[:-1] + str((int(PENTA[-1]) + 1) % 10),
                "lot_number": "X1",
                "expiry": "2030-01-31",
            },
            422,
            "check digit",
        ),
        ({"doses": 5, "gtin": PENTA, "lot_number": "OLD1", "expiry": "2020-01-31"}, 422, "expired on 2020-01-31"),
        ({"doses": 5, "lot_id": "bcg", "gtin": PENTA}, 422, "is a lot of BCG, not of DTP-HepB-Hib"),
        ({"doses": 5, "lot_id": "bcg", "vvm_stage": 5}, 400, "vvm_stage"),
        ({"doses": 5, "lot_id": "penta_a", "vvm_stage": 2}, 422, "carries no VVM"),
    ],
    ids=["zero", "negative", "gtin-check-digit", "expired-lot", "lot-of-another-product", "vvm-stage-5", "no-vvm"],
)
@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_bad_receipts_are_refused_with_nothing_written(
    client: Any, token_for: Any, stock: Stock, line: dict[str, Any], status: int, says: str
) -> None:
    if isinstance(line.get("lot_id"), str):
        line = {**line, "lot_id": stock.lots[line["lot_id"]]}
    before = (await StockEvent.count(), await AuditEvent.count())
    f1 = stock.stores["F1"]["id"]
    answer = await _post(client, token_for, "clerk1", f"/api/stock/stores/{f1}/receipts", _receipt(line))
    assert answer.status_code == status, answer.text
    assert says in answer.json()["error"]["message"]
    assert (await StockEvent.count(), await AuditEvent.count()) == before


async def test_a_retried_receipt_is_written_once(client: Any, token_for: Any, stock: Stock) -> None:
    f1 = stock.stores["F1"]["id"]
    headers = {**await token_for("clerk1"), **_key()}
    body = _receipt({"doses": 50, "gtin": PENTA, "lot_number": "nx9", "expiry": "2031-05-31"})
    first = await client.post(f"/api/stock/stores/{f1}/receipts", json=body, headers=headers)
    second = await client.post(f"/api/stock/stores/{f1}/receipts", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    lot_id = first.json()["lines"][0]["lot_id"]
    assert (await catalogue.lot(lot_id))["number"] == "NX9"
    assert await ledger._on_hand(f1, lot_id) == 50


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_a_reversal_of_a_reversal_is_refused_over_http(client: Any, token_for: Any, stock: Stock) -> None:
    f1 = stock.stores["F1"]["id"]
    receipt = await _receive(stock, "F1", "penta_a", 5)
    first = await _post(
        client, token_for, "clerk1", f"/api/stock/stores/{f1}/reversals", {"event_id": receipt, "note": "wrong lot"}
    )
    assert first.status_code == 201, first.text
    again = await _post(
        client, token_for, "clerk1", f"/api/stock/stores/{f1}/reversals", {"event_id": first.json()["id"], "note": "x"}
    )
    assert again.status_code == 422 and "is itself a reversal" in again.json()["error"]["message"]


async def test_an_officer_registers_a_scanned_gtin_and_a_clerk_may_not(
    client: Any, token_for: Any, stock: Stock
) -> None:
    body = {
        "gtin": demo_gtin("100003"),
        "product_id": stock.products["penta"],
        "doses_per_vial": 10,
        "vials_per_carton": 100,
        "has_vvm": True,
        "open_vial_rule": "keep_28_days",
    }
    refused = await _post(client, token_for, "clerk1", "/api/stock/presentations", body)
    assert refused.status_code == 403
    made = await _post(client, token_for, "prov1", "/api/stock/presentations", body)
    assert made.status_code == 201, made.text
    looked_up = await client.get(f"/api/stock/presentations/{body['gtin']}", headers=await token_for("clerk1"))
    assert looked_up.json()["doses_per_vial"] == 10


# Who may do what on which store: (route, method, body builder) × caller → status.
READS = [
    "balances",
    "events",
    "in-transit",
    "expiring",
    "suggest?product_id=1&doses=1",
    "levels",
    "supplied",
    "open-vials",
    "",
]


def _writes(stock: Stock, receipt: int, shipment: int) -> list[tuple[str, dict[str, Any]]]:
    penta = stock.lots["penta_a"]
    return [
        ("reversals", {"event_id": receipt, "note": "wrong lot"}),
        ("shipment-receipts", {"shipment_id": shipment}),
        ("receipts", {"lines": [{"lot_id": penta, "doses": 5}]}),
        ("shipments", {"to_store_id": stock.stores["F1b"]["id"], "lines": [{"lot_id": penta, "doses": 1}]}),
        ("adjustments", {"reason": "found", "lot_id": penta, "doses": 1}),
        ("counts", {"lines": [{"lot_id": penta, "counted_doses": 3}]}),
    ]


@pytest.mark.parametrize(
    ("user", "store", "reads", "writes"),
    [
        ("clerk1", "F1", 200, 201),  # their own store
        ("clerk1", "F1b", 404, 404),  # another facility's store
        ("clerk1", "P1", 404, 404),  # their supplier's store is not theirs
        ("vac1", "F1", 200, 403),  # reads the stock, does not keep the card
        ("com1", "F1", 200, 403),  # an officer reads their area
        ("com1", "F1b", 404, 403),  # another commune
        ("prov1", "F1b", 200, 403),
        ("prov1", "F2", 404, 403),  # another province
        ("admin", "F2", 200, 403),
        ("parent1", "F1", 403, 403),
    ],
)
async def test_scope_of_every_store_route(
    client: Any, token_for: Any, stock: Stock, user: str, store: str, reads: int, writes: int
) -> None:
    store_id = stock.stores[store]["id"]
    receipt = await _receive(stock, store, "penta_a", 10)
    source = "F1b" if store != "F1b" else "F1"
    await _receive(stock, source, "penta_a", 1)
    shipment = await ledger.ship(ACTOR, stock.stores[source], store_id, [ledger.ShipLine(stock.lots["penta_a"], 1)])
    headers = await token_for(user)
    for route in READS:
        answer = await client.get(f"/api/stock/stores/{store_id}/{route}".rstrip("/"), headers=headers)
        assert answer.status_code == reads, (route, answer.text)
    for route, body in _writes(stock, receipt, shipment):
        answer = await client.post(f"/api/stock/stores/{store_id}/{route}", json=body, headers={**headers, **_key()})
        assert answer.status_code == writes, (route, answer.text)
    listed = await client.get("/api/stock/stores", headers=headers)
    if reads == 200:
        assert store_id in [s["id"] for s in listed.json()]
    elif listed.status_code == 200:
        assert store_id not in [s["id"] for s in listed.json()]


async def test_falling_below_min_alerts_the_clerks_once_per_crossing(stock: Stock) -> None:
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "penta_a", 30)
    await alerts.set_level(ACTOR, f1, stock.products["penta"], unit="doses", min_level=20, max_level=200)
    assert await alerts.listing(f1["id"]) == []
    # Fifteen doses at once: the stock crosses min once (at 19), so one alert, not one per dose.
    await _dispense_each_in_its_own_command(stock, 15)
    [alert] = await alerts.listing(f1["id"])
    assert alert["kind"] == "below_min" and "19 doses on hand, below the minimum of 20" in alert["message"]
    recipients = await Outbox.select(Outbox.recipient).where(Outbox.reference == f"stock_alert:{alert['id']}")
    clerks = {f"account:{stock.users['clerk1']}", f"account:{stock.users['clerkp']}"}
    assert {r["recipient"] for r in recipients} == clerks  # the store's clerk and its supplier's
    await _receive(stock, "F1", "penta_b", 10)  # back above min: re-armed
    await ledger.adjust(ACTOR, f1, "broken", stock.lots["penta_b"], 10)  # below again: a second crossing
    assert [a["kind"] for a in await alerts.listing(f1["id"])] == ["below_min", "below_min"]


async def test_the_clerk_s_screen_reads_vvm_below_min_and_where_to_ship(
    client: Any, token_for: Any, stock: Stock
) -> None:
    """What the stock-on-hand and ship screens show: the VVM stage last read per lot,
    each product's min and whether it is below, the stores this one supplies."""
    p1 = stock.stores["P1"]
    await ledger.receive(ACTOR, p1, [ledger.ReceiptLine(400, lot_id=stock.lots["bcg"], vvm_stage=1)])
    await ledger.count(ACTOR, p1, [ledger.CountLine(stock.lots["bcg"], 400, vvm_stage=2)])
    await _receive(stock, "P1", "penta_a", 30)
    await alerts.set_level(ACTOR, p1, stock.products["penta"], unit="doses", min_level=50, max_level=500)
    headers = await token_for("clerkp")
    base = f"/api/stock/stores/{p1['id']}"
    balances = {b["lot_number"]: b for b in (await client.get(f"{base}/balances", headers=headers)).json()}
    assert (balances["B7781"]["has_vvm"], balances["B7781"]["vvm_stage"]) == (True, 2)  # the count's, not the receipt's
    assert (balances["PA001"]["has_vvm"], balances["PA001"]["vvm_stage"]) == (False, None)
    [level] = (await client.get(f"{base}/levels", headers=headers)).json()
    assert (level["product_id"], level["below_min"], level["min_doses"]) == (stock.products["penta"], True, 50)
    supplied = (await client.get(f"{base}/supplied", headers=headers)).json()
    assert [s["id"] for s in supplied] == [stock.stores["F1"]["id"], stock.stores["F1b"]["id"]]


async def test_a_lot_nearing_expiry_is_alerted_once(stock: Stock) -> None:
    await _receive(stock, "F1", "penta_b", 20)  # expires in 90 days
    await _receive(stock, "F1", "penta_a", 20)  # in 400
    assert await alerts.raise_expiry_alerts(100) == 1
    assert await alerts.raise_expiry_alerts(100) == 0
    [alert] = await alerts.listing(stock.stores["F1"]["id"])
    assert alert["lot_id"] == stock.lots["penta_b"] and "PB002" in alert["message"]


async def test_on_hand_report_of_an_area_and_its_csv(client: Any, token_for: Any, stock: Stock) -> None:
    await _receive(stock, "P1", "bcg", 400)
    await _receive(stock, "F1", "penta_a", 25)
    await _receive(stock, "F2", "penta_a", 7)  # another province
    report = await client.get("/api/stock/reports/on-hand", headers=await token_for("prov1"))
    assert [(r["level"], r["product_code"], r["doses"], r["vials"]) for r in report.json()] == [
        ("commune", "DTP-HepB-Hib", 25, 25),
        ("province", "BCG", 400, 20),
    ]
    clerk = await client.get("/api/stock/reports/on-hand?format=csv", headers=await token_for("clerk1"))
    assert clerk.headers["content-type"].startswith("text/csv")
    lines = clerk.text.splitlines()
    assert lines[0].startswith("level,store_id,store_name") and len(lines) == 2 and ",PA001," in lines[1]
    outside = await client.get(
        f"/api/stock/reports/on-hand?place_id={stock.stores['F2']['place_id']}", headers=await token_for("prov1")
    )
    assert outside.status_code == 404


async def test_on_hand_report_pages_follow_each_other(client: Any, token_for: Any, stock: Stock) -> None:
    for store in ("P1", "F1", "F1b"):
        for lot in ("penta_a", "penta_b", "bcg"):
            await _receive(stock, store, lot, 40)
    headers = await token_for("prov1")
    whole = (await client.get("/api/stock/reports/on-hand", headers=headers)).json()
    assert len(whole) == 9
    pages: list[list[dict[str, Any]]] = []
    link = "/api/stock/reports/on-hand?stores=2"
    while link:
        answer = await client.get(link, headers=headers)
        pages.append(answer.json())
        found = re.match(r'<([^>]+)>; rel="next"', answer.headers.get("link", ""))
        link = found[1] if found else ""
    # Two stores a page, each with all its lots: nothing missed, nothing twice, in order.
    assert [len({row["store_id"] for row in page}) for page in pages] == [2, 1]
    assert [row for page in pages for row in page] == whole
    too_many = await client.get("/api/stock/reports/on-hand?stores=100000", headers=headers)
    assert too_many.status_code == 400


async def _scanned(client: Any, token_for: Any, picture: bytes) -> list[dict[str, Any]]:
    answer = await client.post(
        "/api/scan", content=picture, headers={**await token_for("clerk1"), "content-type": "image/jpeg"}
    )
    assert answer.status_code == 200, answer.text
    return [code["payload"] for code in answer.json()["codes"]]


@pytest.mark.slow
async def test_receiving_by_photo_of_a_carton_with_its_sscc_and_of_a_vial(
    client: Any, token_for: Any, stock: Stock
) -> None:
    f1 = stock.stores["F1"]["id"]
    sscc = "0952000000000001" + "0"
    sscc = sscc[:17] + check_digit(sscc[:17])
    await _receive(stock, "P1", "bcg", 400)
    shipment = await ledger.ship(
        ACTOR, stock.stores["P1"], f1, [ledger.ShipLine(stock.lots["bcg"], 200)], reference=sscc
    )
    expiry = clock.current().today() + timedelta(days=300)
    yymmdd = expiry.strftime("%y%m%d")
    # The carton: its SSCC and a content label (contained GTIN, expiry, 10 vials, lot).
    carton = label_photo([f"(02){BCG}(17){yymmdd}(37)10(10)B7781", f"(00){sscc}"], "Code128", 11)
    codes = await _scanned(client, token_for, carton)
    assert {c.get("sscc") for c in codes} >= {sscc}
    url = f"/api/stock/stores/{f1}/receipt-proposals"
    answer = await _post(client, token_for, "clerk1", url, {"codes": codes})
    assert answer.status_code == 200, answer.text
    proposal = answer.json()
    # The SSCC names the shipment on its way: all its lines, to confirm or correct.
    assert proposal["shipment_id"] == shipment
    assert [(line["lot_number"], line["doses"]) for line in proposal["lines"]] == [("B7781", 200)]
    # A vial of a lot never seen: its DataMatrix gives GTIN, expiry and lot.
    vial = label_photo([f"(01){PENTA}(17){yymmdd}(10)NEW42"], "DataMatrix", 12)
    codes = await _scanned(client, token_for, vial)
    proposal = (await _post(client, token_for, "clerk1", url, {"codes": codes * 2})).json()  # two photos
    assert proposal["shipment_id"] is None
    [line] = proposal["lines"]
    assert (line["gtin"], line["lot_id"], line["lot_number"], line["expiry"], line["doses"]) == (
        PENTA,
        None,
        "NEW42",
        expiry.isoformat(),
        1,
    )
    # The clerk corrects the quantity (a box of 50 such vials) and confirms.
    confirmed = await _post(
        client,
        token_for,
        "clerk1",
        f"/api/stock/stores/{f1}/receipts",
        {"lines": [{**{k: line[k] for k in ("gtin", "lot_number", "expiry")}, "doses": 50}]},
    )
    assert confirmed.status_code == 201, confirmed.text


# --- open vials --------------------------------------------------------------------

OPV = demo_gtin("100003")  # 20-dose vials kept up to 28 days (WHO multi-dose vial policy)


async def _opv_lot(stock: Stock) -> int:
    opv = await catalogue.create_product(ACTOR, code="bOPV", name="Oral polio", kind="vaccine", vaccine_code="178")
    await catalogue.register_presentation(ACTOR, catalogue.PresentationIn(OPV, opv["id"], 20, 50, True, "keep_28_days"))
    return await _lot(OPV, "OP123", clock.current().today() + timedelta(days=300))


async def _wasted(stock: Stock, store: str) -> list[int]:
    """The doses of each open-vial discard at the store, oldest first."""
    rows = (
        await StockEntry.select(StockEntry.doses)
        .where((StockEntry.store == stock.stores[store]["id"]) & (StockEntry.event.reason == "open_vial_discard"))
        .order_by(StockEntry.id)
    )
    return [-row["doses"] for row in rows]


async def test_open_vial_wastage_at_session_close(client: Any, token_for: Any, stock: Stock) -> None:
    """A BCG vial (20 doses, 6 hours) opened at a session, 3 doses given from it: closing
    the session writes off the 17 left as open-vial wastage, once."""
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "bcg", 40)
    vaccinator = await token_for("vac1")
    opened = await client.post(
        f"/api/stock/stores/{f1['id']}/open-vials",
        json={"lot_id": stock.lots["bcg"], "session": "2026-12-01-morning"},
        headers={**vaccinator, **_key()},
    )
    assert opened.status_code == 201, opened.text
    vial = opened.json()
    assert (vial["doses"], vial["given"], vial["rule"], vial["open"]) == (20, 0, "hours", True)
    for n in range(3):
        await ledger.record_doses_administered(ACTOR, f1, stock.lots["bcg"], key=f"bcg-{n}")
    assert [
        v["given"] for v in (await client.get(f"/api/stock/stores/{f1['id']}/open-vials", headers=vaccinator)).json()
    ] == [3]
    close = {"session": "2026-12-01-morning"}
    closed = await client.post(
        f"/api/stock/stores/{f1['id']}/sessions/close", json=close, headers={**vaccinator, **_key()}
    )
    assert closed.status_code == 200, closed.text
    assert [(v["closed_by"], v["wasted"]) for v in closed.json()] == [("session", 17)]
    assert await _on_hand(stock, "F1", "bcg") == 20  # 40 − 3 given − 17 wasted
    again = await client.post(
        f"/api/stock/stores/{f1['id']}/sessions/close", json=close, headers={**vaccinator, **_key()}
    )
    assert again.json() == [] and await _wasted(stock, "F1") == [17]
    assert (await client.get(f"/api/stock/stores/{f1['id']}/open-vials", headers=vaccinator)).json() == []
    assert await ledger.check() == []


async def test_28_day_vials_outlive_the_session_and_the_nightly_job_discards_what_expired(stock: Stock) -> None:
    f1 = stock.stores["F1"]
    opv = await _opv_lot(stock)
    await ledger.receive(ACTOR, f1, [ledger.ReceiptLine(100, lot_id=opv, vvm_stage=1)])
    await _receive(stock, "F1", "bcg", 40)
    kept = await open_vials.open_vial(ACTOR, f1, opv, session="s1")
    bcg = await open_vials.open_vial(ACTOR, f1, stock.lots["bcg"], session="s1")  # nobody closes s1
    await ledger.record_doses_administered(ACTOR, f1, opv, doses=2, key="opv-1", vial_id=kept["id"])
    await ledger.record_doses_administered(ACTOR, f1, stock.lots["bcg"], doses=5, key="bcg-1")
    assert await open_vials.close_due(ACTOR) == 0  # nothing due yet
    now = clock.current().now()
    with clock.using(clock.FixedClock(now + timedelta(hours=7))):
        assert await open_vials.close_due(ACTOR) == 1  # BCG: 6 hours after opening
        assert await open_vials.close_due(ACTOR) == 0  # run twice: nothing more
    assert await open_vials.close_session(ACTOR, f1, "s1") == []  # the 28-day vial stays open
    with clock.using(clock.FixedClock(now + timedelta(days=29))):
        assert await open_vials.close_due(ACTOR) == 1
    assert [
        (v["closed_by"], v["given"], v["wasted"])
        for v in [await open_vials.vial(bcg["id"]), await open_vials.vial(kept["id"])]
    ] == [
        ("expired", 5, 15),
        ("expired", 2, 18),
    ]
    assert await _on_hand(stock, "F1", "bcg") == 20 and await ledger._on_hand(f1["id"], opv) == 80
    assert await ledger.check() == []


async def test_doses_from_one_vial_at_once_never_count_past_its_doses(stock: Stock) -> None:
    """25 vaccinators at once on one open BCG vial of 20: 20 counted against it, 5 doses
    kept but counted against no vial (each its own transaction, both engines)."""
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "bcg", 100)
    vial = await open_vials.open_vial(ACTOR, f1, stock.lots["bcg"], session="s")

    async def give(n: int) -> int:
        async with unit_of_work():
            return await ledger.record_doses_administered(ACTOR, f1, stock.lots["bcg"], key=f"v-{n}")

    results = await asyncio.gather(*(asyncio.create_task(give(n)) for n in range(25)), return_exceptions=True)
    assert [r for r in results if not isinstance(r, int)] == []
    assert (await open_vials.vial(vial["id"]))["given"] == 20
    closed = await open_vials.discard(ACTOR, f1, vial["id"])
    assert (closed["closed_by"], closed["wasted"], closed["discard_event_id"]) == ("discarded", 0, None)
    assert await _on_hand(stock, "F1", "bcg") == 75
    with pytest.raises(Conflict, match="already closed"):
        await open_vials.discard(ACTOR, f1, vial["id"])
    assert await ledger.check() == []


@pytest.mark.usefixtures("english_stock")  # checks the words as raised
async def test_bad_vial_openings_are_refused_and_a_retry_opens_one_vial(
    client: Any, token_for: Any, stock: Stock
) -> None:
    f1 = stock.stores["F1"]["id"]
    vaccinator = await token_for("vac1")
    path = f"/api/stock/stores/{f1}/open-vials"
    bcg = {"lot_id": stock.lots["bcg"], "session": "s"}
    none_on_hand = await client.post(path, json=bcg, headers={**vaccinator, **_key()})
    assert none_on_hand.status_code == 409 and "B7781" in none_on_hand.json()["error"]["message"]
    single = await client.post(path, json={"lot_id": stock.lots["penta_a"]}, headers={**vaccinator, **_key()})
    assert single.status_code == 422 and "single-dose" in single.json()["error"]["message"]
    await _receive(stock, "F1", "bcg", 20)
    key = _key()
    first = await client.post(path, json=bcg, headers={**vaccinator, **key})
    retry = await client.post(path, json=bcg, headers={**vaccinator, **key})
    assert first.status_code == retry.status_code == 201 and first.json()["id"] == retry.json()["id"]
    assert len((await client.get(path, headers=vaccinator)).json()) == 1
    for user, status in (("com1", 403), ("vac1b", 404), ("clerk1", 201)):
        answer = await client.post(path, json=bcg, headers={**await token_for(user), **_key()})
        assert answer.status_code == status, (user, answer.text)
    close = f"/api/stock/stores/{f1}/sessions/close"
    blank = await client.post(close, json={"session": " "}, headers={**vaccinator, **_key()})
    assert blank.status_code == 422


async def test_usage_report_gives_consumption_and_the_wastage_rate_by_reason(
    client: Any, token_for: Any, stock: Stock
) -> None:
    """BCG at F1: 40 received, a vial of 20 opened, 3 given, the session closed (17
    wasted), 2 doses broken: issued 22, administered 3, wastage (22 − 3) ÷ 22."""
    f1 = stock.stores["F1"]
    await _receive(stock, "F1", "bcg", 40)
    await _receive(stock, "F1", "penta_a", 10)
    await open_vials.open_vial(ACTOR, f1, stock.lots["bcg"], session="s")
    for n in range(3):
        await ledger.record_doses_administered(ACTOR, f1, stock.lots["bcg"], key=f"u-{n}")
    await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], doses=4, key="u-penta")
    await open_vials.close_session(ACTOR, f1, "s")
    await ledger.adjust(ACTOR, f1, "broken", stock.lots["bcg"], 2)
    await ledger.adjust(ACTOR, f1, "found", stock.lots["bcg"], 1)  # found is no use
    await _receive(stock, "F2", "bcg", 20)
    await ledger.record_doses_administered(ACTOR, stock.stores["F2"], stock.lots["bcg"], key="other-province")
    today = clock.current().today()
    month = today.strftime("%Y-%m")
    answer = await client.get(
        f"/api/stock/reports/usage?since={today.replace(day=1)}&until={today}", headers=await token_for("prov1")
    )
    assert answer.status_code == 200, answer.text
    rows = {(r["store_id"], r["product_code"], r["month"]): r for r in answer.json()}
    assert set(rows) == {(f1["id"], "BCG", month), (f1["id"], "DTP-HepB-Hib", month)}  # not F2: another province
    bcg = rows[(f1["id"], "BCG", month)]
    assert (bcg["administered"], bcg["wasted"], bcg["issued"]) == (3, 19, 22)
    assert bcg["wasted_by_reason"] == {"open_vial_discard": 17, "broken": 2}
    assert bcg["wastage_rate"] == round(19 / 22, 4)
    assert rows[(f1["id"], "DTP-HepB-Hib", month)]["wastage_rate"] == 0
    earlier = await client.get(
        f"/api/stock/reports/usage?since={today - timedelta(days=60)}&until={today - timedelta(days=31)}",
        headers=await token_for("clerk1"),
    )
    assert earlier.json() == []
    backwards = await client.get(
        f"/api/stock/reports/usage?since={today}&until={today - timedelta(days=1)}", headers=await token_for("prov1")
    )
    assert backwards.status_code == 422


def _on(day: date) -> clock.FixedClock:
    """Noon in Vietnam on ``day``."""
    return clock.FixedClock(datetime.combine(day, time(5), UTC))


async def test_usage_report_counts_stock_out_days_and_exports_them_for_one_commune(
    client: Any, token_for: Any, stock: Stock
) -> None:
    """Ten days to today. Pentavalent at F1: 5 doses before the period, all 5 given on its
    3rd day, 10 received on its 7th: out of stock from the 3rd to the 6th (4 days). BCG at
    F1: a min set a month before, never stocked: out every day (10). BCG at F1b: first
    received on the 9th day, never out. Before any of it: nothing (the min was not set)."""
    today = clock.current().today()
    since = today - timedelta(days=9)
    f1 = stock.stores["F1"]
    with clock.using(_on(since - timedelta(days=5))):
        await _receive(stock, "F1", "penta_a", 5)
    with clock.using(_on(since + timedelta(days=2))):
        await ledger.record_doses_administered(ACTOR, f1, stock.lots["penta_a"], doses=5, key="all-of-it")
    with clock.using(_on(since + timedelta(days=6))):
        await _receive(stock, "F1", "penta_a", 10)
    with clock.using(_on(since + timedelta(days=8))):
        await _receive(stock, "F1b", "bcg", 20)
    with clock.using(_on(since - timedelta(days=30))):
        await alerts.set_level(ACTOR, f1, stock.products["bcg"], unit="doses", min_level=10, max_level=100)
    officer = await token_for("prov1")
    period = f"since={since}&until={today}"
    answer = await client.get(f"/api/stock/reports/usage?{period}", headers=officer)
    assert answer.status_code == 200, answer.text
    out: dict[tuple[str, str], int] = {}
    given: dict[tuple[str, str], int] = {}
    for row in answer.json():
        key = (row["store_name"], row["product_code"])
        out[key] = out.get(key, 0) + row["stockout_days"]
        given[key] = given.get(key, 0) + row["administered"]
    assert out == {("Kho F1", "DTP-HepB-Hib"): 4, ("Kho F1", "BCG"): 10}
    assert given == {("Kho F1", "DTP-HepB-Hib"): 5, ("Kho F1", "BCG"): 0}
    # The same report for one commune (Ba Đình: F1 only), as a spreadsheet.
    sheet = await client.get(f"/api/stock/reports/usage?{period}&place_id={f1['place_id']}&format=csv", headers=officer)
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    header, *lines = sheet.text.splitlines()
    assert header.split(",")[-3:] == ["issued", "wastage_rate", "stockout_days"]
    assert "wasted_broken" in header.split(",") and "wasted_found" not in header.split(",")
    assert {line.split(",")[2] for line in lines} == {str(f1["facility_id"])}
    assert sum(int(line.split(",")[-1]) for line in lines if ",BCG," in line) == 10
    earlier = since - timedelta(days=60)
    before = await client.get(f"/api/stock/reports/usage?since={earlier}&until={earlier}", headers=officer)
    assert before.json() == []
    outside = await client.get(f"/api/stock/reports/usage?{period}&place_id={999_999}", headers=officer)
    assert outside.status_code == 404


async def test_a_product_below_min_never_stocked_raises_and_lists_its_alert(
    client: Any, token_for: Any, stock: Stock
) -> None:
    f1 = stock.stores["F1"]["id"]
    clerk = await token_for("clerk1")
    answer = await client.put(
        f"/api/stock/stores/{f1}/levels/{stock.products['bcg']}",
        json={"unit": "doses", "min_level": 40, "max_level": 200},
        headers={**clerk, **_key()},
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["below_min"], answer.json()["product_code"]) == (True, "BCG")
    listed = (await client.get(f"/api/stock/stores/{f1}/alerts", headers=clerk)).json()
    assert [(a["kind"], a["product_id"], a["doses"]) for a in listed] == [("below_min", stock.products["bcg"], 0)]
    levels = (await client.get(f"/api/stock/stores/{f1}/levels", headers=clerk)).json()
    assert [(lv["product_code"], lv["below_min"]) for lv in levels] == [("BCG", True)]

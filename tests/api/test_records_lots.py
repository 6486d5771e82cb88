"""``GET /api/doses/lots``: the lots the dose screen offers a vaccinator — their own
facility's, on hand, first expiry first, never an expired or held one — each with the
schedule's vaccine code and route, so one tap on a lot fills the dose."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from api import clock
from api.stock import catalogue
from db.tables import AuditEvent, StockLot
from tests.api.test_stock import ACTOR, Stock, _lot, _receive, demo_gtin


async def test_the_vaccinator_is_offered_their_own_usable_lots_first_expiry_first(
    client: httpx.AsyncClient, token_for: Any, stock: Stock
) -> None:
    for lot in ("penta_a", "penta_b", "bcg"):
        await _receive(stock, "F1", lot, 20)
    await _receive(stock, "F2", "penta_a", 5)  # another facility's: never offered at F1
    vac = await token_for("vac1")

    offered = (await client.get("/api/doses/lots", headers=vac)).json()

    assert [(lot["lot_number"], lot["vaccine_code"], lot["route"]) for lot in offered] == [
        ("PB002", "198", "IM"),  # expires in 90 days: first out
        ("B7781", "19", "ID"),
        ("PA001", "198", "IM"),
    ]
    assert {lot["store_id"] for lot in offered} == {stock.stores["F1"]["id"]}
    assert offered[0]["doses"] == 20

    # A lot held everywhere, or past its expiry, is not offered any more.
    await catalogue.set_hold(ACTOR, stock.lots["penta_a"], True)
    yesterday = clock.current().today() - timedelta(days=1)
    await StockLot.update({StockLot.expiry: yesterday}).where(StockLot.id == stock.lots["penta_b"])
    left = (await client.get("/api/doses/lots", headers=vac)).json()
    assert [lot["lot_number"] for lot in left] == ["B7781"]


async def test_an_officer_is_offered_no_lot_and_a_clerk_or_a_parent_may_not_ask(
    client: httpx.AsyncClient, token_for: Any, stock: Stock
) -> None:
    await _receive(stock, "F1", "penta_a", 20)
    officer = await client.get("/api/doses/lots", headers=await token_for("com1"))
    assert officer.status_code == 200 and officer.json() == []  # officers record historical doses only
    clerk = await client.get("/api/doses/lots", headers=await token_for("clerk1"))
    assert clerk.status_code == 403
    parent = await client.get("/api/doses/lots", headers=await token_for("parent1"))
    assert parent.status_code == 403


async def test_a_lot_is_offered_as_the_vaccine_its_product_names_and_an_officer_links_one(
    client: httpx.AsyncClient, token_for: Any, stock: Stock
) -> None:
    """Offered by the stock product's link to the schedule, not by its name: a vaccine
    product named like the EPI's measles-rubella but not linked is not offered until an
    officer names its vaccine code."""
    product = await catalogue.create_product(ACTOR, code="MR", name="Sởi - Rubella", kind="vaccine")
    gtin = demo_gtin("100777")
    await catalogue.register_presentation(
        ACTOR, catalogue.PresentationIn(gtin, product["id"], 10, 50, True, "session", None)
    )
    lot = await _lot(gtin, "MR777", clock.current().today() + timedelta(days=300))
    stock.lots["mr"] = lot
    await _receive(stock, "F1", "mr", 50)
    vac = await token_for("vac1")
    assert "MR777" not in [row["lot_number"] for row in (await client.get("/api/doses/lots", headers=vac)).json()]

    officer = await token_for("prov1")
    path = f"/api/stock/products/{product['id']}"
    for body, status in (
        ({"vaccine_code": "04"}, 200),
        ({"vaccine_code": "04"}, 200),  # again: nothing changes, nothing more in the log
        ({"vaccine_code": "NO-SUCH"}, 422),
    ):
        answer = await client.patch(path, json=body, headers=officer)
        assert answer.status_code == status, answer.text
    # Who linked it and from what is in the audit log, once.
    logged = await (
        AuditEvent.select(AuditEvent.actor_name, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.action == "stock.product.vaccine")
        .output(load_json=True)
    )
    assert logged == [{"actor_name": "prov1", "before": {"vaccine_code": ""}, "after": {"vaccine_code": "04"}}]
    assert (await client.patch(path, json={"vaccine_code": "05"}, headers=await token_for("clerk1"))).status_code == 403
    listed = {row["code"]: row["vaccine_code"] for row in (await client.get("/api/stock/products", headers=vac)).json()}
    assert listed == {"MR": "04", "BCG": "19", "DTP-HepB-Hib": "198"}
    offered = {row["lot_number"]: row for row in (await client.get("/api/doses/lots", headers=vac)).json()}
    assert (offered["MR777"]["vaccine_code"], offered["MR777"]["route"]) == ("04", "SC")

    syringe = await client.post(
        "/api/stock/products",
        json={"code": "AD-0.5", "name": "Syringe", "kind": "syringe", "vaccine_code": "04"},
        headers=officer,
    )
    assert syringe.status_code == 422 and "Chỉ vắc xin" in syringe.json()["error"]["message"]

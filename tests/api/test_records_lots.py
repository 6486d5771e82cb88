"""``GET /api/doses/lots``: the lots the dose screen offers a vaccinator — their own
facility's, on hand, first expiry first, never an expired or held one — each with the
schedule's vaccine code and route, so one tap on a lot fills the dose."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from api import clock
from api.stock import catalogue
from db.tables import StockLot
from tests.api.test_stock import ACTOR, Stock, _receive


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

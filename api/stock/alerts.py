"""Min/max per store × product, and alerts raised once per crossing.

Falling below min (in doses, or months of the average monthly consumption) raises one
alert; the level row remembers the stock is below min, and only the transaction that
flips it (one conditional ``UPDATE … WHERE below_min = false``) writes the alert, so
fifty dispensers crossing at once raise one. Climbing back to min re-arms it. A lot
entering its last ``EXPIRY_DAYS`` raises one alert per store × lot (a daily job). Each
alert goes to the outbox for the clerks of the store and of its supplying store in the
transaction that raised it; until delivery exists they are listed by the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Literal

from api import clock
from api.audit import services as audit
from api.auth.roles import Role
from api.context import Actor
from api.errors import Invalid
from api.stock import catalogue, stores
from db.tables import Account, StockAlert, StockBalance, StockLevel, StockLot, Store
from db.unit_of_work import unit_of_work
from push import outbox

Unit = Literal["doses", "months"]
EXPIRY_DAYS = 60
# Average monthly consumption over the last three months.
CONSUMPTION_DAYS = 90

_ON_HAND = """
SELECT COALESCE(SUM(b.doses), 0) AS doses FROM stock_balance b JOIN stock_lot l ON l.id = b.lot
 WHERE b.store = {} AND l.product = {} AND b.doses > 0
"""
_CONSUMED = """
SELECT COALESCE(-SUM(e.doses), 0) AS doses FROM stock_entry e
  JOIN stock_event v ON v.id = e.event JOIN stock_lot l ON l.id = e.lot
 WHERE e.store = {} AND l.product = {} AND v.kind IN ('administered', 'shipment') AND v.occurred_at >= {}
"""


async def set_level(
    actor: Actor, store: dict[str, Any], product_id: int, *, unit: Unit, min_level: int, max_level: int
) -> dict[str, Any]:
    if not 0 <= min_level < max_level:
        raise Invalid("Min is at least 0 and below max", field="min_level")
    await catalogue.product(product_id)
    async with unit_of_work():
        where = (StockLevel.store == store["id"]) & (StockLevel.product == product_id)
        values: dict[str, Any] = {"unit": unit, "min_level": min_level, "max_level": max_level}
        now = clock.current().now()
        if await StockLevel.exists().where(where):
            changes: dict[Any, Any] = {**values, "updated_at": now}
            await StockLevel.update(changes).where(where)
        else:
            await StockLevel.insert(
                StockLevel(
                    store=store["id"], product=product_id, below_min=False, updated_at=clock.current().now(), **values
                )
            )
        await audit.record(
            actor,
            "stock.level",
            "store",
            store["id"],
            place_id=store["place_id"],
            after={"product": product_id, **values},
        )
        await check_levels(store["id"], await levels_of(store["id"], [product_id]))
    return await level(store["id"], product_id)


async def level(store_id: int, product_id: int) -> dict[str, Any]:
    row = (
        await StockLevel.select(
            StockLevel.product.as_alias("product_id"),
            StockLevel.product.code.as_alias("product_code"),
            StockLevel.unit,
            StockLevel.min_level,
            StockLevel.max_level,
            StockLevel.below_min,
        )
        .where((StockLevel.store == store_id) & (StockLevel.product == product_id))
        .first()
    )
    assert row is not None
    return {**row, "min_doses": await min_doses(store_id, row)}


async def levels(store_id: int) -> list[dict[str, Any]]:
    """Every min/max of the store, in product order, with the doses its min stands for."""
    rows = await StockLevel.select(StockLevel.product).where(StockLevel.store == store_id).order_by(StockLevel.product)
    return [await level(store_id, int(row["product"])) for row in rows]


async def _scalar(sql: str, *args: Any) -> int:
    rows = await StockBalance.raw(sql, *args)
    return int(rows[0]["doses"]) if rows else 0


async def min_doses(store_id: int, level: dict[str, Any]) -> int:
    if level["unit"] == "doses":
        return int(level["min_level"])
    since = clock.current().now() - timedelta(days=CONSUMPTION_DAYS)
    monthly = await _scalar(_CONSUMED, store_id, level["product_id"], since) * 30 / CONSUMPTION_DAYS
    return round(level["min_level"] * monthly)


async def clerks_of(facility_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The active stock clerks (``id``, ``language``) of these facilities."""
    return await Account.select(Account.id, Account.language).where(
        Account.scope_facility.is_in(sorted(set(facility_ids)) or [-1])
        & (Account.role == Role.STOCK_CLERK.value)
        & (Account.active == True)  # noqa: E712
    )


async def _clerks(store: dict[str, Any]) -> list[dict[str, Any]]:
    """The clerks of the store's facility and of its supplying store's facility."""
    facilities = [store["facility_id"]]
    if store["supplier_id"] is not None:
        supplier = await Store.select(Store.facility).where(Store.id == store["supplier_id"]).first()
        if supplier is not None:
            facilities.append(supplier["facility"])
    return await clerks_of(facilities)


async def _raise(store: dict[str, Any], kind: str, message: str, doses: int, **about: Any) -> None:
    now = clock.current().now()
    created = await StockAlert.insert(
        StockAlert(store=store["id"], kind=kind, doses=doses, message=message, raised_at=now, **about)
    ).returning(StockAlert.id)
    await outbox.enqueue_to_accounts(
        await _clerks(store),
        template=f"stock.{kind}",
        body=lambda _language: message,  # the alert's own words, as listed in the API
        reference=f"stock_alert:{created[0]['id']}",
        now=now,
        data={"store": store["id"], **about},
    )


async def levels_of(store_id: int, product_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The min/max rows of these products at the store, in product order (read before a
    change takes its balance locks, so a store without levels pays nothing under them)."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return []
    return (
        await StockLevel.select()
        .where((StockLevel.store == store_id) & StockLevel.product.is_in(wanted))
        .order_by(StockLevel.product)
    )


async def check_levels(store_id: int, levels: Iterable[dict[str, Any]]) -> None:
    """After a change of a store's stock: raise (once) or re-arm each product's min alert.
    Call inside the change's transaction, after its balances moved (product order)."""
    for row in levels:
        product_id = row["product"]
        minimum = await min_doses(store_id, {**row, "product_id": product_id})
        on_hand = await _scalar(_ON_HAND, store_id, product_id)
        below = on_hand < minimum
        flipped = (
            await StockLevel.update({StockLevel.below_min: below})
            .where((StockLevel.id == row["id"]) & (StockLevel.below_min == (not below)))
            .returning(StockLevel.id)
        )
        if flipped and below:
            await below_min(store_id, product_id, on_hand, minimum)


async def below_min(store_id: int, product_id: int, on_hand: int, minimum: int) -> None:
    """The alert of the one change that took the product below its min at the store."""
    code = (await catalogue.product(product_id))["code"]
    store = await stores.get(store_id)
    assert store is not None
    await _raise(
        store,
        "below_min",
        f"{code} at {store['name']}: {on_hand} doses on hand, below the minimum of {minimum}",
        on_hand,
        product=product_id,
    )


async def raise_expiry_alerts(days: int = EXPIRY_DAYS) -> int:
    """Alert once per store × lot on hand entering its last ``days`` before expiry (a
    daily job); the number of alerts raised."""
    until = clock.current().today() + timedelta(days=days)
    raised = 0
    async with unit_of_work():
        rows = await StockBalance.select(StockBalance.store, StockBalance.lot, StockBalance.doses).where(
            (StockBalance.doses > 0)
            & StockBalance.lot.is_in(StockLot.select(StockLot.id).where(StockLot.expiry <= until))
        )
        for row in rows:
            if await StockAlert.exists().where(
                (StockAlert.store == row["store"]) & (StockAlert.lot == row["lot"]) & (StockAlert.kind == "expiring")
            ):
                continue
            store = await stores.get(row["store"])
            lot = await catalogue.lot(row["lot"])
            assert store is not None
            message = (
                f"Lot {lot['number']} of {lot['product_code']} at {store['name']} expires on {lot['expiry']}: "
                f"{row['doses']} doses on hand, use or redistribute them first"
            )
            await _raise(store, "expiring", message, int(row["doses"]), lot=row["lot"])
            raised += 1
    return raised


async def listing(store_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    return (
        await StockAlert.select(
            StockAlert.id,
            StockAlert.kind,
            StockAlert.product.as_alias("product_id"),
            StockAlert.lot.as_alias("lot_id"),
            StockAlert.doses,
            StockAlert.message,
            StockAlert.raised_at,
        )
        .where(StockAlert.store == store_id)
        .order_by(StockAlert.id, ascending=False)
        .limit(limit)
    )

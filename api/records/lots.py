"""The lots a vaccinator may give a dose from: what their facility's stores hold, on
hand, not expired, not on hold, first expiry first (FEFO), each with the schedule's
vaccine code and route, so the dose screen records a dose in one tap on a lot.

The vaccine code is the one the stock product names (``stock_product.vaccine_code``,
niis_0024), else the vaccine catalogue's for the lot's GTIN; a product neither names (a
syringe, a vaccine not linked yet) is left out.
"""

from __future__ import annotations

from typing import Any

from api import clock
from api.scope import Scope
from api.stock import services as ledger
from api.stock import stores
from schedule.vn import catalogue


def vaccine_code(lot: dict[str, Any]) -> str | None:
    """The schedule's vaccine code of a lot's product (the stock catalogue's link), else the
    vaccine catalogue's for its GTIN; None when neither names one (a syringe, a product not
    linked yet: an officer links it, ``PATCH /api/stock/products/{id}``)."""
    if lot["vaccine_code"]:
        return str(lot["vaccine_code"])
    try:
        found = catalogue.by_gtin(lot["gtin"]) if lot["gtin"] else None
    except ValueError:
        found = None
    return found.code if found is not None else None


def route_of(code: str) -> str:
    """How the vaccine is given, from the catalogue's products of that code ("" if none says)."""
    return next((product.route for product in catalogue.by_code(code) if product.route), "")


async def usable_lots(scope: Scope) -> list[dict[str, Any]]:
    """Lots a dose may be given from at the caller's facility, first expiry first."""
    if scope.facility_id is None:
        return []  # an officer keeps no store: historical doses only
    today = clock.current().today()
    found = []
    for store in await stores.listing_of_facility(scope.facility_id):
        if not store["active"]:
            continue
        for lot in await ledger.balances(store["id"]):
            if lot["doses"] <= 0 or lot["on_hold"] or lot["expiry"] < today:
                continue
            code = vaccine_code(lot)
            if code is not None:
                shown = {"store_id": store["id"], "store_name": store["name"], "vaccine_code": code}
                found.append({**lot, **shown, "route": route_of(code)})
    return sorted(found, key=lambda lot: (lot["expiry"], lot["lot_id"]))

"""The lots a vaccinator may give a dose from: what their facility's stores hold, on
hand, not expired, not on hold, first expiry first (FEFO), each with the schedule's
vaccine code and route, so the dose screen records a dose in one tap on a lot.

The stock catalogue does not yet name the schedule's vaccine for a product
(docs/stock.md, "Not yet"), so the code comes from the vaccine catalogue by the lot's
GTIN, else from the stock product's code when it is a vaccine code, else from the usual
names of the EPI products; a product none of these name (a syringe) is left out.
"""

from __future__ import annotations

from typing import Any

from api import clock
from api.immunization import services as immunization
from api.scope import Scope
from api.stock import services as ledger
from api.stock import stores
from schedule.vn import catalogue

# The EPI products by their usual short names (as the demo's and most provinces' stock
# catalogues write them) → the schedule's vaccine code.
_EPI_NAMES = {
    "BCG": "19",
    "HepB": "08",
    "DTP-HepB-Hib": "198",
    "bOPV": "178",
    "IPV": "10",
    "MR": "04",
    "MV": "05",
    "DTP": "01",
    "Td": "09",
    "JE": "39",
}


def vaccine_code(product_code: str, gtin: str) -> str | None:
    """The schedule's vaccine code of a stock product, or None when it is not a vaccine we know."""
    try:
        found = catalogue.by_gtin(gtin) if gtin else None
    except ValueError:
        found = None
    if found is not None:
        return found.code
    if product_code in immunization.current_schedule().timeline.vaccines:
        return product_code
    return _EPI_NAMES.get(product_code)


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
            code = vaccine_code(lot["product_code"], lot["gtin"])
            if code is not None:
                shown = {"store_id": store["id"], "store_name": store["name"], "vaccine_code": code}
                found.append({**lot, **shown, "route": route_of(code)})
    return sorted(found, key=lambda lot: (lot["expiry"], lot["lot_id"]))

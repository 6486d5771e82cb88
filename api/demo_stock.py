"""The demo province's vaccine stock: a province store supplying the commune stores,
realistic lots, a shipment in transit, one product below min, one lot expiring soon.

No GTIN is invented: the presentations are registered as an officer registers a GTIN
scanned for the first time, and the labels they are "scanned" from carry GTINs and
SSCCs under GS1 prefix 952, which GS1 keeps for demonstrations and never assigns to a
real product (docs/stock.md, "Demo data").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from biip.checksums import gs1_standard_check_digit

from api import clock
from api.context import Actor
from api.stock import alerts, catalogue, stores
from api.stock import services as ledger

# GS1's prefix for demonstrations and examples.
DEMO_PREFIX = "952"


def demo_number(item: int, length: int) -> str:
    """A GS1 number (GTIN-14: 14, SSCC: 18) under the demo prefix, check digit included."""
    body = ("0" + DEMO_PREFIX + str(item).rjust(length - 5, "0"))[: length - 1]
    return body + str(gs1_standard_check_digit(body))


@dataclass(frozen=True)
class DemoProduct:
    code: str
    name: str
    kind: catalogue.ProductKind
    doses_per_vial: int
    vials_per_carton: int
    has_vvm: bool
    rule: catalogue.OpenVialRule
    hours: int | None = None
    vaccine_code: str = ""  # the schedule's (schedule/vn), so the dose screen offers its lots


PRODUCTS = [
    DemoProduct("BCG", "BCG (lao)", "vaccine", 20, 50, True, "hours", 6, "19"),
    DemoProduct("HepB", "Viêm gan B", "vaccine", 10, 50, True, "keep_28_days", vaccine_code="08"),
    DemoProduct(
        "DTP-HepB-Hib",
        "Bạch hầu - Ho gà - Uốn ván - Viêm gan B - Hib",
        "vaccine",
        1,
        50,
        True,
        "keep_28_days",
        vaccine_code="198",
    ),
    DemoProduct("bOPV", "Bại liệt uống", "vaccine", 20, 50, True, "keep_28_days", vaccine_code="178"),
    DemoProduct("MR", "Sởi - Rubella", "vaccine", 10, 50, True, "session", vaccine_code="04"),
    DemoProduct("AD-0.5", "Bơm kim tiêm tự khóa 0,5 ml", "syringe", 1, 100, False, "session"),
]


async def load_stock(actor: Actor, *, province_store_id: int, commune_store_ids: list[int]) -> None:
    """Catalogue, lots and movements; call inside the demo's unit of work."""
    today = clock.current().today()
    province = await stores.get(province_store_id)
    assert province is not None
    lots: dict[str, list[dict[str, Any]]] = {}
    for index, item in enumerate(PRODUCTS):
        product = await catalogue.create_product(
            actor, code=item.code, name=item.name, kind=item.kind, vaccine_code=item.vaccine_code
        )
        gtin = demo_number(100 + index, 14)
        await catalogue.register_presentation(
            actor,
            catalogue.PresentationIn(
                gtin, product["id"], item.doses_per_vial, item.vials_per_carton, item.has_vvm, item.rule, item.hours
            ),
        )
        # Two lots each: the older one expires first (pentavalent's within the month).
        soon = 25 if item.code == "DTP-HepB-Hib" else 150 + 20 * index
        lots[item.code] = [
            await catalogue.find_or_create_lot(
                actor,
                gtin=gtin,
                number=f"{item.code[:3].upper()}{24 + n}{index:02d}{n + 1}",
                expiry=today + timedelta(days=days),
                manufacturer="Demo manufacturer",
                field="lot",
            )
            for n, days in enumerate((soon, 420 + 30 * index))
        ]
    delivery = [
        ledger.ReceiptLine(
            item.doses_per_vial * item.vials_per_carton * cartons,
            lot_id=lot["id"],
            vvm_stage=1 if item.has_vvm else None,
        )
        for item in PRODUCTS
        for lot, cartons in zip(lots[item.code], (4, 8), strict=True)
    ]
    await ledger.receive(actor, province, delivery, reference=demo_number(1, 18))
    for number, store_id in enumerate(commune_store_ids):
        commune = await stores.get(store_id)
        assert commune is not None
        lines = [
            ledger.ShipLine(lot["id"], 20 if item.doses_per_vial == 1 else 10 * item.doses_per_vial)
            for item in PRODUCTS
            for lot in lots[item.code][:1]
        ]
        shipment = await ledger.ship(actor, province, store_id, lines, reference=f"PX-{number + 1:03d}")
        if number == len(commune_store_ids) - 1:
            continue  # the last commune's shipment is still on its way
        await ledger.receive_shipment(actor, commune, shipment, [])
        if number == 0:
            # The first commune keeps pentavalent above 50 doses: it has 20, so below min.
            penta = lots["DTP-HepB-Hib"][0]
            await alerts.set_level(actor, commune, penta["product_id"], unit="doses", min_level=50, max_level=200)
    # The province's own stock card: oral polio on its way to the freezer (bOPV is kept
    # frozen), under an SSCC its carton label carries, for the clerk to receive by photo;
    # and measles-rubella below the province's minimum.
    freezer = next(s for s in await stores.listing_of_facility(province["facility_id"]) if s["id"] != province["id"])
    await ledger.ship(
        actor, province, freezer["id"], [ledger.ShipLine(lots["bOPV"][1]["id"], 1000)], reference=demo_number(2, 18)
    )
    mr = lots["MR"][0]["product_id"]
    await alerts.set_level(actor, province, mr, unit="doses", min_level=8000, max_level=16000)
    await alerts.raise_expiry_alerts(alerts.EXPIRY_DAYS)

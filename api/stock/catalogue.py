"""The catalogue: products, presentations (one GTIN each) and lots.

A GTIN is stored only once its GS1 check digit is right (``biip``); a presentation is
registered by an officer from a scanned label, so no GTIN is ever invented here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from biip import ParseError
from biip.gtin import Gtin

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.immunization import services as immunization
from api.stock import hold_alerts
from db.tables import StockLot, StockPresentation, StockProduct
from db.unit_of_work import unit_of_work
from schedule.vn import catalogue as schedule_catalogue

ProductKind = Literal["vaccine", "diluent", "syringe", "safety_box"]
OpenVialRule = Literal["keep_28_days", "session", "hours"]


def normalize_gtin(text: str, *, field: str = "gtin") -> str:
    """The GTIN-14 of ``text`` (8, 12, 13 or 14 digits); 422 naming the check digit when wrong."""
    digits = text.strip()
    try:
        return Gtin.parse(digits).as_gtin_14()
    except ParseError as error:
        message = f"{digits} is not a valid GTIN ({error}): scan the barcode again or retype it"
        raise Invalid(message, field=field) from None


async def product(product_id: int) -> dict[str, Any]:
    row = await StockProduct.select().where(StockProduct.id == product_id).first()
    if row is None:
        raise NotFound(f"Product {product_id} not found")
    return row


async def products() -> list[dict[str, Any]]:
    return await StockProduct.select().order_by(StockProduct.code)


def check_vaccine_code(code: str, kind: str, *, field: str = "vaccine_code") -> str:
    """The schedule's vaccine code a product names ('' for none); 422 when the schedule
    (schedule/vn) has no vaccine of that code, or when the product is not a vaccine."""
    code = code.strip()
    if not code:
        return ""
    if kind != "vaccine":
        raise Invalid("Only a vaccine names a vaccine code: leave it empty", field=field)
    if code not in immunization.current_schedule().timeline.vaccines and not schedule_catalogue.by_code(code):
        raise Invalid(f"The schedule has no vaccine with code {code}", field=field)
    return code


async def create_product(
    actor: Actor, *, code: str, name: str, kind: ProductKind, vaccine_code: str = ""
) -> dict[str, Any]:
    vaccine = check_vaccine_code(vaccine_code, kind)
    async with unit_of_work():
        if await StockProduct.exists().where(StockProduct.code == code):
            raise Conflict(f"A product with code {code} already exists", details={"field": "code"})
        product_id = await audit.insert_audited(
            actor,
            StockProduct(code=code, name=name, kind=kind, vaccine_code=vaccine, created_at=clock.current().now()),
            action="stock.product.create",
            entity="stock_product",
            place_id=None,
            shown=("code", "name", "kind", "vaccine_code"),
        )
    return await product(product_id)


async def link_vaccine(actor: Actor, product_id: int, vaccine_code: str) -> dict[str, Any]:
    """Name (or clear, with '') the schedule's vaccine a product is; audited when it changes."""
    async with unit_of_work():
        before = await product(product_id)
        await audit.update_audited(
            actor,
            StockProduct,
            product_id,
            before,
            audit.changed_fields(before, {"vaccine_code": check_vaccine_code(vaccine_code, before["kind"])}),
            action="stock.product.vaccine",
            entity="stock_product",
            place_id=None,
        )
    return await product(product_id)


_PRESENTATION = (
    *StockPresentation.all_columns(exclude=[StockPresentation.product, StockPresentation.registered_by]),
    StockPresentation.product.as_alias("product_id"),
    StockPresentation.product.code.as_alias("product_code"),
)


async def presentation_by_gtin(gtin: str) -> dict[str, Any]:
    normalized = normalize_gtin(gtin)
    row = await StockPresentation.select(*_PRESENTATION).where(StockPresentation.gtin == normalized).first()
    if row is None:
        raise NotFound(f"GTIN {normalized} is not in the catalogue yet: an officer registers it from the scanned label")
    return row


@dataclass(frozen=True)
class PresentationIn:
    gtin: str
    product_id: int
    doses_per_vial: int
    vials_per_carton: int
    has_vvm: bool
    open_vial_rule: OpenVialRule
    open_vial_hours: int | None = None


async def register_presentation(actor: Actor, data: PresentationIn) -> dict[str, Any]:
    """Register a GTIN scanned for the first time, with what its label says."""
    gtin = normalize_gtin(data.gtin)
    if (data.open_vial_rule == "hours") != (data.open_vial_hours is not None):
        raise Invalid("open_vial_hours is given exactly when the open-vial rule is 'hours'", field="open_vial_hours")
    async with unit_of_work():
        await product(data.product_id)
        if await StockPresentation.exists().where(StockPresentation.gtin == gtin):
            raise Conflict(f"GTIN {gtin} is already registered", details={"field": "gtin"})
        await audit.insert_audited(
            actor,
            StockPresentation(
                gtin=gtin,
                product=data.product_id,
                doses_per_vial=data.doses_per_vial,
                vials_per_carton=data.vials_per_carton,
                has_vvm=data.has_vvm,
                open_vial_rule=data.open_vial_rule,
                open_vial_hours=data.open_vial_hours,
                registered_by=actor.account_id,
                registered_at=clock.current().now(),
            ),
            action="stock.presentation.register",
            entity="stock_presentation",
            place_id=None,
            shown=("gtin", "product", "doses_per_vial", "vials_per_carton", "has_vvm", "open_vial_rule"),
        )
    return await presentation_by_gtin(gtin)


LOT_COLUMNS = (
    StockLot.id,
    StockLot.number,
    StockLot.expiry,
    StockLot.manufacturer,
    StockLot.on_hold,
    StockLot.product.as_alias("product_id"),
    StockLot.product.code.as_alias("product_code"),
    StockLot.product.vaccine_code.as_alias("vaccine_code"),
    StockLot.presentation.gtin.as_alias("gtin"),
    StockLot.presentation.doses_per_vial.as_alias("doses_per_vial"),
    StockLot.presentation.has_vvm.as_alias("has_vvm"),
    StockLot.presentation.open_vial_rule.as_alias("open_vial_rule"),
    StockLot.presentation.open_vial_hours.as_alias("open_vial_hours"),
)


async def lots(lot_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = await StockLot.select(*LOT_COLUMNS).where(StockLot.id.is_in(lot_ids or [-1]))
    return {row["id"]: row for row in rows}


async def lot(lot_id: int) -> dict[str, Any]:
    found = (await lots([lot_id])).get(lot_id)
    if found is None:
        raise NotFound(f"Lot {lot_id} not found")
    return found


def usable(row: dict[str, Any], today: date, *, field: str) -> None:
    """Refuse issuing or giving an expired or held lot (422, saying which)."""
    if row["on_hold"]:
        raise Invalid(f"Lot {row['number']} of {row['product_code']} is on hold: do not issue or use it", field=field)
    if row["expiry"] < today:
        raise Invalid(
            f"Lot {row['number']} of {row['product_code']} expired on {row['expiry']}: record it as expired instead",
            field=field,
        )


async def find_or_create_lot(
    actor: Actor, *, gtin: str, number: str, expiry: date, manufacturer: str, field: str
) -> dict[str, Any]:
    """The lot ``number`` of the GTIN's product, created on its first receipt. A number
    known with another expiry is refused: one of the two is mistyped."""
    presentation = await presentation_by_gtin(gtin)
    number = number.strip().upper()
    existing = (
        await StockLot.select(StockLot.id, StockLot.expiry)
        .where((StockLot.product == presentation["product_id"]) & (StockLot.number == number))
        .first()
    )
    if existing is not None:
        if existing["expiry"] != expiry:
            raise Invalid(
                f"Lot {number} of {presentation['product_code']} is recorded with expiry {existing['expiry']}, "
                f"not {expiry}: check the label",
                field=field,
            )
        return await lot(existing["id"])
    lot_id = await audit.insert_audited(
        actor,
        StockLot(
            product=presentation["product_id"],
            presentation=presentation["id"],
            number=number,
            expiry=expiry,
            manufacturer=manufacturer.strip(),
            on_hold=False,
            created_at=clock.current().now(),
        ),
        action="stock.lot.create",
        entity="stock_lot",
        place_id=None,
        shown=("product", "presentation", "number", "expiry", "manufacturer"),
    )
    return await lot(lot_id)


async def set_hold(actor: Actor, lot_id: int, on_hold: bool, reason: str = "") -> dict[str, Any]:
    """Stop (or release) a lot everywhere, e.g. after clustered AEFI, saying why (kept in
    the audit row). Putting a lot on hold tells the clerks of the stores holding it, once:
    holding a held lot again changes nothing and tells no one."""
    async with unit_of_work():
        before = await lot(lot_id)
        await audit.update_audited(
            actor,
            StockLot,
            lot_id,
            before,
            audit.changed_fields(before, {"on_hold": on_hold}),
            action="stock.lot.hold",
            entity="stock_lot",
            place_id=None,
            why={"reason": reason} if reason else None,
        )
        if on_hold and not before["on_hold"]:
            await hold_alerts.alert_holders(before, reason)
    return await lot(lot_id)

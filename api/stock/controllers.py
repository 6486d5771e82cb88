"""Stock over HTTP: the catalogue, the stores a caller may see, and each store's
ledger (receipts, shipments, adjustments, counts, reversals), balances and lists.

Writes name the store in the path and are kept by its own clerk (``kept_store``); the
``Idempotency-Key`` a device sends becomes the event's key, so a retried write
answers the first answer and the ledger holds the event once.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get, patch, post, put
from litestar.params import Parameter

from api.auth.guards import requires
from api.auth.roles import Permission
from api.context import Actor
from api.idempotency import HEADER, parse_key
from api.scope import Scope
from api.stock import alerts, catalogue, open_vials, receiving, stores
from api.stock import services as ledger
from api.stock.deps import STORE_DEPENDENCIES
from api.stock.schemas import (
    AdjustmentIn,
    AlertOut,
    BalanceOut,
    CountIn,
    EventOut,
    HoldIn,
    LevelIn,
    LevelOut,
    LotOut,
    OnHandOut,
    OpenVialIn,
    OpenVialOut,
    PresentationIn,
    PresentationOut,
    ProductIn,
    ProductOut,
    ProductVaccineIn,
    ProposalIn,
    ProposalOut,
    ReceiptIn,
    ReversalIn,
    SessionCloseIn,
    ShipmentIn,
    ShipmentReceiptIn,
    StoreOut,
    SuggestionOut,
    UsageOut,
)


def _key(request: Request[Any, Any, Any]) -> str | None:
    raw = request.headers.get(HEADER)
    return parse_key(raw) if raw else None


def _csv(text: str, filename: str) -> Response[Any]:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _answer(event_id: int) -> EventOut:
    return msgspec.convert(await ledger.event(event_id), EventOut)


class CatalogueController(Controller):
    path = "/api/stock"
    tags = ["stock"]
    guards = [requires(Permission.STOCK_READ)]

    @get("/products")
    async def products(self) -> list[ProductOut]:
        return msgspec.convert(await catalogue.products(), list[ProductOut])

    @post("/products", status_code=201, guards=[requires(Permission.CATALOGUE_WRITE)])
    async def create_product(self, actor: Actor, data: ProductIn) -> ProductOut:
        row = await catalogue.create_product(
            actor, code=data.code, name=data.name, kind=data.kind, vaccine_code=data.vaccine_code
        )
        return msgspec.convert(row, ProductOut)

    @patch("/products/{product_id:int}", guards=[requires(Permission.CATALOGUE_WRITE)])
    async def link_vaccine(self, actor: Actor, product_id: int, data: ProductVaccineIn) -> ProductOut:
        """Name the schedule's vaccine a product is (the vaccination records give its lots
        as that vaccine), or clear it with ''."""
        return msgspec.convert(await catalogue.link_vaccine(actor, product_id, data.vaccine_code), ProductOut)

    @get("/presentations/{gtin:str}")
    async def presentation(self, gtin: str) -> PresentationOut:
        """What a scanned GTIN is; 404 when it is not registered yet."""
        return msgspec.convert(await catalogue.presentation_by_gtin(gtin), PresentationOut)

    @post("/presentations", status_code=201, guards=[requires(Permission.CATALOGUE_WRITE)])
    async def register_presentation(self, actor: Actor, data: PresentationIn) -> PresentationOut:
        """Register a GTIN scanned for the first time, with what its label says."""
        row = await catalogue.register_presentation(actor, catalogue.PresentationIn(**msgspec.structs.asdict(data)))
        return msgspec.convert(row, PresentationOut)

    @get("/lots/{lot_id:int}")
    async def lot(self, lot_id: int) -> LotOut:
        return msgspec.convert(await catalogue.lot(lot_id), LotOut)

    @post("/lots/{lot_id:int}/hold", status_code=200, guards=[requires(Permission.CATALOGUE_WRITE)])
    async def hold(self, actor: Actor, lot_id: int, data: HoldIn) -> LotOut:
        """Stop a lot everywhere (or release it), with the reason: it can no longer be
        issued or given, and the clerks of the stores holding it are alerted."""
        return msgspec.convert(await catalogue.set_hold(actor, lot_id, data.on_hold, data.reason.strip()), LotOut)


class StoreController(Controller):
    path = "/api/stock/stores"
    tags = ["stock"]
    guards = [requires(Permission.STOCK_READ)]
    dependencies = STORE_DEPENDENCIES

    @get("/")
    async def listing(self, area: Scope) -> list[StoreOut]:
        """The caller's own stores (clerks, vaccinators) or those of their area (officers)."""
        return msgspec.convert(await stores.listing(area), list[StoreOut])

    @get("/{store_id:int}")
    async def one(self, store: dict[str, Any]) -> StoreOut:
        return msgspec.convert(store, StoreOut)

    @get("/{store_id:int}/supplied")
    async def supplied(self, store: dict[str, Any]) -> list[StoreOut]:
        """The stores this one supplies (where its clerk ships to)."""
        return msgspec.convert(await stores.supplied_by(store["id"]), list[StoreOut])

    @get("/{store_id:int}/levels")
    async def levels(self, store: dict[str, Any]) -> list[LevelOut]:
        """Min/max per product at this store, and whether stock is below min now."""
        return msgspec.convert(await alerts.levels(store["id"]), list[LevelOut])

    @get("/{store_id:int}/balances")
    async def balances(self, store: dict[str, Any], flagged: bool | None = None) -> list[BalanceOut]:
        """Doses and whole vials per lot, earliest expiry first; ``flagged``: the balances an
        offline dose took below zero, to reconcile with a count or a 'found' adjustment."""
        return msgspec.convert(await ledger.balances(store["id"], flagged=flagged), list[BalanceOut])

    @get("/{store_id:int}/events")
    async def events(
        self, store: dict[str, Any], limit: Annotated[int, Parameter(ge=1, le=500)] = 100
    ) -> list[EventOut]:
        """The store's stock card, newest first (with shipments sent to it)."""
        return msgspec.convert(await ledger.events(store["id"], limit=limit), list[EventOut])

    @get("/{store_id:int}/in-transit")
    async def in_transit(self, store: dict[str, Any]) -> list[EventOut]:
        """Shipments on their way to this store."""
        return msgspec.convert(await ledger.in_transit_to(store["id"]), list[EventOut])

    @get("/{store_id:int}/suggest")
    async def suggest(
        self,
        store: dict[str, Any],
        product_id: Annotated[int, Parameter(ge=1)],
        doses: Annotated[int, Parameter(ge=1, le=10_000_000)],
    ) -> list[SuggestionOut]:
        """Which lots to issue, earliest expiry first (expired and held lots skipped)."""
        return msgspec.convert(await ledger.suggest(store["id"], product_id, doses), list[SuggestionOut])

    @get("/{store_id:int}/expiring")
    async def expiring(
        self, store: dict[str, Any], days: Annotated[int, Parameter(ge=0, le=365)] = 30
    ) -> list[BalanceOut]:
        """Lots on hand expiring within ``days`` (expired ones included)."""
        return msgspec.convert(await ledger.expiring(store["id"], days), list[BalanceOut])

    @get("/{store_id:int}/alerts")
    async def alerts(self, store: dict[str, Any]) -> list[AlertOut]:
        """Below-min and expiring-lot alerts of this store, newest first."""
        return msgspec.convert(await alerts.listing(store["id"]), list[AlertOut])

    @put("/{store_id:int}/levels/{product_id:int}", guards=[requires(Permission.STOCK_WRITE)])
    async def set_level(self, actor: Actor, kept_store: dict[str, Any], product_id: int, data: LevelIn) -> LevelOut:
        """Min/max of a product at this store; an alert is raised once each time stock falls below min."""
        row = await alerts.set_level(
            actor, kept_store, product_id, unit=data.unit, min_level=data.min_level, max_level=data.max_level
        )
        return msgspec.convert(row, LevelOut)

    @get("/{store_id:int}/open-vials")
    async def open_vials(self, store: dict[str, Any]) -> list[OpenVialOut]:
        """The multi-dose vials open at this store, oldest first, with the doses given from each."""
        return msgspec.convert(await open_vials.open_vials(store["id"]), list[OpenVialOut])

    @post("/{store_id:int}/open-vials", status_code=201, guards=[requires(Permission.STOCK_USE)])
    async def open_vial(
        self, request: Request[Any, Any, Any], actor: Actor, kept_store: dict[str, Any], data: OpenVialIn
    ) -> OpenVialOut:
        """A multi-dose vial opened at a session; its rule decides when the rest is discarded."""
        row = await open_vials.open_vial(
            actor,
            kept_store,
            data.lot_id,
            session=data.session,
            opened_at=data.opened_at,
            offline=data.offline,
            key=_key(request),
        )
        return msgspec.convert(row, OpenVialOut)

    @post("/{store_id:int}/open-vials/{vial_id:int}/discard", status_code=200, guards=[requires(Permission.STOCK_USE)])
    async def discard_vial(self, actor: Actor, kept_store: dict[str, Any], vial_id: int) -> OpenVialOut:
        """Discard one open vial now; what was not given becomes open-vial wastage."""
        return msgspec.convert(await open_vials.discard(actor, kept_store, vial_id), OpenVialOut)

    @post("/{store_id:int}/sessions/close", status_code=200, guards=[requires(Permission.STOCK_USE)])
    async def close_session(self, actor: Actor, kept_store: dict[str, Any], data: SessionCloseIn) -> list[OpenVialOut]:
        """The session is over: its vials discarded at session end (or N hours) are closed, the
        doses not given written off as open-vial wastage; 28-day vials stay open."""
        return msgspec.convert(await open_vials.close_session(actor, kept_store, data.session), list[OpenVialOut])

    @post("/{store_id:int}/receipt-proposals", status_code=200, guards=[requires(Permission.STOCK_WRITE)])
    async def propose_receipt(self, kept_store: dict[str, Any], data: ProposalIn) -> ProposalOut:
        """Receipt lines prefilled from the codes read in photos of a delivery (``POST /api/scan``);
        an SSCC of a shipment on its way here gives all its lines. Writes nothing."""
        codes = [receiving.ScannedCode(**msgspec.structs.asdict(code)) for code in data.codes]
        return msgspec.convert(await receiving.propose(kept_store, codes), ProposalOut)

    @post("/{store_id:int}/receipts", status_code=201, guards=[requires(Permission.STOCK_WRITE)])
    async def receive(
        self, request: Request[Any, Any, Any], actor: Actor, kept_store: dict[str, Any], data: ReceiptIn
    ) -> EventOut:
        """A delivery from a supplier: each line a known lot, or GTIN + lot + expiry from the label."""
        lines = [ledger.ReceiptLine(**msgspec.structs.asdict(line)) for line in data.lines]
        event_id = await ledger.receive(actor, kept_store, lines, reference=data.reference, key=_key(request))
        return await _answer(event_id)

    @post("/{store_id:int}/shipments", status_code=201, guards=[requires(Permission.STOCK_WRITE)])
    async def ship(
        self, request: Request[Any, Any, Any], actor: Actor, kept_store: dict[str, Any], data: ShipmentIn
    ) -> EventOut:
        """Send lots to another store; in transit until that store receives them."""
        lines = [ledger.ShipLine(line.lot_id, line.doses) for line in data.lines]
        event_id = await ledger.ship(
            actor, kept_store, data.to_store_id, lines, reference=data.reference, key=_key(request)
        )
        return await _answer(event_id)

    @post("/{store_id:int}/shipment-receipts", status_code=201, guards=[requires(Permission.STOCK_WRITE)])
    async def receive_shipment(
        self, request: Request[Any, Any, Any], actor: Actor, kept_store: dict[str, Any], data: ShipmentReceiptIn
    ) -> EventOut:
        """Receive a shipment sent to this store; lines only for lots that arrived short."""
        arrived = [ledger.ArrivedLine(**msgspec.structs.asdict(line)) for line in data.lines]
        event_id = await ledger.receive_shipment(actor, kept_store, data.shipment_id, arrived, key=_key(request))
        return await _answer(event_id)

    @post("/{store_id:int}/adjustments", status_code=201, guards=[requires(Permission.STOCK_WRITE)])
    async def adjust(
        self, request: Request[Any, Any, Any], actor: Actor, kept_store: dict[str, Any], data: AdjustmentIn
    ) -> EventOut:
        """Doses out for a reason (broken, expired, VVM 3/4, frozen …), or in when found."""
        event_id = await ledger.adjust(
            actor, kept_store, data.reason, data.lot_id, data.doses, note=data.note, key=_key(request)
        )
        return await _answer(event_id)

    @post("/{store_id:int}/counts", status_code=201, guards=[requires(Permission.STOCK_WRITE)])
    async def count(
        self, request: Request[Any, Any, Any], actor: Actor, kept_store: dict[str, Any], data: CountIn
    ) -> EventOut:
        """A physical count: the variance of each lot becomes its entry."""
        lines = [ledger.CountLine(**msgspec.structs.asdict(line)) for line in data.lines]
        return await _answer(await ledger.count(actor, kept_store, lines, key=_key(request)))

    @post("/{store_id:int}/reversals", status_code=201, guards=[requires(Permission.STOCK_WRITE)])
    async def reverse(
        self, request: Request[Any, Any, Any], actor: Actor, kept_store: dict[str, Any], data: ReversalIn
    ) -> EventOut:
        """Take back one mistaken event of this store, once."""
        event_id = await ledger.reverse(actor, kept_store, data.event_id, note=data.note, key=_key(request))
        return await _answer(event_id)


class ReportController(Controller):
    path = "/api/stock/reports"
    tags = ["stock"]
    guards = [requires(Permission.STOCK_READ)]

    @get("/usage")
    async def usage(
        self,
        area: Scope,
        since: date,
        until: date,
        place_id: Annotated[int | None, Parameter(ge=1)] = None,
        format: Literal["json", "csv"] = "json",
    ) -> Response[Any]:
        """Consumption and wastage per store × product × month of the period (``since`` to
        ``until``, inclusive) in your area (or one unit of it): doses administered, wasted by reason,
        issued for use (given + wasted), the wastage rate (issued − administered) ÷ issued, and the
        stock-out days (closing balance zero or below). ``format=csv`` exports it."""
        rows = await ledger.area_usage(area, place_id, since, until)
        if format == "csv":
            return _csv(ledger.usage_csv(rows), "stock-usage.csv")
        return Response(msgspec.convert(rows, list[UsageOut]))

    @get("/on-hand")
    async def on_hand(
        self,
        area: Scope,
        place_id: Annotated[int | None, Parameter(ge=1)] = None,
        format: Literal["json", "csv"] = "json",
        after_store_id: Annotated[int | None, Parameter(ge=1)] = None,
        stores: Annotated[int, Parameter(ge=1, le=500)] = ledger.ON_HAND_PAGE,
    ) -> Response[Any]:
        """Stock on hand by level, store, product and lot in your area (or one unit of it), a page of
        ``stores`` stores with all their lots; the ``Link`` header (``rel="next"``) names the next
        page (``after_store_id``: the last store of this one) until the last. ``format=csv`` exports
        the whole report."""
        if format == "csv":
            rows = await ledger.area_on_hand(area, place_id)
            return _csv(ledger.as_csv(rows, ledger.ON_HAND_COLUMNS), "stock-on-hand.csv")
        rows = await ledger.area_on_hand(area, place_id, after_store_id=after_store_id, stores=stores)
        headers = {}
        if len({row["store_id"] for row in rows}) == stores:
            query = urlencode(
                {
                    **({"place_id": place_id} if place_id else {}),
                    "after_store_id": rows[-1]["store_id"],
                    "stores": stores,
                }
            )
            headers["Link"] = f'</api/stock/reports/on-hand?{query}>; rel="next"'
        return Response(msgspec.convert(rows, list[OnHandOut]), headers=headers)

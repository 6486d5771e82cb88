"""Receiving by photo: the GS1 codes read from photos of a delivery (``POST /api/scan``,
one call per photo) → receipt lines for the clerk to confirm or correct.

An SSCC that names a shipment on its way to the store fills all of that shipment's
lines (the clerk then records what differs as discrepancies). Otherwise each carton or
vial code gives a line: GTIN → presentation (a carton's contained GTIN, AI 02, when
its own is not registered), lot (AI 10), expiry (AI 17), and the quantity from AI 37
(vials in a carton) or AI 30 (a count), else one vial per vial label. The same label
read in two photos counts once. Nothing is written: the clerk's confirmation is a
receipt (or a shipment receipt) like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from api import clock
from api.errors import NotFound
from api.stock import catalogue
from db.tables import StockEntry, StockEvent, StockLot


@dataclass(frozen=True)
class ScannedCode:
    """The GS1 fields of one decoded code, as ``POST /api/scan`` gives them; two codes
    with the same fields are one label read twice (a serial, AI 21, tells vials apart)."""

    gtin: str | None = None
    contained_gtin: str | None = None
    sscc: str | None = None
    lot: str | None = None
    expiry: date | None = None
    count: int | None = None
    contained_count: int | None = None
    serial: str | None = None


async def _presentation(code: ScannedCode) -> tuple[dict[str, Any] | None, bool, str | None]:
    """The registered presentation of the code, whether it is the carton's content
    (AI 02), and the GTIN to register when none is known."""
    for gtin, contained in ((code.gtin, False), (code.contained_gtin, True)):
        if not gtin:
            continue
        try:
            return await catalogue.presentation_by_gtin(gtin), contained, None
        except NotFound:
            continue
    return None, False, code.contained_gtin or code.gtin


async def _shipment_lines(shipment_id: int) -> list[dict[str, Any]]:
    entries = await StockEntry.select(StockEntry.lot, StockEntry.doses).where(StockEntry.event == shipment_id)
    lots = await catalogue.lots([int(e["lot"]) for e in entries])
    return [
        _line(lots[int(e["lot"])], -int(e["doses"]), lot_id=int(e["lot"]), problem=None)
        for e in sorted(entries, key=lambda e: int(e["lot"]))
    ]


def _line(lot: dict[str, Any], doses: int, *, lot_id: int | None, problem: str | None) -> dict[str, Any]:
    return {
        "gtin": lot["gtin"],
        "product_code": lot["product_code"],
        "lot_id": lot_id,
        "lot_number": lot["number"],
        "expiry": lot["expiry"],
        "doses": doses,
        "vials": doses // lot["doses_per_vial"],
        "problem": problem,
    }


async def propose(store: dict[str, Any], codes: Sequence[ScannedCode]) -> dict[str, Any]:
    """Receipt lines prefilled from the codes of one delivery (see the module's doc)."""
    distinct = list(dict.fromkeys(codes))
    ssccs = sorted({code.sscc for code in distinct if code.sscc})
    for sscc in ssccs:
        shipment = (
            await StockEvent.select(StockEvent.id)
            .where(
                (StockEvent.kind == "shipment")
                & (StockEvent.other_store == store["id"])
                & (StockEvent.status == "in_transit")
                & (StockEvent.reference == sscc)
            )
            .first()
        )
        if shipment is not None:
            lines = await _shipment_lines(int(shipment["id"]))
            return {"reference": sscc, "shipment_id": int(shipment["id"]), "lines": lines, "unknown_gtins": []}
    today = clock.current().today()
    merged: dict[tuple[int, str], dict[str, Any]] = {}
    unknown: list[str] = []
    for code in distinct:
        if not code.lot or not (code.gtin or code.contained_gtin):
            continue
        presentation, contained, missing = await _presentation(code)
        if presentation is None:
            if missing and missing not in unknown:
                unknown.append(missing)
            continue
        vials = (code.contained_count if contained else None) or code.count or (1 if not contained else 0)
        number = code.lot.strip().upper()
        key = (int(presentation["id"]), number)
        if key in merged:
            merged[key]["vials"] += vials
            continue
        known = (
            await StockLot.select(StockLot.id, StockLot.expiry)
            .where((StockLot.product == presentation["product_id"]) & (StockLot.number == number))
            .first()
        )
        problem = None
        if code.expiry is None:
            problem = "The label shows no expiry (AI 17): type it from the carton"
        elif code.expiry < today:
            problem = f"Expired on {code.expiry}: do not accept it"
        elif known is not None and known["expiry"] != code.expiry:
            problem = f"Lot {number} is recorded with expiry {known['expiry']}, the label says {code.expiry}"
        merged[key] = {
            "gtin": presentation["gtin"],
            "product_code": presentation["product_code"],
            "lot_id": int(known["id"]) if known else None,
            "lot_number": number,
            "expiry": code.expiry,
            "vials": vials,
            "doses_per_vial": int(presentation["doses_per_vial"]),
            "problem": problem,
        }
    lines = []
    for line in merged.values():
        doses_per_vial = line.pop("doses_per_vial")
        lines.append({**line, "doses": line["vials"] * doses_per_vial})
    return {"reference": ssccs[0] if ssccs else "", "shipment_id": None, "lines": lines, "unknown_gtins": unknown}

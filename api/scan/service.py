"""What a scanned code resolves to, for the person who scanned it."""

from __future__ import annotations

from typing import Any

from schedule.vn import catalogue


def resolve(code: dict[str, Any]) -> dict[str, Any] | None:
    """The catalogue product behind a GS1 code's GTIN (subjects come with the registry)."""
    payload = code.get("payload") or {}
    if payload.get("kind") != "gs1":
        return None
    for gtin in (payload.get("gtin"), payload.get("contained_gtin")):
        if not gtin:
            continue
        try:
            product = catalogue.by_gtin(gtin)
        except ValueError:
            continue
        if product is not None:
            return {
                "kind": "product",
                "id": product.id,
                "trade_name": product.trade_name,
                "name_vi": product.name_vi,
                "manufacturer": product.manufacturer,
                "doses_per_container": product.doses_per_container,
                "gtin": gtin,
            }
    return None

"""Vaccine stock: the catalogue (products, presentations by GTIN, lots), the stores a
caller may read or keep, the append-only ledger with its balances, and open vials
(docs/stock.md)."""

__all__ = [
    "alerts",
    "catalogue",
    "controllers",
    "deps",
    "hold_alerts",
    "open_vials",
    "receiving",
    "schemas",
    "services",
    "stockouts",
    "stores",
]

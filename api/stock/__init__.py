"""Vaccine stock: the catalogue (products, presentations by GTIN, lots), the stores a
caller may read or keep, and the append-only ledger with its balances (docs/stock.md)."""

__all__ = ["alerts", "catalogue", "controllers", "deps", "receiving", "schemas", "services", "stores"]

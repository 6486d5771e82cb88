"""The stock ledger's composite unique keys: one balance row per store × lot (two first
receipts at once meet on it: ``ON CONFLICT DO NOTHING``), one lot number per product."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T12:44:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stock unique keys"

UNIQUE_KEYS = [
    "CREATE UNIQUE INDEX stock_balance_store_lot ON stock_balance (store, lot)",
    "CREATE UNIQUE INDEX stock_lot_product_number ON stock_lot (product, number)",
]

forwards = raw_sql_migration(ID, DESCRIPTION, sqlite=UNIQUE_KEYS, postgres=UNIQUE_KEYS)

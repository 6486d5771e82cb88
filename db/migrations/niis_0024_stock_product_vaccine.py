"""A stock product names the schedule's vaccine it is (its vaccine code in schedule/vn),
so the vaccination records know which vaccine a lot gives without guessing by names.
Empty for what is not a vaccine (a syringe, a safety box) or not linked yet.

Products already in a catalogue are linked by the EPI products' usual short names, as
api/records/lots.py guessed them until now; a product none of them names stays empty
for an officer to link (``PATCH /api/stock/products/{id}``)."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-02T00:24:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stock product vaccine code"

# The names api/records/lots.py read (the demo's and most provinces' stock catalogues).
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
_CASES = " ".join(f"WHEN '{name}' THEN '{code}'" for name, code in _EPI_NAMES.items())
STATEMENTS = [
    "ALTER TABLE stock_product ADD COLUMN vaccine_code VARCHAR(16) NOT NULL DEFAULT ''",
    f"UPDATE stock_product SET vaccine_code = CASE code {_CASES} ELSE '' END WHERE kind = 'vaccine'",
]

forwards = raw_sql_migration(ID, DESCRIPTION, sqlite=STATEMENTS, postgres=STATEMENTS)

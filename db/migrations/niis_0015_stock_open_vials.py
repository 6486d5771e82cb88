"""Open vials (issue 12): a multi-dose vial opened at a store, the doses given from it,
and its discard by the open-vial rule (``stock_open_vial``). Raw SQL per engine, column
types as Piccolo writes them (so SQLite's converters read timestamps back)."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T16:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stock open vials"


def _table(serial: str, timestamp: str) -> str:
    return f"""CREATE TABLE stock_open_vial (
    id {serial},
    store INTEGER NOT NULL REFERENCES store (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    lot INTEGER NOT NULL REFERENCES stock_lot (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    event INTEGER NOT NULL UNIQUE REFERENCES stock_event (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    session VARCHAR(64) NOT NULL DEFAULT '',
    doses INTEGER NOT NULL DEFAULT 0,
    given INTEGER NOT NULL DEFAULT 0,
    opened_at {timestamp} NOT NULL,
    discard_at {timestamp},
    closed_at {timestamp},
    closed_by VARCHAR(12) NOT NULL DEFAULT '',
    wasted INTEGER,
    discard_event INTEGER REFERENCES stock_event (id) ON DELETE RESTRICT ON UPDATE CASCADE
)"""


# The open vials of a store × lot (a dose draws from them), and the job's due ones.
INDEXES = [
    "CREATE INDEX stock_open_vial_open ON stock_open_vial (store, lot) WHERE closed_at IS NULL",
    "CREATE INDEX stock_open_vial_session ON stock_open_vial (store, session) WHERE closed_at IS NULL",
]

forwards = raw_sql_migration(
    ID,
    DESCRIPTION,
    sqlite=[_table("INTEGER PRIMARY KEY NOT NULL", "TIMESTAMPTZ"), *INDEXES],
    postgres=[_table("SERIAL PRIMARY KEY", "TIMESTAMP WITH TIME ZONE"), *INDEXES],
)

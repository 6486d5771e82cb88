"""Offline sync (issue 14): the review of a cross-site double dose (``dose_review``) and
the flags a dose kept as given carries (``dose.flags``: a synced dose on a lot put on
hold). Raw SQL per engine, column types as Piccolo writes them (so SQLite's converters
read timestamps and JSON back)."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T19:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dose reviews"


def _table(serial: str, timestamp: str) -> str:
    return f"""CREATE TABLE dose_review (
    id {serial},
    subject INTEGER NOT NULL REFERENCES subject (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    vaccine_groups JSON NOT NULL DEFAULT '[]',
    first_dose INTEGER NOT NULL REFERENCES dose (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    second_dose INTEGER NOT NULL REFERENCES dose (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    first_facility INTEGER NOT NULL REFERENCES facility (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    second_facility INTEGER NOT NULL REFERENCES facility (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    status VARCHAR(12) NOT NULL DEFAULT 'open',
    opened_at {timestamp} NOT NULL,
    resolved_at {timestamp},
    resolved_by INTEGER REFERENCES account (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    note VARCHAR(1000) NOT NULL DEFAULT ''
)"""


INDEXES = [
    # One review per pair of doses, however often the second is synced.
    "CREATE UNIQUE INDEX dose_review_pair ON dose_review (first_dose, second_dose)",
    "CREATE INDEX dose_review_subject ON dose_review (subject)",
    # The open reviews of a facility, on either side.
    "CREATE INDEX dose_review_first_facility ON dose_review (first_facility, status)",
    "CREATE INDEX dose_review_second_facility ON dose_review (second_facility, status)",
]

forwards = raw_sql_migration(
    ID,
    DESCRIPTION,
    sqlite=[
        _table("INTEGER PRIMARY KEY NOT NULL", "TIMESTAMPTZ"),
        "ALTER TABLE dose ADD COLUMN flags JSON NOT NULL DEFAULT '[]'",
        *INDEXES,
    ],
    postgres=[
        _table("SERIAL PRIMARY KEY", "TIMESTAMP WITH TIME ZONE"),
        "ALTER TABLE dose ADD COLUMN flags JSON NOT NULL DEFAULT '[]'",
        *INDEXES,
    ],
)

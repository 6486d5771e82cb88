"""AEFI (issue 14): the report (``aefi_report``) and the doses it is about with their
lots (``aefi_report_dose``). Raw SQL per engine, column types as Piccolo writes them (so
SQLite's converters read timestamps and JSON back)."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "aefi reports"


def _tables(serial: str, timestamp: str) -> list[str]:
    return [
        f"""CREATE TABLE aefi_report (
    id {serial},
    key VARCHAR(64) NOT NULL UNIQUE,
    subject INTEGER NOT NULL REFERENCES subject (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    facility INTEGER REFERENCES facility (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    place INTEGER REFERENCES place (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    onset_at {timestamp} NOT NULL,
    symptoms JSON NOT NULL DEFAULT '[]',
    symptom_list VARCHAR(20) NOT NULL DEFAULT '',
    seriousness VARCHAR(20) NOT NULL DEFAULT 'none',
    outcome VARCHAR(12) NOT NULL DEFAULT 'unknown',
    reporter INTEGER REFERENCES account (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    reporter_name VARCHAR(200) NOT NULL DEFAULT '',
    reporter_phone VARCHAR(20) NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    reported_at {timestamp} NOT NULL
)""",
        f"""CREATE TABLE aefi_report_dose (
    id {serial},
    report INTEGER NOT NULL REFERENCES aefi_report (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    dose INTEGER NOT NULL REFERENCES dose (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    lot INTEGER REFERENCES stock_lot (id) ON DELETE RESTRICT ON UPDATE CASCADE
)""",
    ]


INDEXES = [
    "CREATE INDEX aefi_report_subject ON aefi_report (subject)",
    # The lists scan by where the doses were given.
    "CREATE INDEX aefi_report_facility ON aefi_report (facility)",
    "CREATE INDEX aefi_report_place ON aefi_report (place)",
    "CREATE INDEX aefi_report_dose_report ON aefi_report_dose (report)",
    "CREATE INDEX aefi_report_dose_dose ON aefi_report_dose (dose)",
    # Per-lot counts.
    "CREATE INDEX aefi_report_dose_lot ON aefi_report_dose (lot)",
]

forwards = raw_sql_migration(
    ID,
    DESCRIPTION,
    sqlite=[*_tables("INTEGER PRIMARY KEY NOT NULL", "TIMESTAMPTZ"), *INDEXES],
    postgres=[*_tables("SERIAL PRIMARY KEY", "TIMESTAMP WITH TIME ZONE"), *INDEXES],
)

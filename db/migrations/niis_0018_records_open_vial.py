"""Vaccination records: the open vial a dose came from (``dose.open_vial``), written in
the dose's unit of work when its lot has more than one dose per vial (docs/records.md)."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "records open vial"

STATEMENTS = [
    "ALTER TABLE dose ADD COLUMN open_vial INTEGER REFERENCES stock_open_vial (id) ON DELETE RESTRICT ON UPDATE CASCADE",
    # A vial's doses (which doses came from this opening), for the session report.
    "CREATE INDEX dose_open_vial ON dose (open_vial) WHERE open_vial IS NOT NULL",
]

forwards = raw_sql_migration(ID, DESCRIPTION, sqlite=STATEMENTS, postgres=STATEMENTS)

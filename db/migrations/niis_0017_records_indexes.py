"""Vaccination records' composite indexes: one stored forecast per subject × group, the
due-list range scans by facility or commune, a child's doses in date order."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T16:47:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "records indexes"

INDEXES = [
    # One stored forecast per subject and vaccine group (rewritten, never duplicated).
    "CREATE UNIQUE INDEX subject_forecast_subject_group ON subject_forecast (subject, vaccine_group)",
    # Due lists: who in this facility (or commune) is due between two dates.
    "CREATE INDEX subject_forecast_facility_due ON subject_forecast (facility, due)",
    "CREATE INDEX subject_forecast_place_due ON subject_forecast (place, due)",
    # A child's history in date order; the same vaccine recently, anywhere.
    "CREATE INDEX dose_subject_on ON dose (subject, administered_on)",
]

forwards = raw_sql_migration(ID, DESCRIPTION, sqlite=INDEXES, postgres=INDEXES)

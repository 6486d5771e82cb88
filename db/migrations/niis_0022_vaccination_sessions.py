"""Sessions and campaigns (issue 14 §7): a planned vaccination session
(``vaccination_session``), the attendance of the children on its roster who were absent
or postponed (``session_attendance``; a vaccinated child is known by its doses'
``session``), a campaign (``campaign``), and the session and campaign a dose was given in
(``dose.session``, ``dose.campaign``). Raw SQL per engine, column types as Piccolo writes
them (so SQLite's converters read timestamps and JSON back)."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T23:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "vaccination sessions and campaigns"


def _tables(serial: str, timestamp: str) -> list[str]:
    return [
        f"""CREATE TABLE vaccination_session (
    id {serial},
    facility INTEGER NOT NULL REFERENCES facility (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    held_on DATE NOT NULL,
    place_name VARCHAR(200) NOT NULL DEFAULT '',
    kind VARCHAR(12) NOT NULL DEFAULT 'fixed',
    vaccine_groups JSON NOT NULL DEFAULT '[]',
    staff JSON NOT NULL DEFAULT '[]',
    status VARCHAR(12) NOT NULL DEFAULT 'planned',
    planned_by INTEGER REFERENCES account (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    planned_at {timestamp} NOT NULL,
    opened_at {timestamp},
    closed_at {timestamp},
    closed_by INTEGER REFERENCES account (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    report JSON
)""",
        f"""CREATE TABLE session_attendance (
    id {serial},
    session INTEGER NOT NULL REFERENCES vaccination_session (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    subject INTEGER NOT NULL REFERENCES subject (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    status VARCHAR(12) NOT NULL,
    reason VARCHAR(500) NOT NULL DEFAULT '',
    recorded_at {timestamp} NOT NULL,
    recorded_by INTEGER REFERENCES account (id) ON DELETE RESTRICT ON UPDATE CASCADE
)""",
        f"""CREATE TABLE campaign (
    id {serial},
    name VARCHAR(200) NOT NULL,
    vaccine_group VARCHAR(40) NOT NULL,
    min_age_months INTEGER NOT NULL,
    max_age_months INTEGER NOT NULL,
    place INTEGER REFERENCES place (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    facility INTEGER REFERENCES facility (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    target INTEGER NOT NULL,
    created_by INTEGER REFERENCES account (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    created_at {timestamp} NOT NULL
)""",
        "ALTER TABLE dose ADD COLUMN session INTEGER REFERENCES vaccination_session (id) "
        "ON DELETE RESTRICT ON UPDATE CASCADE",
        "ALTER TABLE dose ADD COLUMN campaign INTEGER REFERENCES campaign (id) ON DELETE RESTRICT ON UPDATE CASCADE",
    ]


INDEXES = [
    # A facility's sessions of a day (the vaccinator's "today").
    "CREATE INDEX vaccination_session_facility_day ON vaccination_session (facility, held_on)",
    "CREATE INDEX vaccination_session_day ON vaccination_session (held_on)",
    # One attendance per child per session (marking again replaces it).
    "CREATE UNIQUE INDEX session_attendance_child ON session_attendance (session, subject)",
    "CREATE INDEX session_attendance_subject ON session_attendance (subject)",
    "CREATE INDEX dose_session ON dose (session)",
    "CREATE INDEX dose_campaign ON dose (campaign)",
]

forwards = raw_sql_migration(
    ID,
    DESCRIPTION,
    sqlite=[*_tables("INTEGER PRIMARY KEY NOT NULL", "TIMESTAMPTZ"), *INDEXES],
    postgres=[*_tables("SERIAL PRIMARY KEY", "TIMESTAMP WITH TIME ZONE"), *INDEXES],
)

"""Resumable jobs (issue 14): ``job_progress``, how far ``niis recompute-forecasts`` got.
Raw SQL per engine, column types as Piccolo writes them (so SQLite's converters read
timestamps back)."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T19:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "job progress"


def _table(serial: str, timestamp: str) -> str:
    return f"""CREATE TABLE job_progress (
    id {serial},
    name VARCHAR(64) NOT NULL UNIQUE,
    label VARCHAR(64) NOT NULL DEFAULT '',
    last_id INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    started_at {timestamp} NOT NULL,
    updated_at {timestamp} NOT NULL,
    finished_at {timestamp}
)"""


forwards = raw_sql_migration(
    ID,
    DESCRIPTION,
    sqlite=[_table("INTEGER PRIMARY KEY NOT NULL", "TIMESTAMPTZ")],
    postgres=[_table("SERIAL PRIMARY KEY", "TIMESTAMP WITH TIME ZONE")],
)

"""A move between communes says why (the family moved for work, a wrong commune at
registration, …): shown in the record's history of moves and kept in the audit. Moves
recorded before have none (empty)."""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T19:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "subject move reason"

COLUMN = ["ALTER TABLE subject_move ADD COLUMN reason TEXT NOT NULL DEFAULT ''"]

forwards = raw_sql_migration(ID, DESCRIPTION, sqlite=COLUMN, postgres=COLUMN)

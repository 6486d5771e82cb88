"""PostgreSQL: a trigram index on subject names, for typo-tolerant search at national scale."""

from db.raw_migration import raw_sql_migration

ID = "2026-11-27T12:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "name search trigram index"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX subject_name_key_trgm ON subject USING gin (name_key gin_trgm_ops)",
    "CREATE INDEX guardian_name_key_trgm ON guardian USING gin (name_key gin_trgm_ops)",
]
SQLITE = ["CREATE INDEX name_trigram_lookup ON name_trigram (trigram, subject)"]


forwards = raw_sql_migration(ID, DESCRIPTION, sqlite=SQLITE, postgres=POSTGRES)

"""A parent account links to a subject once: two simultaneous claims cannot both insert."""

from db.raw_migration import raw_sql_migration

ID = "2026-11-27T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "parent link unique per account and subject"

STATEMENT = "CREATE UNIQUE INDEX parent_link_account_subject ON parent_link (account, subject)"


forwards = raw_sql_migration(ID, DESCRIPTION, sqlite=[STATEMENT], postgres=[STATEMENT])

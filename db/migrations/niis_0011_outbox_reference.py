"""The outbox points at no domain table: an opaque ``reference`` chosen by the sender
(``subject:42``, ``account:7``) replaces the foreign key to ``subject``.

Existing rows keep what they referred to (``subject`` 42 becomes ``subject:42``; rows
with no subject get an empty reference). Merges stop moving outbox rows, so the rows
entries of past merges that name ``outbox`` are dropped from ``subject_merge.moved``:
undoing such a merge leaves those messages where they are (they go to the same phone
either way) instead of updating a column that no longer exists.

SQLite cannot drop a column that is part of a foreign key: the table is rebuilt.
"""

from db.raw_migration import raw_sql_migration

ID = "2026-12-01T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox reference instead of subject"

COLUMNS = "id, channel, recipient, template, body, data, status, attempts, created_at, sent_at, last_error"

SQLITE = [
    """CREATE TABLE "outbox_new" ("id" INTEGER PRIMARY KEY NOT NULL, "channel" VARCHAR(8) NOT NULL DEFAULT '',
       "recipient" VARCHAR(255) NOT NULL DEFAULT '', "template" VARCHAR(48) NOT NULL DEFAULT '',
       "body" TEXT NOT NULL DEFAULT '', "data" JSON NOT NULL DEFAULT '{}',
       "reference" VARCHAR(64) NOT NULL DEFAULT '', "status" VARCHAR(12) NOT NULL DEFAULT 'pending',
       "attempts" INTEGER NOT NULL DEFAULT 0, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
       "sent_at" TIMESTAMPTZ DEFAULT null, "last_error" TEXT DEFAULT null)""",
    f"""INSERT INTO outbox_new ({COLUMNS}, reference)
        SELECT {COLUMNS}, CASE WHEN subject IS NULL THEN '' ELSE 'subject:' || subject END FROM outbox""",
    "DROP TABLE outbox",
    "ALTER TABLE outbox_new RENAME TO outbox",
    'CREATE INDEX outbox_status ON "outbox" ("status")',
    'CREATE INDEX outbox_reference ON "outbox" ("reference")',
]
# Past merges that moved outbox rows: their ``rows`` entries for ``outbox`` go.
SQLITE_PAST_MERGES = """UPDATE subject_merge SET moved = json_set(moved, '$.rows',
         json((SELECT json_group_array(json(value)) FROM json_each(subject_merge.moved, '$.rows')
               WHERE json_extract(value, '$.table') <> 'outbox')))
       WHERE EXISTS (SELECT 1 FROM json_each(subject_merge.moved, '$.rows')
                     WHERE json_extract(value, '$.table') = 'outbox')"""

POSTGRES = [
    "ALTER TABLE outbox ADD COLUMN reference VARCHAR(64) NOT NULL DEFAULT ''",
    "UPDATE outbox SET reference = 'subject:' || subject WHERE subject IS NOT NULL",
    "ALTER TABLE outbox DROP COLUMN subject",  # its index and foreign key go with it
    "CREATE INDEX outbox_reference ON outbox (reference)",
]
POSTGRES_PAST_MERGES = """UPDATE subject_merge SET moved = jsonb_set(moved::jsonb, '{rows}',
         COALESCE((SELECT jsonb_agg(entry) FROM jsonb_array_elements(moved::jsonb -> 'rows') AS entry
                   WHERE entry ->> 'table' <> 'outbox'), '[]'::jsonb))::json
       WHERE EXISTS (SELECT 1 FROM json_array_elements(moved -> 'rows') AS entry
                     WHERE entry ->> 'table' = 'outbox')"""


forwards = raw_sql_migration(
    ID, DESCRIPTION, sqlite=[*SQLITE, SQLITE_PAST_MERGES], postgres=[*POSTGRES, POSTGRES_PAST_MERGES]
)

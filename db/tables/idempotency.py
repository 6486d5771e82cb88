"""The answers to writes sent with an ``Idempotency-Key``, so a device that retries gets
the first answer again instead of writing twice.

Keys are per account: unique on (account, key), an index made in the migration
(Piccolo's ``Unique`` constraint is an ALTER TABLE SQLite cannot run). The index is also
what makes a concurrent second claim of a key wait until the first request commits."""

from piccolo.columns import Bytea, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from db.tables.accounts import Account


class IdempotencyKey(Table, tablename="idempotency_key"):
    id = Serial(primary_key=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade)
    key = Varchar(length=36)
    method = Varchar(length=8)
    path = Varchar(length=1024)
    # SHA-256 of the request body: a resubmission must send the same bytes.
    request_hash = Varchar(length=64)
    status = Integer()
    response_body = Bytea()
    content_type = Varchar(length=255)
    created_at = Timestamptz(index=True)

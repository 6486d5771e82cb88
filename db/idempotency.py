"""Storage of idempotency keys: the first answer to a write, replayed to a device that
sends the same write again. Every function runs inside the caller's write transaction,
so a key and the write it answers are committed (or rolled back) together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.custom_types import Combinable

from db.tables import IdempotencyKey

# Devices queue writes offline for days; the offline app may resend a week-old queue.
RETENTION = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Submission:
    """What makes a resubmission the same request: the route and the body's hash."""

    method: str
    path: str
    body_hash: str


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class Earlier:
    """The request first sent with a key, and the answer it was given."""

    submission: Submission
    answer: Answer


async def claim(account_id: int, key: str, submission: Submission, *, now: datetime) -> Earlier | None:
    """Take ``key`` for ``submission``: ``None`` when it is new, else what was stored for it.

    On PostgreSQL a second transaction claiming a key that a first has claimed but not
    committed waits on the unique index; once the first commits it finds the key taken
    and reads the stored answer. On SQLite the write lock serializes the two.
    """
    inserted = (
        await IdempotencyKey.insert(
            IdempotencyKey(
                account=account_id,
                key=key,
                method=submission.method,
                path=submission.path,
                request_hash=submission.body_hash,
                status=0,  # filled by ``store`` before the commit; never visible as 0
                response_body=b"",
                content_type="",
                created_at=now,
            )
        )
        .on_conflict(target=(IdempotencyKey.account, IdempotencyKey.key), action="DO NOTHING")
        .returning(IdempotencyKey.id)
    )
    if inserted:
        return None
    earlier = await answered(account_id, key)
    assert earlier is not None  # the conflict was on this very row, and keys are only pruned
    return earlier


async def answered(account_id: int, key: str) -> Earlier | None:
    """What was sent and answered under ``key`` (a batch item naming an earlier item's
    key, docs/records.md "Offline sync"), or ``None`` for a key never kept."""
    row = await IdempotencyKey.select().where(_the(account_id, key)).first()
    if row is None:
        return None
    return Earlier(
        submission=Submission(method=row["method"], path=row["path"], body_hash=row["request_hash"]),
        answer=Answer(status=int(row["status"]), body=bytes(row["response_body"]), content_type=row["content_type"]),
    )


async def store(account_id: int, key: str, answer: Answer) -> None:
    """Keep the answer to the request that claimed ``key``."""
    await IdempotencyKey.update(
        {
            IdempotencyKey.status: answer.status,
            IdempotencyKey.response_body: answer.body,
            IdempotencyKey.content_type: answer.content_type,
        }
    ).where(_the(account_id, key))


async def release(account_id: int, key: str) -> None:
    """Give ``key`` back: the request was refused, so a corrected one may use it."""
    await IdempotencyKey.delete().where(_the(account_id, key))


async def prune(*, now: datetime, keep: timedelta = RETENTION) -> int:
    """Forget keys older than ``keep``; answers how many were forgotten."""
    removed = await IdempotencyKey.delete().where(IdempotencyKey.created_at < now - keep).returning(IdempotencyKey.id)
    return len(removed)


def _the(account_id: int, key: str) -> Combinable:
    return (IdempotencyKey.account == account_id) & (IdempotencyKey.key == key)

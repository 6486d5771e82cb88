"""The batch sync: a device's queued writes applied in order, each in its own savepoint
of one command, each answered as the single request would be (docs/records.md,
"Offline sync").

An item is the write the device queued (method, path, body, key). It runs through the
same route as when sent alone (``dispatch``, given by the controller), with the item's
key as its ``Idempotency-Key``: so the idempotency store, the route's guards, its
validation and its answer are the single request's, and a write sent once alone and once
in a batch is one write. Only the kinds below are taken in a batch; every other write is
sent alone (the device knows the same list, pwa/js/outbox-db.js).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api import clock
from api.errors import Invalid
from api.sync import reviews
from api.sync.schemas import SyncItemIn, SyncItemOut, SyncOut
from db import idempotency
from db.unit_of_work import running, unit_of_work


@dataclass(frozen=True)
class Kind:
    """A write a batch takes: its name in the answer, its route, where its id is."""

    name: str
    method: str
    path: re.Pattern[str]
    id_at: tuple[str, ...]


def _kind(name: str, method: str, path: str, *id_at: str) -> Kind:
    return Kind(name, method, re.compile(path + "/?"), id_at)


# The field day's writes: registrations and their corrections, doses and voids, a
# session's attendance. Not the
# writes that count wrong tries (a move's proof, a parent's one-time code): a batch item
# that fails is rolled back, which would let a batch retry a guess many times uncounted.
KINDS = (
    _kind("subject.register", "POST", r"/api/subjects", "id"),
    _kind("subject.correct", "PATCH", r"/api/subjects/\d+", "id"),
    _kind("subject.death", "POST", r"/api/subjects/\d+/death", "id"),
    _kind("subject.pregnancy", "POST", r"/api/subjects/\d+/pregnancies", "id"),
    _kind("dose.record", "POST", r"/api/doses", "dose", "id"),
    _kind("dose.void", "POST", r"/api/doses/\d+/void", "dose", "id"),
    _kind("session.attendance", "POST", r"/api/sessions/\d+/attendance", "subject_id"),
)


def kind_of(method: str, path: str) -> Kind | None:
    return next((k for k in KINDS if k.method == method and k.path.fullmatch(path)), None)


class UnknownKey(Invalid):
    """A batch item names the key of a write the server has not applied."""

    code = "unknown_key"


async def subject_of_key(account_id: int, key: str) -> int:
    """The id of the subject registered under ``key`` by this account (in this batch or
    an earlier one, or alone): how a dose of a child registered offline names it."""
    earlier = await idempotency.answered(account_id, key)
    if (
        earlier is not None
        and kind_of(earlier.submission.method, earlier.submission.path.split("?")[0]) is KINDS[0]
        and 200 <= earlier.answer.status < 300
    ):
        return int(json.loads(earlier.answer.body)["id"])
    raise UnknownKey(
        f"No registration was received with key {key}: send the registration first (it may be "
        "waiting or refused on the device), then this write",
        details={"field": "subject_key", "reason": "unknown_key", "key": key},
    )


@dataclass(frozen=True)
class Reply:
    """What the item's route answered."""

    status: int
    body: bytes
    replayed: bool


Dispatch = Callable[[SyncItemIn, bytes | None], Awaitable[Reply]]


class _Refused(Exception):
    """Leaves the item's savepoint so that nothing of a refused item stays."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply


def body_bytes(item: SyncItemIn) -> bytes | None:
    if item.body is None:
        return None
    if isinstance(item.body, str):
        return item.body.encode()
    return json.dumps(item.body, separators=(",", ":"), ensure_ascii=False).encode()


def _subject_key(body: bytes | None) -> str | None:
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        return None  # the route answers the malformed body itself
    key = parsed.get("subject_key") if isinstance(parsed, dict) else None
    return key if isinstance(key, str) else None


def _id(kind: Kind, answer: Any) -> int | None:
    for step in kind.id_at:
        answer = answer.get(step) if isinstance(answer, dict) else None
    return answer if isinstance(answer, int) else None


def _refusal(item: SyncItemIn, kind: Kind | None, status: int, error: dict[str, Any]) -> SyncItemOut:
    details = error.get("details")
    fields: dict[str, str] = {}
    if isinstance(details, dict) and isinstance(details.get("field"), str):
        fields[details["field"]] = str(error.get("message", ""))
    return SyncItemOut(
        key=item.key, kind=kind.name if kind else None, outcome="refused", status=status, error=error, fields=fields
    )


def _refused_before(item: SyncItemIn, kind: Kind | None, code: str, message: str, status: int) -> SyncItemOut:
    return _refusal(item, kind, status, {"code": code, "message": message, "details": None})


async def _apply(item: SyncItemIn, kind: Kind, body: bytes | None, dispatch: Dispatch) -> SyncItemOut:
    try:
        async with unit_of_work():  # the item's savepoint
            reply = await dispatch(item, body)
            if reply.status >= 400:
                raise _Refused(reply)
    except _Refused as refused:
        answer = json.loads(refused.reply.body) if refused.reply.body else {}
        error = answer.get("error") if isinstance(answer, dict) else None
        return _refusal(item, kind, refused.reply.status, error or {"code": "error", "message": ""})
    answer = json.loads(reply.body) if reply.body else None
    outcome = SyncItemOut(
        key=item.key,
        kind=kind.name,
        outcome="already_applied" if reply.replayed else "applied",
        status=reply.status,
        id=_id(kind, answer),
        answer=answer,
    )
    if kind.name == "dose.record" and outcome.id is not None and not reply.replayed:
        outcome.conflicts, outcome.reviews = await reviews.needs_looking_at(outcome.id)
        if outcome.conflicts:
            outcome.outcome = "conflict"
    return outcome


async def apply_batch(
    account_id: int, items: Sequence[SyncItemIn], dispatch: Dispatch, *, last_synced_at: datetime | None
) -> SyncOut:
    """Apply ``items`` in order; a refused item does not stop the others, but one that
    names a refused item's key is refused too (``depends_on_refused``)."""
    assert running() is not None, "a batch is one command: run it inside the request's unit of work"
    refused: set[str] = set()
    answers: list[SyncItemOut] = []
    with reviews.device_last_synced(last_synced_at):
        for item in items:
            kind = kind_of(item.method, item.path)
            body = body_bytes(item)
            depends_on = _subject_key(body)
            if kind is None:
                answer = _refused_before(
                    item,
                    None,
                    "not_batchable",
                    f"{item.method} {item.path} is not taken in a batch: send it on its own",
                    422,
                )
            elif depends_on is not None and depends_on in refused:
                answer = _refused_before(
                    item,
                    kind,
                    "depends_on_refused",
                    f"This write names the write {depends_on}, which was refused: resolve that one first",
                    424,
                )
            else:
                answer = await _apply(item, kind, body, dispatch)
            answers.append(answer)
            if answer.status >= 500:
                break  # the server failed, not the write: it and the rest stay queued, in order
            if answer.outcome == "refused":
                refused.add(item.key)
    return SyncOut(
        synced_at=clock.current().now(),
        confirmed=[a.key for a in answers if a.outcome != "refused"],
        items=answers,
    )

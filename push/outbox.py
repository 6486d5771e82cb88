"""Queue a message in the ``outbox`` table.

A message is a row first (durable: nothing is lost when a gateway is down), sent later
by the delivery worker (a later issue). :func:`enqueue` writes the row inside the
caller's open write transaction, so the message exists exactly when the change that
decided to send it was committed; :func:`announce` runs after that commit.

Until a gateway exists the embedded set-up writes the body to the server log at INFO,
so a one-time code can be read there; in production the body (it may hold a code) is
never logged, only that a message waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from db.tables.push import REFERENCE_LENGTH, Outbox

log = logging.getLogger("niis.push")

Channel = Literal["sms", "push"]
CHANNELS: tuple[str, ...] = get_args(Channel)


class NotInTransaction(RuntimeError):
    """``enqueue`` was called outside a transaction: the row would be committed on its
    own, before (or without) the change that decided to send it."""


@dataclass(frozen=True, slots=True)
class Queued:
    id: int
    channel: str
    recipient: str
    template: str
    body: str
    reference: str


async def enqueue(
    *,
    channel: Channel,
    recipient: str,
    template: str,
    body: str,
    reference: str,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> Queued:
    """Insert one pending message in the caller's open transaction (it commits or rolls
    back with it), then :func:`announce` it once that transaction has committed.

    ``reference`` is what the message is about, in the caller's words (``subject:42``,
    ``account:7``): the outbox stores it for tracing and never interprets it.
    """
    if channel not in CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}")
    if not reference or len(reference) > REFERENCE_LENGTH:
        raise ValueError(f"A message's reference is 1 to {REFERENCE_LENGTH} characters, not {reference!r}")
    if Outbox._meta.db.current_transaction.get() is None:
        raise NotInTransaction("Queue a message inside the write transaction that decided to send it")
    created = await Outbox.insert(
        Outbox(
            channel=channel,
            recipient=recipient,
            template=template,
            body=body,
            data=data or {},
            reference=reference,
            status="pending",
            attempts=0,
            created_at=now,
        )
    ).returning(Outbox.id)
    return Queued(int(created[0]["id"]), channel, recipient, template, body, reference)


ACCOUNT = "account:"


def recipient_account(recipient: str) -> int | None:
    """The account a message is for (``account:<id>``), None for another recipient."""
    account_id = recipient.removeprefix(ACCOUNT)
    return int(account_id) if account_id != recipient and account_id.isdigit() else None


async def enqueue_to_accounts(
    accounts: Iterable[Mapping[str, Any]],
    *,
    template: str,
    body: Callable[[str], str],
    reference: str,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> int:
    """One push message for each account (rows with ``id`` and ``language``), in id
    order, ``body`` worded in the account's language (Vietnamese when it has none), in
    the caller's transaction as :func:`enqueue`; the number queued."""
    ordered = sorted(accounts, key=lambda account: account["id"])
    for account in ordered:
        await enqueue(
            channel="push",
            recipient=f"{ACCOUNT}{account['id']}",
            template=template,
            body=body(account["language"] or "vi"),
            reference=reference,
            now=now,
            data=data,
        )
    return len(ordered)


def announce(message: Queued, *, log_body: bool) -> None:
    """Log a committed message: with its body in the embedded set-up (no gateway yet)."""
    if log_body:
        log.info(
            "outbox %s %s to %s (%s): %s",
            message.id,
            message.channel,
            message.recipient,
            message.template,
            message.body,
        )
    else:
        log.info("outbox %s %s queued (%s)", message.id, message.channel, message.template)

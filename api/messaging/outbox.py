"""Queue a message in the ``outbox`` table.

A message is a row first (durable: nothing is lost when a gateway is down), sent later
by the notifications worker (a later issue). Until a gateway exists the embedded set-up
writes the body to the server log at INFO, so a one-time code can be read there; in
production the body (it may hold a code) is never logged, only that a message waits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from db.tables import Outbox

log = logging.getLogger("niis.messaging")

CHANNELS = ("sms", "push")


@dataclass(frozen=True, slots=True)
class Queued:
    id: int
    channel: str
    recipient: str
    template: str
    body: str


async def enqueue(
    *,
    channel: str,
    recipient: str,
    template: str,
    body: str,
    data: dict[str, Any] | None = None,
    subject_id: int | None = None,
) -> Queued:
    """Insert one pending message; call it inside the transaction that decided to send
    it, then :func:`announce` it once that transaction has committed."""
    if channel not in CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}")
    created = await Outbox.insert(
        Outbox(
            channel=channel,
            recipient=recipient,
            template=template,
            body=body,
            data=data or {},
            subject=subject_id,
            status="pending",
            attempts=0,
            created_at=datetime.now(UTC),
        )
    ).returning(Outbox.id)
    return Queued(int(created[0]["id"]), channel, recipient, template, body)


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

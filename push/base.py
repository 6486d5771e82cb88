"""What a sender is asked to deliver, what it answers, and how it fails.

Two interfaces, one per channel: :class:`PushSender` (Web Push to a browser's
subscription) and :class:`SmsGateway` (a text to a phone). The outbox worker talks to
them only, so a real adapter (pywebpush, an SMS provider's HTTP API) and the in-memory
doubles of :mod:`push.mock` are interchangeable.

A sender either returns a :class:`Sent` or raises a :class:`DeliveryError`: a
:class:`TemporaryFailure` (try again later: the service is down, rate-limited) or a
:class:`PermanentFailure` (trying again cannot help: the subscription is gone, the
number does not exist, the message was refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

Urgency = Literal["very-low", "low", "normal", "high"]


@dataclass(frozen=True, slots=True)
class PushSubscription:
    """A browser's Web Push subscription, as ``PushSubscription.toJSON()`` gives it."""

    endpoint: str
    p256dh: str  # the browser's public key (base64url), for encrypting the payload
    auth: str  # the shared authentication secret (base64url)


@dataclass(frozen=True, slots=True)
class PushMessage:
    """One notification for one subscription. ``ttl`` is how long (seconds) the push
    service keeps it for a browser that is offline; ``topic`` lets a newer message
    replace an undelivered older one with the same topic."""

    subscription: PushSubscription
    payload: bytes
    ttl: int = 24 * 60 * 60
    urgency: Urgency = "normal"
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """One text to one phone. ``recipient`` is E.164 (``+84912345678``)."""

    recipient: str
    body: str


@dataclass(frozen=True, slots=True)
class Sent:
    """Accepted for delivery. ``provider_id`` is the service's id for the message
    (the SMS gateway's message id, the push service's ``Location``), when it gives one."""

    provider_id: str | None = None


class DeliveryError(Exception):
    """A message was not accepted; ``message`` says why, for the outbox's ``last_error``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemporaryFailure(DeliveryError):
    """Try again later; ``retry_after`` (seconds) when the service said how long to wait."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """Sending the same message again cannot succeed."""


class SubscriptionGone(PermanentFailure):
    """The push service no longer knows the subscription (HTTP 404 or 410): the browser
    unsubscribed or the subscription expired; it should be forgotten."""


class InvalidRecipient(PermanentFailure):
    """The gateway refused the phone number (not a mobile number, does not exist)."""


@runtime_checkable
class PushSender(Protocol):
    """Delivers Web Push messages (VAPID-signed, payload encrypted for the subscription)."""

    async def send(self, message: PushMessage) -> Sent:
        """Hand ``message`` to the subscription's push service; raise :class:`DeliveryError`."""
        ...


@runtime_checkable
class SmsGateway(Protocol):
    """Delivers text messages through an SMS provider."""

    async def send(self, message: SmsMessage) -> Sent:
        """Hand ``message`` to the provider; raise :class:`DeliveryError`."""
        ...

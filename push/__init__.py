"""Delivery of messages to people (SMS, Web Push): the durable outbox, and the
interfaces a sender implements. Knows nothing of vaccines or subjects: what a message
is about is an opaque ``reference`` chosen by the caller.

Dependencies point one way: ``api → push → db``; nothing here imports ``api``.
"""

from push.base import (
    DeliveryError,
    InvalidRecipient,
    PermanentFailure,
    PushMessage,
    PushSender,
    PushSubscription,
    Sent,
    SmsGateway,
    SmsMessage,
    SubscriptionGone,
    TemporaryFailure,
)
from push.mock import MockPushSender, MockSmsGateway
from push.outbox import CHANNELS, Channel, NotInTransaction, Queued, announce, enqueue

__all__ = [
    "CHANNELS",
    "Channel",
    "DeliveryError",
    "InvalidRecipient",
    "MockPushSender",
    "MockSmsGateway",
    "NotInTransaction",
    "PermanentFailure",
    "PushMessage",
    "PushSender",
    "PushSubscription",
    "Queued",
    "Sent",
    "SmsGateway",
    "SmsMessage",
    "SubscriptionGone",
    "TemporaryFailure",
    "announce",
    "enqueue",
]

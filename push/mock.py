"""In-memory senders for tests: they record what they were asked to send and answer
what the test's ``handler`` says (by default: accepted), like httpx's ``MockTransport``.

>>> import asyncio
>>> from push import PushMessage, PushSubscription, Sent, SmsMessage, SubscriptionGone
>>> gateway = MockSmsGateway()
>>> asyncio.run(gateway.send(SmsMessage("+84912345678", "NIIS: ma 123456")))
Sent(provider_id='mock-1')
>>> [m.recipient for m in gateway.messages]
['+84912345678']

A handler that raises makes the sender fail that way (the message is still recorded):

>>> def gone(message: PushMessage) -> Sent:
...     raise SubscriptionGone("410 Gone")
>>> sender = MockPushSender(gone)
>>> asyncio.run(sender.send(PushMessage(PushSubscription("https://push.example/1", "k", "a"), b"{}")))
Traceback (most recent call last):
...
push.base.SubscriptionGone: 410 Gone
>>> len(sender.messages)
1
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from push.base import PushMessage, Sent, SmsMessage

M = TypeVar("M", PushMessage, SmsMessage)


class _Recording(Generic[M]):
    def __init__(self, handler: Callable[[M], Sent] | None = None) -> None:
        self.handler: Callable[[M], Sent] | None = handler
        self.messages: list[M] = []

    async def send(self, message: M) -> Sent:
        self.messages.append(message)
        if self.handler is not None:
            return self.handler(message)
        return Sent(provider_id=f"mock-{len(self.messages)}")


class MockPushSender(_Recording[PushMessage]):
    """A :class:`~push.base.PushSender` that keeps every message in ``messages``."""


class MockSmsGateway(_Recording[SmsMessage]):
    """A :class:`~push.base.SmsGateway` that keeps every message in ``messages``."""

"""The in-memory senders stand in for a real push service or SMS gateway: they record
what they were asked to send and fail the way a test tells them to."""

from __future__ import annotations

import pytest

from push import (
    InvalidRecipient,
    MockPushSender,
    MockSmsGateway,
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

SUBSCRIPTION = PushSubscription("https://fcm.googleapis.com/fcm/send/abc", p256dh="BKey", auth="secret")


async def test_the_sms_double_records_each_text_in_order() -> None:
    gateway: SmsGateway = MockSmsGateway()
    first = await gateway.send(SmsMessage("+84912345678", "ma 111111"))
    second = await gateway.send(SmsMessage("+84987654321", "ma 222222"))
    assert isinstance(gateway, MockSmsGateway)
    assert [(m.recipient, m.body) for m in gateway.messages] == [
        ("+84912345678", "ma 111111"),
        ("+84987654321", "ma 222222"),
    ]
    assert (first, second) == (Sent("mock-1"), Sent("mock-2"))


async def test_the_push_double_records_the_subscription_and_payload() -> None:
    sender: PushSender = MockPushSender()
    await sender.send(PushMessage(SUBSCRIPTION, b'{"title": "Lich tiem"}', urgency="high", topic="reminder-42"))
    assert isinstance(sender, MockPushSender)
    (sent,) = sender.messages
    assert (sent.subscription.endpoint, sent.payload, sent.urgency, sent.topic, sent.ttl) == (
        SUBSCRIPTION.endpoint,
        b'{"title": "Lich tiem"}',
        "high",
        "reminder-42",
        86400,
    )


async def test_a_gone_subscription_is_a_permanent_failure_the_double_can_report() -> None:
    def gone(message: PushMessage) -> Sent:
        raise SubscriptionGone(f"410 Gone: {message.subscription.endpoint}")

    sender = MockPushSender(gone)
    with pytest.raises(PermanentFailure, match="410 Gone"):
        await sender.send(PushMessage(SUBSCRIPTION, b"{}"))
    assert len(sender.messages) == 1  # asked, though not delivered


async def test_a_temporary_failure_says_when_to_try_again() -> None:
    def busy(message: SmsMessage) -> Sent:
        raise TemporaryFailure("429 Too Many Requests", retry_after=30)

    gateway = MockSmsGateway(busy)
    with pytest.raises(TemporaryFailure) as failure:
        await gateway.send(SmsMessage("+84912345678", "ma 111111"))
    assert (failure.value.message, failure.value.retry_after) == ("429 Too Many Requests", 30)
    assert not isinstance(failure.value, PermanentFailure)
    assert issubclass(InvalidRecipient, PermanentFailure) and issubclass(SubscriptionGone, PermanentFailure)


def test_the_doubles_satisfy_the_interfaces() -> None:
    assert isinstance(MockPushSender(), PushSender) and isinstance(MockSmsGateway(), SmsGateway)

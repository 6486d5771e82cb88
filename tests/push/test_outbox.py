"""A queued message is a row of the caller's transaction: it exists exactly when the
change that decided to send it was committed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from db.tables import Outbox
from db.unit_of_work import unit_of_work
from push import NotInTransaction, enqueue


class Refused(Exception):
    """The command failed after queueing its message."""


def message(**overrides: Any) -> dict[str, Any]:
    return {
        "channel": "sms",
        "recipient": "+84912345678",
        "template": "reminder",
        "body": "NIIS: lich tiem ngay 02/12",
        "reference": "subject:42",
        "now": datetime(2026, 12, 1, 23, 0, tzinfo=UTC),
        **overrides,
    }


async def test_a_committed_message_waits_in_the_outbox_with_its_reference(world: Any) -> None:
    async with unit_of_work():
        queued = await enqueue(**message(), data={"due": "2026-12-02"})
    row = await Outbox.select().where(Outbox.id == queued.id).first()
    assert row is not None
    assert (row["reference"], row["recipient"], row["status"], row["attempts"]) == (
        "subject:42",
        "+84912345678",
        "pending",
        0,
    )


async def test_a_message_queued_by_a_command_that_rolls_back_is_never_sent(world: Any) -> None:
    with pytest.raises(Refused):
        async with unit_of_work():
            await enqueue(**message(body="never sent"))
            raise Refused
    assert not await Outbox.exists().where(Outbox.body == "never sent")


async def test_queueing_outside_a_transaction_is_refused_and_writes_nothing(world: Any) -> None:
    with pytest.raises(NotInTransaction):
        await enqueue(**message(body="on its own"))
    assert not await Outbox.exists().where(Outbox.body == "on its own")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [({"channel": "fax"}, "Unknown channel"), ({"reference": ""}, "reference"), ({"reference": "x" * 65}, "reference")],
)
async def test_a_malformed_message_is_refused(world: Any, overrides: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        async with unit_of_work():
            await enqueue(**message(**overrides))
    assert await Outbox.count() == 0

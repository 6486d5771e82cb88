"""Delivery (SMS, Web Push): the outbox of messages waiting to be sent."""

from piccolo.columns import JSON, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

# ``subject:42``, ``account:7``: a kind and an id, with room for longer ids.
REFERENCE_LENGTH = 64


class Outbox(Table, tablename="outbox"):
    """Messages waiting to be delivered (SMS, Web Push): never lost when a gateway is down.

    ``reference`` says what a message is about in the sender's own words (``subject:42``,
    ``account:7``): delivery never reads it, so the table points at no domain table.
    """

    id = Serial(primary_key=True)
    channel = Varchar(length=8)
    recipient = Varchar(length=255)
    template = Varchar(length=48)
    body = Text()
    data = JSON(default="{}")
    reference = Varchar(length=REFERENCE_LENGTH, index=True)
    status = Varchar(length=12, default="pending", index=True)
    attempts = Integer(default=0)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)

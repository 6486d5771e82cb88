"""Messages to people (SMS, Web Push): queued in the outbox, delivered by a worker."""

__all__ = ["outbox"]

"""The append-only audit log: written by every write (services.record, inside its
transaction), read by officers for their area."""

__all__ = ["controllers", "services"]

"""Staff and parent accounts: create, change, list within the caller's area."""

__all__ = ["controllers", "services"]

"""Records that may be one person: the check at registration (services), the nightly job, merge and undo."""

__all__ = ["controllers", "job", "merge", "services"]

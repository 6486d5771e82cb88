"""Records that may be one person: the check at registration (services), the nightly job,
merge and undo, reopening a dismissed pair."""

__all__ = ["controllers", "job", "merge", "reopen", "services"]

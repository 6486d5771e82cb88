"""The rules engine over HTTP: a person's forecast (valid, due, overdue) from their history."""

__all__ = ["controllers", "schemas", "services"]

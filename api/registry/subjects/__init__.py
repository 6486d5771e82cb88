"""Subjects' records: register, read, correct, move, death, pregnancy; who may see which (deps)."""

__all__ = ["controllers", "deps", "schemas", "services", "validation"]

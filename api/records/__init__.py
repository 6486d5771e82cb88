"""Vaccination records: doses recorded (with their stock entry and open vial) or
historical, checked before saving, voided or corrected, the parent's message, and each
subject's stored forecast from them (docs/records.md)."""

__all__ = ["checks", "controllers", "deps", "messages", "schemas", "services"]

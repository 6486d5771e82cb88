"""Vaccination records: doses recorded (with their stock entry) or historical, voided,
and each subject's stored forecast from them (docs/records.md)."""

__all__ = [
    "aefi",
    "checks",
    "controllers",
    "deps",
    "due",
    "forecasts",
    "lots",
    "messages",
    "observations",
    "schemas",
    "services",
    "sessions",
]

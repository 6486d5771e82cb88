"""Adverse events following immunization: reports against doses, their alerts, per-lot
counts (docs/records.md, "AEFI and lot hold")."""

__all__ = ["controllers", "schemas", "services"]

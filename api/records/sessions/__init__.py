"""Vaccination sessions and campaigns: plan a session, its roster (the due list of its
facility on its day), the attendance, closing it with its open vials and its report; a
campaign's target group and progress (docs/records.md, "Sessions and campaigns")."""

__all__ = ["campaigns", "controllers", "schemas", "services"]

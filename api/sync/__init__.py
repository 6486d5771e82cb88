"""Offline sync: a device's queued writes applied in order in one request, each answered
applied, already applied, refused or conflict; and the reviews of cross-site double doses
that sync can reveal (docs/records.md, "Offline sync")."""

__all__ = ["controllers", "reviews", "schemas", "services", "subrequest"]

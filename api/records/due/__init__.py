"""Due lists: who is due or overdue, for what, and the vaccine a session needs, read
from the stored forecast by range scans (docs/records.md, "Due lists")."""

__all__ = ["controllers", "schemas", "services"]

"""The subject registry, by what it does: identity (codes, name keys), subjects (the
records), search, duplicates (detection and merge), cards (printed card and its QR),
transfers (taking over a subject from another area)."""

__all__ = ["cards", "changes", "duplicates", "identity", "reading", "search", "subjects", "transfers"]

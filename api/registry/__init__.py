"""The subject registry, by what it does: identity (codes, name keys), subjects (the
records), search, duplicates (detection and merge), cards (printed card and its QR)."""

__all__ = ["cards", "duplicates", "identity", "search", "subjects"]

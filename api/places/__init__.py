"""The administrative hierarchy as of any date (tree, services and the edits they make,
importer) and the facilities in it."""

__all__ = [
    "changes",
    "controllers",
    "deps",
    "editing",
    "facilities",
    "importer",
    "revocation",
    "schemas",
    "services",
    "tree",
]

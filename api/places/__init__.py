"""The administrative hierarchy as of any date (tree, services, importer) and the facilities in it."""

__all__ = ["changes", "controllers", "deps", "facilities", "importer", "revocation", "schemas", "services", "tree"]

"""The administrative hierarchy as of any date (tree, services, importer) and the facilities in it."""

__all__ = ["controllers", "deps", "facilities", "importer", "schemas", "services", "tree"]

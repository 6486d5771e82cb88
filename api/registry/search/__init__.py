"""Finding subjects by code, personal ID, phone or name, within an area; the name index both engines share."""

__all__ = ["index", "ranking", "services"]

"""Offline reading: a facility's subjects in the compact shape the field app downloads."""

__all__ = ["controllers", "services"]

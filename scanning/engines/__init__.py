"""Adapters around the barcode decoders, each returning :class:`Symbol` values."""

from scanning.engines.base import Symbol

__all__ = ["Symbol"]

"""Photos to barcodes over HTTP: decoding in a pool of worker processes, and what each code
resolves to for the caller."""

__all__ = ["controllers", "pool", "schemas", "services"]

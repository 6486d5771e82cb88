"""The printed subject card with its signed QR, what a scanned card resolves to, and
registration prefill from a citizen ID card."""

__all__ = ["controllers", "parser", "scanned", "services"]

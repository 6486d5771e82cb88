"""Vaccination certificates as SMART Health Cards: the issuer's key and JWK set, the
signed card of a subject's doses (QR, ``shc:/`` text), and verification (docs/records.md,
"Certificates")."""

__all__ = ["controllers", "schemas", "services", "shc"]

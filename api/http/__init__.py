"""HTTP hardening shared by every route: checks on a request before its body is decoded
(JSON only, nesting depth, the text rule) and the security headers of every response."""

__all__ = ["headers", "request_checks", "text"]

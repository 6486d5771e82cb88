"""HTTP hardening shared by every route: checks on requests before their body is
decoded, and the security headers of every response."""

from api.http.body import MAX_JSON_DEPTH, check_request
from api.http.headers import security_headers_middleware

__all__ = ["MAX_JSON_DEPTH", "check_request", "security_headers_middleware"]

"""Security headers on every response, the PWA's and the API's alike.

- ``Content-Security-Policy``: scripts, styles, pictures and connections from this
  origin only, no inline script or style (so injected markup cannot run), no framing
  (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for older browsers).
  The one exception is the API's documentation viewer (``/api/docs``), whose script
  and style come from a CDN; it shows the schema, no personal data.
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.
- ``Cache-Control: no-store`` on every ``/api`` answer unless the route chose its own:
  they carry personal data (children, guardians' phones, sessions), which must not stay
  in a shared tablet's cache or a proxy. The OpenAPI schema and its viewer are the
  exception (nothing personal in them). The PWA's static files keep their caching.
- ``Strict-Transport-Security`` in production only (``NIIS_ENV=production``): on the
  embedded set-up served over plain HTTP it would lock a browser out of the server.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

APP_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src {_CDN}",
        f"style-src 'self' 'unsafe-inline' {_CDN}",  # the viewer injects its styles at run time
        f"img-src 'self' data: {_CDN}",
        f"font-src 'self' data: {_CDN}",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
DOCS_PATH = "/api/docs"
HSTS = "max-age=31536000; includeSubDomains"


def security_headers_middleware(app: ASGIApp, *, production: bool) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path: str = scope["path"]
        docs = path == DOCS_PATH or path.startswith(DOCS_PATH + "/")
        personal = path.startswith("/api/") and not docs

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Content-Security-Policy"] = DOCS_POLICY if docs else APP_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                if personal and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
                if production:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware

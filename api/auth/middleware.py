"""Finds the caller from a bearer token or the session cookie; never refuses by itself
(guards decide), so public routes and the PWA's static files need no exemption list."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from api.auth.sessions import principal_for

SESSION_COOKIE = "niis_session"


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def authentication_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            scope["user"] = None
            await app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        principal = None
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if authorization.lower().startswith("bearer "):
            principal = await principal_for(authorization[7:].strip(), "bearer")
        else:
            token = _cookie(headers.get(b"cookie", b"").decode("latin-1"), SESSION_COOKIE)
            if token:
                principal = await principal_for(token, "cookie")
        scope["user"] = principal
        scope["auth"] = principal
        await app(scope, receive, send)

    return middleware

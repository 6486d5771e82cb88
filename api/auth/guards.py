"""Route guards: who may call a route at all. Scope (which rows) is checked by
``api.scope`` inside the handler, where the row is known."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from api.auth.principal import Principal
from api.auth.roles import Permission
from api.errors import Forbidden, NotAuthenticated

CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthenticated("Please sign in first (session expired or missing)")
    if connection.scope.get("method") not in _SAFE_METHODS and principal.via == "cookie":
        supplied = connection.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(supplied.encode(), principal.csrf_token.encode()):
            raise Forbidden(
                "Missing or wrong X-CSRF-Token header: reload the page and try again",
                details={"reason": "csrf"},
            )
    return principal


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    current_principal(connection)


def requires(permission: Permission) -> Guard:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = current_principal(connection)
        if not principal.can(permission):
            raise Forbidden(f"Your role ({principal.role.value}) may not do this ({permission.value})")

    guard.__name__ = f"requires_{permission.name.lower()}"
    return guard

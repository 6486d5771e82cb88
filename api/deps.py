"""What every handler may ask for by name, resolved once per request: the signed-in
``caller``, the ``actor`` the audit log names, and the caller's ``area`` (their
:class:`~api.scope.Scope`; Litestar keeps the name ``scope`` for the ASGI scope).

Guards run before these, so a handler that asks for ``area`` has already been let in.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from api.auth.guards import current_principal
from api.auth.principal import Principal
from api.context import Actor
from api.requests import actor as actor_of
from api.scope import Scope, scope_of


def provide_caller(request: Request[Any, Any, Any]) -> Principal:
    return current_principal(request)


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    return actor_of(request)


async def provide_area(caller: Principal) -> Scope:
    return await scope_of(caller)


DEPENDENCIES = {
    "caller": Provide(provide_caller, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "area": Provide(provide_area),
}

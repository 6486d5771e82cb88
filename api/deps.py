"""What every handler may ask for by name, resolved once per request: the signed-in
``caller``, the ``actor`` the audit log names, the caller's ``area`` (their
:class:`~api.scope.Scope`; Litestar keeps the name ``scope`` for the ASGI scope), and
the app's ``clock`` (``app.state.clock``, the one the request runs on: services read
the same one with ``api.clock.current()``), and the ``attempts`` counter that rate limits
share (Redis when configured, else in memory).

Guards run before these, so a handler that asks for ``area`` has already been let in.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from api.auth.guards import current_principal
from api.auth.principal import Principal
from api.auth.ratelimit import AttemptCounter
from api.clock import Clock
from api.context import Actor
from api.requests import actor as actor_of
from api.scope import Scope, scope_of


def provide_caller(request: Request[Any, Any, Any]) -> Principal:
    return current_principal(request)


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    return actor_of(request)


def provide_clock(state: State) -> Clock:
    clock: Clock = state.clock
    return clock


def provide_attempts(state: State) -> AttemptCounter:
    attempts: AttemptCounter = state.attempts
    return attempts


async def provide_area(caller: Principal, clock: Clock) -> Scope:
    return await scope_of(caller, clock.today())


DEPENDENCIES = {
    "caller": Provide(provide_caller, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "clock": Provide(provide_clock, sync_to_thread=False),
    "attempts": Provide(provide_attempts, sync_to_thread=False),
    "area": Provide(provide_area),
}

"""Small helpers controllers share."""

from __future__ import annotations

from typing import Any

from litestar import Request

from api.auth.guards import current_principal
from api.auth.principal import Principal
from api.context import Actor, request_id_var


def principal(request: Request[Any, Any, Any]) -> Principal:
    return current_principal(request)


def actor(request: Request[Any, Any, Any]) -> Actor:
    who = current_principal(request)
    device = request.headers.get("x-device-id")
    return Actor(
        account_id=who.account_id,
        username=who.username,
        request_id=request_id_var.get(),
        device_id=device[:128] if device else None,
    )

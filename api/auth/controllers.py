"""Sign in (cookie session for the PWA, bearer token for API clients), sign out, who am I."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from msgspec import Meta

from api.auth import services as service
from api.auth import signin_limits
from api.auth.guards import signed_in
from api.auth.middleware import SESSION_COOKIE
from api.auth.principal import Principal
from api.auth.sessions import principal_for
from api.context import Actor, request_id_var
from api.schemas import Input
from api.settings import Settings


class LoginIn(Input):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class PasswordIn(Input):
    current_password: Annotated[str, Meta(min_length=1, max_length=256)]
    new_password: Annotated[str, Meta(min_length=1, max_length=256)]


class Me(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str
    scope_place_id: int | None
    scope_facility_id: int | None
    language: str
    csrf_token: str | None


class LoginOut(msgspec.Struct):
    token: str
    csrf_token: str
    expires_at: datetime
    user: Me


def _client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", status_code=200)
    async def login(self, request: Request[Any, Any, Any], data: LoginIn) -> Response[LoginOut]:
        """Sign in. Sets an HttpOnly session cookie for the app and returns the same session
        as a bearer token for API clients. Repeated failures answer 429 with Retry-After
        (per address, per account and address, and a growing wait for an account's
        unknown addresses: see docs/foundation.md, "Sign-in limits")."""
        settings: Settings = request.app.state.settings
        device = signin_limits.device_id(request.cookies.get(signin_limits.DEVICE_COOKIE))
        signed = await service.login(
            data.username,
            data.password,
            client_address=_client_address(request),
            device=device,
            user_agent=request.headers.get("user-agent"),
            counter=request.app.state.attempts,
            limits=request.app.state.login_limits,
            session_hours=settings.session_hours,
            request_id=request_id_var.get(),
        )
        who = await principal_for(signed.token, "bearer")
        assert who is not None
        body = LoginOut(
            token=signed.token,
            csrf_token=signed.csrf_token,
            expires_at=signed.expires_at,
            user=_me(who, csrf=True),
        )
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=signed.token,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/",
            max_age=settings.session_hours * 3600,
        )
        # Kept a year: the phone that signed in is known to the account (signin_limits).
        device_cookie = Cookie(
            key=signin_limits.DEVICE_COOKIE,
            value=device,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/api/auth",
            max_age=365 * 24 * 3600,
        )
        return Response(body, cookies=[cookie, device_cookie])

    @post("/logout", guards=[signed_in], status_code=200)
    async def logout(self, actor: Actor, caller: Principal) -> Response[dict[str, bool]]:
        await service.logout(actor, caller)
        return Response({"signed_out": True}, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])

    @get("/me", guards=[signed_in])
    async def me(self, caller: Principal) -> Me:
        return _me(caller, csrf=caller.via == "cookie")

    @post("/password", guards=[signed_in], status_code=200)
    async def change_password(
        self, request: Request[Any, Any, Any], actor: Actor, caller: Principal, data: PasswordIn
    ) -> dict[str, bool]:
        """Change one's own password; the caller's other sessions end. Wrong current
        passwords count like failed sign-ins (429 with Retry-After when too many)."""
        await service.change_password(
            actor,
            caller,
            current=data.current_password,
            new=data.new_password,
            client_address=_client_address(request),
            counter=request.app.state.attempts,
            limits=request.app.state.login_limits,
        )
        return {"changed": True}


def _me(who: Principal, *, csrf: bool) -> Me:
    return Me(
        id=who.account_id,
        username=who.username,
        full_name=who.full_name,
        role=who.role.value,
        scope_place_id=who.scope_place_id,
        scope_facility_id=who.scope_facility_id,
        language=who.language,
        csrf_token=who.csrf_token if csrf else None,
    )

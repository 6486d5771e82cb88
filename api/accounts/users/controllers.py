"""Accounts over HTTP. Officers manage the users of their own area, at or below their rank."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, patch, post
from msgspec import Meta

from api.accounts.users import services as service
from api.auth import services as auth
from api.auth.guards import requires
from api.auth.principal import Principal
from api.auth.roles import Permission, Role, may_appoint
from api.context import Actor
from api.errors import Forbidden, NotFound
from api.places.deps import visible_facility
from api.schemas import Id, Input, Name
from api.scope import Scope

Username = Annotated[str, Meta(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$")]
Phone = Annotated[str, Meta(min_length=1, max_length=20)]
Language = Annotated[str, Meta(pattern=r"^(vi|en)$")]


class UserIn(Input):
    username: Username
    full_name: Name
    password: Annotated[str, Meta(min_length=1, max_length=256)]
    role: Role
    scope_place_id: Id | None = None
    scope_facility_id: Id | None = None
    phone: Phone | None = None
    language: Language = "vi"


class UserPatch(Input):
    full_name: Name | None = None
    phone: Phone | None = None
    language: Language | None = None
    active: bool | None = None


class UserOut(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str
    scope_place_id: int | None
    scope_facility_id: int | None
    phone: str | None
    language: str
    active: bool


async def _in_scope(scope: Scope, row: dict[str, Any]) -> bool:
    if scope.national:
        return True
    if row["scope_facility_id"] is not None and row["scope_facility_id"] == scope.facility_id:
        return True
    place_id = await service.account_place(row)
    return place_id is not None and scope.contains_place(place_id)


async def _visible_user(scope: Scope, user_id: int) -> tuple[Scope, dict[str, Any]]:
    row = await service.get(user_id)
    if not await _in_scope(scope, row):
        raise NotFound(f"User {user_id} not found")
    return scope, row


async def _changeable_user(scope: Scope, caller: Principal, user_id: int) -> dict[str, Any]:
    _, row = await _visible_user(scope, user_id)
    if not may_appoint(caller.role, Role(row["role"])):
        raise Forbidden(f"A {caller.role.value} may not change a {row['role']} account")
    return row


class UserController(Controller):
    path = "/api/users"
    tags = ["users"]

    @get("/", guards=[requires(Permission.USERS_READ)])
    async def list_users(self, area: Scope) -> list[UserOut]:
        rows = await service.listing(place_ids=area.place_ids(), facility_id=area.facility_id)
        return msgspec.convert(rows, list[UserOut])

    @get("/{user_id:int}", guards=[requires(Permission.USERS_READ)])
    async def get_user(self, area: Scope, user_id: int) -> UserOut:
        _, row = await _visible_user(area, user_id)
        return msgspec.convert(row, UserOut)

    @post("/", guards=[requires(Permission.USERS_WRITE)])
    async def create_user(self, area: Scope, actor: Actor, caller: Principal, data: UserIn) -> UserOut:
        if not may_appoint(caller.role, data.role):
            raise Forbidden(f"A {caller.role.value} may not create a {data.role.value} account")
        if data.scope_place_id is not None:
            area.require_place(data.scope_place_id)
        if data.scope_facility_id is not None:
            await visible_facility(area, data.scope_facility_id)
        row = await service.create(actor, **msgspec.structs.asdict(data))
        return msgspec.convert(row, UserOut)

    @patch("/{user_id:int}", guards=[requires(Permission.USERS_WRITE)])
    async def update_user(self, area: Scope, actor: Actor, caller: Principal, user_id: int, data: UserPatch) -> UserOut:
        await _changeable_user(area, caller, user_id)
        updated = await service.update(actor, user_id, msgspec.structs.asdict(data))
        return msgspec.convert(updated, UserOut)

    @post("/{user_id:int}/unlock-login", guards=[requires(Permission.USERS_WRITE)], status_code=200)
    async def unlock_login(
        self, request: Request[Any, Any, Any], area: Scope, actor: Actor, caller: Principal, user_id: int
    ) -> dict[str, int]:
        """Clear the account's failed sign-ins and waits, so its owner can sign in from a
        new device at once (audited as ``user.unlock_login``). Same rights as changing it."""
        row = await _changeable_user(area, caller, user_id)
        cleared = await auth.unlock_login(actor, user_id, row["username"], request.app.state.attempts)
        return {"cleared": cleared}

"""Staff and parent accounts."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from api import clock
from api.audit import services as audit
from api.auth import passwords
from api.auth.roles import FACILITY_ROLES, Role
from api.auth.sessions import end_other_sessions
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.phones import normalize_phone
from api.places.services import load_tree
from db.tables import Account, Facility
from db.unit_of_work import unit_of_work

# The level an officer's area must be, so that a role's scope means what it says.
OFFICER_LEVEL = {
    Role.NATIONAL_ADMIN: "country",
    Role.PROVINCE_OFFICER: "province",
    Role.COMMUNE_OFFICER: "commune",
}

PUBLIC_COLUMNS = (
    Account.id,
    Account.username,
    Account.full_name,
    Account.role,
    Account.scope_place.as_alias("scope_place_id"),
    Account.scope_facility.as_alias("scope_facility_id"),
    Account.phone,
    Account.language,
    Account.active,
)


async def _check_scope(role: Role, scope_place_id: int | None, scope_facility_id: int | None) -> int | None:
    """Validate the role's scope; return the place that the account belongs to (for the audit log)."""
    if role in FACILITY_ROLES:
        if scope_facility_id is None or scope_place_id is not None:
            raise Invalid(
                f"A {role.value} works at one facility: give scope_facility_id only", field="scope_facility_id"
            )
        row = await Facility.select(Facility.place).where(Facility.id == scope_facility_id).first()
        if row is None:
            raise Invalid(f"Facility {scope_facility_id} does not exist", field="scope_facility_id")
        return int(row["place"])
    if role is Role.PARENT:
        if scope_place_id is not None or scope_facility_id is not None:
            raise Invalid("A parent account has no area: it sees the children linked to it", field="role")
        return None
    if scope_place_id is None or scope_facility_id is not None:
        raise Invalid(f"A {role.value} is responsible for an area: give scope_place_id only", field="scope_place_id")
    tree = await load_tree()
    version = tree.version(scope_place_id, clock.current().today())
    if version is None:
        raise Invalid(f"Place {scope_place_id} does not exist today", field="scope_place_id")
    if version.level != OFFICER_LEVEL[role]:
        raise Invalid(
            f"A {role.value}'s area must be a {OFFICER_LEVEL[role]}, not a {version.level}",
            field="scope_place_id",
        )
    return scope_place_id


async def get(account_id: int) -> dict[str, Any]:
    row = await Account.select(*PUBLIC_COLUMNS).where(Account.id == account_id).first()
    if row is None:
        raise NotFound(f"User {account_id} not found")
    return row


async def account_place(row: dict[str, Any]) -> int | None:
    """The place an account belongs to: its area, or its facility's place."""
    if row["scope_facility_id"] is not None:
        facility = await Facility.select(Facility.place).where(Facility.id == row["scope_facility_id"]).first()
        return int(facility["place"]) if facility else None
    return row["scope_place_id"]


async def listing(*, place_ids: Collection[int] | None, facility_id: int | None = None) -> list[dict[str, Any]]:
    query = Account.select(*PUBLIC_COLUMNS).order_by(Account.username)
    if facility_id is not None:
        return await query.where(Account.scope_facility == facility_id)
    if place_ids is not None:
        ids = list(place_ids) or [-1]
        in_facilities = Facility.select(Facility.id).where(Facility.place.is_in(ids))
        facility_ids = [r["id"] for r in await in_facilities]
        query = query.where(Account.scope_place.is_in(ids) | Account.scope_facility.is_in(facility_ids or [-1]))
    return await query


async def create(
    actor: Actor,
    *,
    username: str,
    full_name: str,
    password: str,
    role: Role,
    scope_place_id: int | None = None,
    scope_facility_id: int | None = None,
    phone: str | None = None,
    language: str = "vi",
) -> dict[str, Any]:
    weakness = passwords.weakness(password, username=username, full_name=full_name)
    if weakness:
        raise Invalid(weakness, field="password")
    phone = normalize_phone(phone) if phone else None
    password_hash = passwords.hash_password(password)
    async with unit_of_work():
        place_id = await _check_scope(role, scope_place_id, scope_facility_id)
        if await Account.exists().where(Account.username == username):
            raise Conflict(f"The user name {username!r} is taken", details={"field": "username"})
        now = clock.current().now()
        account = Account(
            username=username,
            full_name=full_name,
            password_hash=password_hash,
            role=role.value,
            scope_place=scope_place_id,
            scope_facility=scope_facility_id,
            phone=phone,
            language=language,
            active=True,
            created_at=now,
            password_changed_at=now,
        )
        account_id = await audit.insert_audited(
            actor,
            account,
            action="user.create",
            entity="user",
            place_id=place_id,
            shown=("username", "full_name", "role", "scope_place", "scope_facility", "phone"),
        )
    return await get(account_id)


async def update(actor: Actor, account_id: int, requested: dict[str, Any]) -> dict[str, Any]:
    if requested.get("phone"):
        requested = {**requested, "phone": normalize_phone(requested["phone"])}
    async with unit_of_work():
        before = await get(account_id)
        changes = audit.changed_fields(before, requested)
        await audit.update_audited(
            actor,
            Account,
            account_id,
            before,
            changes,
            action="user.update",
            entity="user",
            place_id=await account_place(before),
        )
        if changes.get("active") is False:
            await end_other_sessions(account_id, None)
    return await get(account_id)

"""Signing in and out, and changing one's password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api import clock
from api.audit import services as audit
from api.auth import passwords
from api.auth import signin_limits as limiting
from api.auth.principal import Principal
from api.auth.ratelimit import AttemptCounter
from api.auth.sessions import create_session, end_other_sessions, end_session
from api.auth.signin_limits import LoginLimits
from api.context import Actor
from api.errors import Invalid, NotAuthenticated
from db.tables import Account
from db.unit_of_work import unit_of_work

# Verified when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = passwords.hash_password("not a real password, only for timing")


@dataclass(frozen=True)
class SignedIn:
    account_id: int
    token: str
    csrf_token: str
    expires_at: datetime


async def login(
    username: str,
    password: str,
    *,
    client_address: str,
    device: str | None = None,
    user_agent: str | None,
    counter: AttemptCounter,
    limits: LoginLimits,
    session_hours: int,
    request_id: str,
) -> SignedIn:
    await limiting.refuse_if_limited(counter, limits, username, client_address, device)
    row = (
        await Account.select(Account.id, Account.password_hash, Account.active, Account.username)
        .where(Account.username == username)
        .first()
    )
    valid = passwords.verify_password(row["password_hash"] if row else _DUMMY_HASH, password)
    if row is None or not valid or not row["active"]:
        await limiting.record_failure(counter, limits, username, client_address)
        raise NotAuthenticated("Wrong user name or password")
    await limiting.record_success(counter, username, client_address, device)
    actor = Actor(account_id=row["id"], username=row["username"], request_id=request_id)
    async with unit_of_work():
        if passwords.needs_rehash(row["password_hash"]):
            await Account.update({Account.password_hash: passwords.hash_password(password)}).where(
                Account.id == row["id"]
            )
        token, csrf_token, expires_at = await create_session(
            row["id"], hours=session_hours, client_address=client_address, user_agent=user_agent
        )
        await audit.record(actor, "session.login", "user", row["id"], after={"client_address": client_address})
    return SignedIn(row["id"], token, csrf_token, expires_at)


async def logout(actor: Actor, principal: Principal) -> None:
    async with unit_of_work():
        await end_session(principal.session_id)
        await audit.record(actor, "session.logout", "user", principal.account_id)


async def change_password(
    actor: Actor,
    principal: Principal,
    *,
    current: str,
    new: str,
    client_address: str,
    counter: AttemptCounter,
    limits: LoginLimits,
) -> None:
    """Change one's own password; every other session of the account ends.

    A wrong ``current`` counts like a failed sign-in from the caller's address: both are
    guesses of one password, so a stolen session gets no extra guesses.
    """
    await limiting.refuse_if_limited(counter, limits, principal.username, client_address)
    row = await Account.select(Account.password_hash).where(Account.id == principal.account_id).first()
    if row is None or not passwords.verify_password(row["password_hash"], current):
        await limiting.record_failure(counter, limits, principal.username, client_address)
        raise Invalid("The current password is wrong", field="current_password")
    await limiting.record_success(counter, principal.username, client_address)
    weakness = passwords.weakness(new, username=principal.username, full_name=principal.full_name)
    if weakness:
        raise Invalid(weakness, field="new_password")
    new_hash = passwords.hash_password(new)
    async with unit_of_work():
        await Account.update(
            {Account.password_hash: new_hash, Account.password_changed_at: clock.current().now()}
        ).where(Account.id == principal.account_id)
        await end_other_sessions(principal.account_id, principal.session_id)
        await audit.record(actor, "user.password_change", "user", principal.account_id)


async def unlock_login(actor: Actor, account_id: int, username: str, counter: AttemptCounter) -> int:
    """Clear an account's failed sign-ins and waits (its owner called the help desk); audited."""
    cleared = await limiting.clear_account(counter, username)
    async with unit_of_work():
        await audit.record(actor, "user.unlock_login", "user", account_id, after={"cleared": cleared})
    return cleared

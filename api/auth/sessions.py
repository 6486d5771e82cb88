"""Server-side sessions: a random token given to the client, its hash stored here."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Literal

from api import clock
from api.auth.principal import Principal
from api.auth.roles import Role
from db.tables import AuthSession


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_session(
    account_id: int, *, hours: int, client_address: str | None, user_agent: str | None
) -> tuple[str, str, datetime]:
    """Start a session; returns (token, csrf token, expiry). Only the token's hash is kept."""
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(24)
    now = clock.current().now()
    expires_at = now + timedelta(hours=hours)
    # Expired sessions of this account go as a new one starts, so the table stays small.
    await AuthSession.delete().where((AuthSession.account == account_id) & (AuthSession.expires_at <= now))
    await AuthSession.insert(
        AuthSession(
            token_hash=token_hash(token),
            account=account_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
            client_address=(client_address or "")[:64] or None,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    return token, csrf_token, expires_at


async def principal_for(token: str, via: Literal["cookie", "bearer"]) -> Principal | None:
    """The caller behind a session token, or None if the token is unknown, expired or
    belongs to a disabled account."""
    row = await (
        AuthSession.select(
            AuthSession.id,
            AuthSession.csrf_token,
            AuthSession.expires_at,
            AuthSession.account.id.as_alias("account_id"),
            AuthSession.account.username.as_alias("username"),
            AuthSession.account.full_name.as_alias("full_name"),
            AuthSession.account.role.as_alias("role"),
            AuthSession.account.scope_place.as_alias("scope_place_id"),
            AuthSession.account.scope_facility.as_alias("scope_facility_id"),
            AuthSession.account.active.as_alias("active"),
            AuthSession.account.language.as_alias("language"),
        )
        .where(AuthSession.token_hash == token_hash(token))
        .first()
    )
    if row is None or not row["active"]:
        return None
    if row["expires_at"] <= clock.current().now():  # timestamptz: aware on both engines
        return None
    return Principal(
        account_id=row["account_id"],
        username=row["username"],
        full_name=row["full_name"],
        role=Role(row["role"]),
        scope_place_id=row["scope_place_id"],
        scope_facility_id=row["scope_facility_id"],
        session_id=row["id"],
        csrf_token=row["csrf_token"],
        via=via,
        language=row["language"] or "vi",
    )


async def end_session(session_id: int) -> None:
    await AuthSession.delete().where(AuthSession.id == session_id)


async def end_other_sessions(account_id: int, keep_session_id: int | None) -> None:
    query = AuthSession.delete().where(AuthSession.account == account_id)
    if keep_session_id is not None:
        query = query.where(AuthSession.id != keep_session_id)
    await query

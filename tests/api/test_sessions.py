"""Server-side sessions at their boundaries, on literal times (the clock is moved with
time-machine): a session is good until one second before it expires and refused from
its expiry on; expired sessions of an account go when it starts a new one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from api.auth import sessions
from api.auth.roles import Role
from db.tables import Account, AuthSession

SIGNED_IN = datetime(2026, 12, 1, 8, 0, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 12, 1, 20, 0, 0, tzinfo=UTC)  # 12 hours later


def at(hour: int, minute: int = 0, second: int = 0, day: int = 1) -> Any:
    return time_machine.travel(datetime(2026, 12, day, hour, minute, second, tzinfo=UTC), tick=False)


async def test_a_session_is_good_until_its_expiry(world: Any) -> None:
    vac1 = world.users["vac1"]
    with at(8):
        token, csrf, expires = await sessions.create_session(
            vac1, hours=12, client_address="203.0.113.7", user_agent="Tablet"
        )
    assert expires == EXPIRES
    # 32 random bytes for the token, 24 for the CSRF token, in URL-safe base64.
    assert (len(token), len(csrf)) == (43, 32)
    row = await AuthSession.select().where(AuthSession.token_hash == sessions.token_hash(token)).first()
    assert (row["created_at"], row["expires_at"], row["csrf_token"]) == (SIGNED_IN, EXPIRES, csrf)
    with at(19, 59, 59):
        principal = await sessions.principal_for(token, "bearer")
    assert principal is not None
    assert (principal.account_id, principal.username, principal.role, principal.via) == (
        vac1,
        "vac1",
        Role.VACCINATOR,
        "bearer",
    )
    assert (principal.scope_facility_id, principal.scope_place_id) == (world.facilities["F1"], None)
    assert (principal.csrf_token, principal.language, principal.full_name) == (csrf, "vi", "Vac1")
    with at(7, 59, 59):  # before it began (a clock set back): still the same session
        assert await sessions.principal_for(token, "cookie") is not None
    for refused in (at(20), at(20, 0, 1), at(8, day=2)):
        with refused:
            assert await sessions.principal_for(token, "cookie") is None
    with at(12):
        assert await sessions.principal_for(token + "x", "bearer") is None


async def test_a_disabled_account_has_no_session(world: Any) -> None:
    with at(8):
        token, _, _ = await sessions.create_session(world.users["com1"], hours=1, client_address=None, user_agent=None)
    with at(8, 30):
        officer = await sessions.principal_for(token, "bearer")
    assert officer is not None
    assert (officer.role, officer.scope_place_id, officer.scope_facility_id) == (
        Role.COMMUNE_OFFICER,
        world.places["C1"],
        None,
    )
    await Account.update({Account.active: False}).where(Account.id == world.users["com1"])
    with at(8, 30):
        assert await sessions.principal_for(token, "bearer") is None


async def test_expired_sessions_go_when_the_account_signs_in_again(world: Any) -> None:
    vac1, com1 = world.users["vac1"], world.users["com1"]
    with at(8):
        expired, _, _ = await sessions.create_session(vac1, hours=1, client_address=None, user_agent=None)
        on_the_edge, _, _ = await sessions.create_session(vac1, hours=2, client_address=None, user_agent=None)
        someone_elses, _, _ = await sessions.create_session(com1, hours=1, client_address=None, user_agent=None)
    with at(10):  # the first expired at 9:00, the second expires now
        await sessions.create_session(vac1, hours=1, client_address=None, user_agent=None)
    kept = {r["token_hash"] for r in await AuthSession.select(AuthSession.token_hash)}
    assert sessions.token_hash(expired) not in kept and sessions.token_hash(on_the_edge) not in kept
    assert sessions.token_hash(someone_elses) in kept  # another account's: left for its own next sign-in
    assert await AuthSession.count().where(AuthSession.account == vac1) == 1
    with at(8, 59, 59):  # one second before it expires: kept
        await sessions.create_session(com1, hours=1, client_address=None, user_agent=None)
    assert sessions.token_hash(someone_elses) in {r["token_hash"] for r in await AuthSession.select()}


async def test_only_the_tokens_hash_and_a_trimmed_client_are_kept(world: Any) -> None:
    with at(8):
        token, _, _ = await sessions.create_session(
            world.users["vac1"], hours=1, client_address="2001:db8::" + "1" * 80, user_agent="U" * 300
        )
        bare, _, _ = await sessions.create_session(world.users["vac1"], hours=1, client_address="", user_agent="")
    row = await AuthSession.select().where(AuthSession.token_hash == sessions.token_hash(token)).first()
    assert row is not None and token not in str(row)
    assert (len(row["client_address"]), len(row["user_agent"])) == (64, 255)
    assert row["client_address"].startswith("2001:db8::1")
    row = await AuthSession.select().where(AuthSession.token_hash == sessions.token_hash(bare)).first()
    assert (row["client_address"], row["user_agent"]) == (None, None)
    # The hash is SHA-256 of the token, hex: what a leaked table cannot be used as.
    assert sessions.token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


async def test_signing_out_elsewhere_keeps_this_session(world: Any) -> None:
    vac1 = world.users["vac1"]
    with at(8):
        here, _, _ = await sessions.create_session(vac1, hours=1, client_address=None, user_agent=None)
        there, _, _ = await sessions.create_session(vac1, hours=1, client_address=None, user_agent=None)
        other, _, _ = await sessions.create_session(world.users["com1"], hours=1, client_address=None, user_agent=None)
        principal = await sessions.principal_for(here, "bearer")
        assert principal is not None
        await sessions.end_other_sessions(vac1, principal.session_id)
        assert await sessions.principal_for(here, "bearer") is not None
        assert await sessions.principal_for(there, "bearer") is None
        assert await sessions.principal_for(other, "bearer") is not None
        await sessions.end_session(principal.session_id)
        assert await sessions.principal_for(here, "bearer") is None
        assert await sessions.principal_for(other, "bearer") is not None
        await sessions.end_other_sessions(world.users["com1"], None)
        assert await sessions.principal_for(other, "bearer") is None


async def test_the_session_speaks_the_accounts_language(world: Any) -> None:
    vac1 = world.users["vac1"]
    with at(8):
        token, _, _ = await sessions.create_session(vac1, hours=1, client_address=None, user_agent=None)
        await Account.update({Account.language: "en"}).where(Account.id == vac1)
        principal = await sessions.principal_for(token, "cookie")
        assert principal is not None and principal.language == "en"
        await Account.update({Account.language: ""}).where(Account.id == vac1)  # never chosen
        principal = await sessions.principal_for(token, "cookie")
        assert principal is not None and principal.language == "vi"

"""Sign-in limits keep guessing out without a lockout button: strangers' failures never
keep an account's owner out of a place it signed in from, one address is limited, many
addresses together get a bounded number of guesses, and an officer (or the CLI) can
clear an account's waits. Each runs with counts in memory, in Redis, and with Redis down."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from redis.asyncio import Redis

from api.auth import signin_limits
from api.auth.ratelimit import RedisAttemptCounter
from api.auth.signin_limits import BACKOFF_WINDOW_SECONDS, LoginLimits, backoff_seconds
from api.settings import Settings, SettingsError
from db.tables import AuditEvent
from tests.api.conftest import REDIS_URL, closed_port, needs_redis
from tests.conftest import REPO
from tests.world import PASSWORD

OWNER_DESK = "198.51.100.10"


async def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def guess_from_many_addresses(client_at: Any, username: str, count: int) -> list[Any]:
    answers = []
    for n in range(count):
        async with client_at(f"203.0.113.{100 + n}") as stranger:
            answers.append(await login(stranger, username, f"guess number {n}"))
    return answers


def assert_too_many(answer: Any, *, at_most: int) -> None:
    assert answer.status_code == 429, answer.text
    retry_after = int(answer.headers["Retry-After"])
    assert 0 < retry_after <= at_most
    assert answer.json()["error"]["details"]["retry_after"] == retry_after
    assert f"hãy thử lại sau {retry_after} giây" in answer.json()["error"]["message"]  # Vietnamese by default


async def test_strangers_guessing_do_not_keep_the_owner_out_of_a_known_address(client_at: Any, counter: Any) -> None:
    """The lockout button: five wrong passwords used to lock ``admin`` everywhere for 15 minutes."""
    async with client_at(OWNER_DESK) as desk:
        assert (await login(desk, "admin")).status_code == 200
        answers = await guess_from_many_addresses(client_at, "admin", 12)
        assert [a.status_code for a in answers[:5]] == [401] * 5
        assert (await login(desk, "admin")).status_code == 200
        # The owner's own typo at the desk is forgiven by the next right password.
        assert (await login(desk, "admin", "mistyped")).status_code == 401
        assert (await login(desk, "admin")).status_code == 200


async def test_the_owners_phone_signs_in_from_a_new_address_while_strangers_guess(client_at: Any, counter: Any) -> None:
    """A phone changes address; its device cookie from an earlier sign-in is what is known."""
    async with client_at("198.51.100.20") as phone_at_home:
        assert (await login(phone_at_home, "parent1")).status_code == 200
        device = phone_at_home.cookies[signin_limits.DEVICE_COOKIE]
    await guess_from_many_addresses(client_at, "parent1", 8)
    async with client_at("192.0.2.77") as phone_on_mobile_data:
        phone_on_mobile_data.cookies.set(signin_limits.DEVICE_COOKIE, device)
        assert (await login(phone_on_mobile_data, "parent1")).status_code == 200
    async with client_at("192.0.2.78") as forged:
        # A made-up device id is just another unknown device.
        forged.cookies.set(signin_limits.DEVICE_COOKIE, "x" * 22)
        assert_too_many(await login(forged, "parent1"), at_most=signin_limits.FIRST_WAIT_SECONDS)


async def test_one_address_gets_five_guesses_at_an_account_then_waits_for_the_window(client: Any, counter: Any) -> None:
    for _ in range(5):
        assert (await login(client, "com1", "wrong password")).status_code == 401
    assert_too_many(await login(client, "com1", "wrong password"), at_most=900)
    # The right password from that address waits too: it is the one that guessed.
    assert_too_many(await login(client, "com1"), at_most=900)
    # Another account from the same address is not held back (the address's own limit is higher).
    assert (await login(client, "prov1")).status_code == 200


async def test_many_failures_from_one_address_are_limited_across_accounts(client: Any, counter: Any) -> None:
    for n in range(20):
        assert (await login(client, f"user{n}", "wrong password")).status_code == 401
    assert_too_many(await login(client, "com1"), at_most=900)


async def test_guesses_from_many_addresses_are_slowed_down_per_account(client_at: Any, counter: Any) -> None:
    answers = await guess_from_many_addresses(client_at, "com1", 20)
    assert [a.status_code for a in answers[:5]] == [401] * 5
    for answer in answers[5:]:
        assert_too_many(answer, at_most=signin_limits.FIRST_WAIT_SECONDS)
    assert "từ nơi lạ" in answers[-1].json()["error"]["message"]  # "from new places"
    # A new address waits, even with the right password: it cannot be told from a guesser's.
    async with client_at("192.0.2.50") as new_tablet:
        assert_too_many(await login(new_tablet, "com1"), at_most=signin_limits.FIRST_WAIT_SECONDS)
    # An unknown user name is slowed down the same way, so a 429 tells nothing about who exists.
    unknown = await guess_from_many_addresses(client_at, "no.such.user", 6)
    assert [a.status_code for a in unknown] == [401] * 5 + [429]


def test_an_account_gets_a_bounded_number_of_guesses_per_hour_from_anywhere() -> None:
    """Replays the back-off: a guesser waiting exactly as told, over a full day."""
    limits = LoginLimits()
    guesses_at: list[int] = []
    now, window_started, failures = 0, 0, 0
    while now < 24 * 3600:
        if now - window_started >= BACKOFF_WINDOW_SECONDS or failures == 0:
            window_started, failures = now, 0
        failures += 1
        guesses_at.append(now)
        now += max(1, backoff_seconds(failures, limits))
    busiest_hour = max(sum(1 for t in guesses_at if start <= t < start + 3600) for start in guesses_at)
    assert busiest_hour <= 12  # docs/foundation.md says "at most about 12"
    assert len(guesses_at) <= 24 * 12


async def test_an_officer_clears_the_wait_and_it_is_audited(
    client_at: Any, counter: Any, world: Any, token_for: Any
) -> None:
    await guess_from_many_addresses(client_at, "com1", 8)
    async with client_at("192.0.2.50") as new_tablet:
        assert (await login(new_tablet, "com1")).status_code == 429
        path = f"/api/users/{world.users['com1']}/unlock-login"
        refused = await new_tablet.post(path, headers=await token_for("vac1"))
        assert refused.status_code == 403
        unlocked = await new_tablet.post(path, headers=await token_for("prov1"))
        assert unlocked.status_code == 200 and unlocked.json()["cleared"] >= 2
        assert (await login(new_tablet, "com1")).status_code == 200
    audit = await AuditEvent.select(AuditEvent.entity_id, AuditEvent.actor_name).where(
        AuditEvent.action == "user.unlock_login"
    )
    assert audit == [{"entity_id": str(world.users["com1"]), "actor_name": "prov1"}]


def niis_unlock_login(database_url: str, username: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "NIIS_REDIS_URL"}
    environ.update(NIIS_DATABASE_URL=database_url, NIIS_SECRET_KEY="t" * 40, **env)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "unlock-login", username],
        env=environ,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_redis
async def test_niis_unlock_login_clears_the_counts_the_servers_share_in_redis(
    app: Any, client_at: Any, database: Any, world: Any
) -> None:
    redis = Redis.from_url(REDIS_URL)  # type: ignore[arg-type]
    app.state.attempts = RedisAttemptCounter(redis)  # the servers' own keys, which the CLI clears
    try:
        await guess_from_many_addresses(client_at, "com1", 8)
        async with client_at("192.0.2.50") as new_tablet:
            assert (await login(new_tablet, "com1")).status_code == 429
            done = niis_unlock_login(database.url, "com1", NIIS_REDIS_URL=REDIS_URL or "")
            assert done.returncode == 0, done.stderr
            assert "Cleared" in done.stdout and "com1" in done.stdout
            assert (await login(new_tablet, "com1")).status_code == 200
        typo = niis_unlock_login(database.url, "comm1", NIIS_REDIS_URL=REDIS_URL or "")
        assert typo.returncode == 2 and "no user named comm1" in typo.stderr
    finally:
        await app.state.attempts.forget("login:")  # known addresses too: the next run starts clean
        await redis.aclose()


def test_niis_unlock_login_without_redis_says_what_it_cannot_reach(database: Any, world: Any) -> None:
    refused = niis_unlock_login(database.url, "com1")
    assert refused.returncode == 1
    assert "own memory" in refused.stderr and "Restart the server" in refused.stderr
    assert "unlock-login" in refused.stderr  # the way that does reach it
    gone = niis_unlock_login(database.url, "com1", NIIS_REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    assert gone.returncode == 1 and "does not answer" in gone.stderr and "nothing was cleared" in gone.stderr
    assert "Traceback" not in gone.stderr


def test_the_old_per_account_lock_setting_is_refused_at_start() -> None:
    with pytest.raises(SettingsError, match=r"no longer used.*NIIS_LOGIN_ATTEMPTS_PER_ACCOUNT_ADDRESS"):
        Settings.from_environment({"NIIS_LOGIN_ATTEMPTS_PER_ACCOUNT": "5", "NIIS_SECRET_KEY": "k" * 40})
    limits = Settings.from_environment(
        {"NIIS_LOGIN_ATTEMPTS_PER_ADDRESS": "30", "NIIS_LOGIN_BACKOFF_AFTER": "3", "NIIS_SECRET_KEY": "k" * 40}
    ).login_limits
    assert (limits.per_address, limits.backoff_after, limits.per_account_address) == (30, 3, 5)

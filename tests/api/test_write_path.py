"""The write path as a user meets it: two devices correcting the same record at once,
and "today" being Vietnam's date whatever the server's time zone."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar

from api import clock
from tests.api.test_registry import child
from tests.conftest import Database


@asynccontextmanager
async def subject_row_held(database: Database, subject_id: int, writers: int) -> AsyncIterator[None]:
    """Another session holds the subject's row (PostgreSQL) or the write lock (SQLite)
    until ``writers`` requests have read it and are waiting to write: both of them
    then read the same version, as two devices saving at the same moment do."""
    if database.kind == "postgres":
        import asyncpg

        holder = await asyncpg.connect(database.url)
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT id FROM subject WHERE id = $1 FOR UPDATE", subject_id)
        try:
            yield
            for _ in range(200):  # until both requests wait for the row (a real lock wait, no sleep guess)
                waiting = await holder.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if waiting >= writers:
                    break
                await asyncio.sleep(0.02)
        finally:
            await transaction.rollback()
            await holder.close()
    else:
        holder_sqlite = sqlite3.connect(database.url.removeprefix("sqlite:///"), isolation_level=None)
        holder_sqlite.execute("BEGIN IMMEDIATE")
        try:
            yield
            await asyncio.sleep(0.3)  # SQLite cannot say who waits; both requests queue for the lock
        finally:
            holder_sqlite.execute("ROLLBACK")
            holder_sqlite.close()


async def test_two_corrections_sent_with_the_same_version_one_wins(
    client: Any, world: Any, token_for: Any, database: Database
) -> None:
    subject_id = world.subjects["S1"]
    first_device, second_device = await token_for("com1"), await token_for("vac1")
    before = (await client.get(f"/api/subjects/{subject_id}", headers=first_device)).json()
    bodies = [
        {"version": before["version"], "address_detail": "Số 1 phố Kim Mã"},
        {"version": before["version"], "address_detail": "Số 9 phố Liễu Giai"},
    ]

    async def save(headers: dict[str, str], body: dict[str, Any]) -> Any:
        return await client.patch(f"/api/subjects/{subject_id}", headers=headers, json=body)

    async with subject_row_held(database, subject_id, writers=2):
        saving = asyncio.gather(save(first_device, bodies[0]), save(second_device, bodies[1]))
        await asyncio.sleep(0)  # let both requests start before the row is released
    answers = await saving

    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200).json()
    loser = next(a for a in answers if a.status_code == 409).json()["error"]
    assert loser["details"] == {"field": "version", "current_version": before["version"] + 1}
    now = (await client.get(f"/api/subjects/{subject_id}", headers=first_device)).json()
    assert now["address_detail"] == winner["address_detail"]
    assert now["version"] == before["version"] + 1
    audit = (
        await client.get("/api/audit", params={"entity": "subject", "entity_id": str(subject_id)}, headers=first_device)
    ).json()
    assert [e["after"]["address_detail"] for e in audit if e["action"] == "subject.correct"] == [
        winner["address_detail"]
    ]


@pytest.fixture
def server_in_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's time zone is UTC, as on most servers."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def app_clock(app: Litestar) -> Iterator[clock.FixedClock]:
    """The app on a fixed clock: 23:00 UTC on 1 December 2026, 06:00 on the 2nd in Vietnam."""
    fixed = clock.FixedClock(datetime(2026, 12, 1, 23, 0, tzinfo=UTC))
    app.state.clock = fixed
    with clock.using(fixed):  # the test's own sessions are issued on it too
        yield fixed
    app.state.clock = clock.SYSTEM_CLOCK


async def test_a_child_born_this_morning_in_vietnam_registers_on_a_utc_server(
    client: Any, world: Any, token_for: Any, server_in_utc: None, app_clock: clock.FixedClock
) -> None:
    headers = await token_for("vac1")
    born_today = await client.post("/api/subjects", json=child(world, birth_date="2026-12-02"), headers=headers)
    assert born_today.status_code == 201, born_today.text
    tomorrow = child(world, full_name="Trần Bảo Ngọc", birth_date="2026-12-03", guardians=[])
    refused = await client.post("/api/subjects", json=tomorrow, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["field"] == "birth_date"
    assert refused.json()["error"]["message"] == "Ngày sinh ở tương lai"  # "in the future"


async def test_a_forecast_without_a_date_is_for_today_in_vietnam(
    client: Any, world: Any, token_for: Any, server_in_utc: None, app_clock: clock.FixedClock
) -> None:
    headers = await token_for("vac1")
    born_today = await client.post("/api/forecast", json={"birth_date": "2026-12-02"}, headers=headers)
    assert born_today.status_code == 200, born_today.text
    tomorrow = await client.post("/api/forecast", json={"birth_date": "2026-12-03"}, headers=headers)
    assert tomorrow.status_code == 422, tomorrow.text

"""The unit of work keeps a command's writes together: all committed, or none, and the
after-commit work runs once, only after a real commit (both engines)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from db.engine import bump_generation, generation, use
from db.tables import Subject
from db.unit_of_work import (
    UnitOfWorkError,
    lock_row,
    on_commit,
    own_unit_of_work,
    unit_of_work,
    update_if_version,
)
from tests.conftest import Database


class Refused(Exception):
    pass


@pytest.fixture
def counter(database: Database) -> str:
    """A fresh generation name: a row this test alone writes."""
    use(database.engine)
    return f"t-{uuid.uuid4().hex[:12]}"


async def test_a_unit_of_work_commits_its_writes(counter: str) -> None:
    async with unit_of_work():
        await bump_generation(counter)
        await bump_generation(counter)
    assert await generation(counter) == 2


async def test_an_error_rolls_back_everything_and_runs_no_hook(counter: str) -> None:
    ran: list[str] = []
    with pytest.raises(Refused):
        async with unit_of_work():
            await bump_generation(counter)
            on_commit(lambda: ran.append("hook"))
            raise Refused
    assert await generation(counter) == 0
    assert ran == []


async def test_a_nested_unit_joins_the_outer_one(database: Database, counter: str) -> None:
    """The inner block's write is undone when the outer block fails after it ended."""
    with pytest.raises(Refused):
        async with unit_of_work() as outer:
            async with unit_of_work() as inner:
                assert inner is outer
                await bump_generation(counter)
            # Still the one open transaction: nothing is committed yet.
            assert database.engine.current_transaction.get() is not None
            raise Refused
    assert await generation(counter) == 0


async def test_a_hook_runs_once_after_the_outermost_commit(database: Database, counter: str) -> None:
    seen: list[tuple[int, bool]] = []

    async def after() -> None:
        # The transaction is over and the write is there for everyone.
        seen.append((await generation(counter), database.engine.current_transaction.get() is None))

    async with unit_of_work():
        async with unit_of_work():
            await bump_generation(counter)
            on_commit(after)
        assert seen == []  # the inner block ending is no commit
    assert seen == [(1, True)]


async def test_a_failed_nested_block_undoes_only_its_own_writes_and_hooks(counter: str) -> None:
    """A caller that catches what a nested block raised and goes on commits the rest,
    and nothing of the failed block (it was a savepoint)."""
    ran: list[str] = []
    async with unit_of_work():
        await bump_generation(counter)
        with pytest.raises(Refused):
            async with unit_of_work():
                await bump_generation(counter)
                on_commit(lambda: ran.append("undone block"))
                raise Refused
        async with unit_of_work():
            await bump_generation(counter)
            on_commit(lambda: ran.append("kept block"))
    assert await generation(counter) == 2
    assert ran == ["kept block"]


async def test_a_command_that_fails_after_writing_keeps_nothing(counter: str) -> None:
    """How a write request that answers an error is rolled back (see api.commands)."""
    async with unit_of_work(begin=False) as command:
        async with unit_of_work():
            await bump_generation(counter)
        command.fail()
    assert await generation(counter) == 0


async def test_a_job_step_commits_on_its_own_inside_a_failing_command(counter: str) -> None:
    with pytest.raises(Refused):
        async with unit_of_work(begin=False):
            async with own_unit_of_work():
                await bump_generation(counter)
            raise Refused
    assert await generation(counter) == 1


async def test_a_job_step_joins_a_command_that_has_written(counter: str) -> None:
    other = f"{counter}-other"
    with pytest.raises(Refused):
        async with unit_of_work(begin=False):
            async with unit_of_work():
                await bump_generation(other)
            async with own_unit_of_work():
                await bump_generation(counter)
            raise Refused
    assert (await generation(counter), await generation(other)) == (0, 0)


async def test_on_commit_outside_a_unit_of_work_is_refused() -> None:
    with pytest.raises(UnitOfWorkError):
        on_commit(lambda: None)


async def test_a_conditional_update_applies_only_to_the_version_read(world: Any) -> None:
    subject_id = world.subjects["S1"]
    async with unit_of_work():
        row = await lock_row(Subject, subject_id, Subject.version)
        assert row is not None
        version = row["version"]
        assert await update_if_version(Subject, subject_id, version, {"address_detail": "A", "version": version + 1})
        assert not await update_if_version(
            Subject, subject_id, version, {"address_detail": "B", "version": version + 1}
        )
    after = await Subject.select(Subject.address_detail, Subject.version).where(Subject.id == subject_id).first()
    assert after == {"address_detail": "A", "version": version + 1}

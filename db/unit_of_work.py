"""One transaction per command (an HTTP write route, a CLI command, a job step).

A command opens the unit of work; every service it calls enters ``unit_of_work()``
too and joins it, so the writes of all of them commit together or not at all.
Work that must wait for the real commit (waking a worker, dropping a cache,
announcing) is registered with :func:`on_commit` and runs once, after the
outermost block committed; never after a rollback.

The transaction itself starts when the first service asks for it: a command that
only reads, or spends a while decoding an image before it writes, holds no
connection (PostgreSQL) and no write lock (SQLite) meanwhile. SQLite starts with
``BEGIN IMMEDIATE`` so two commands that read and then write never deadlock on a
lock upgrade; PostgreSQL uses a normal (READ COMMITTED) transaction, where a
read-then-write needs :func:`lock_row` or :func:`update_if_version`.

Nesting: Piccolo's own nested ``transaction()`` joins the outer one through a
context variable on the engine (set in ``__aenter__``, reset in ``__aexit__``);
this module keeps one more, for the unit (hooks, failure). A nested block joins the
outer transaction as a savepoint: when an exception leaves it, its own writes (and
the hooks it registered) are undone, so a caller that catches the exception and
goes on commits nothing of the failed block.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from typing import Any

from piccolo.columns import Column
from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.query import Select
from piccolo.table import Table

logger = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None] | None]


class UnitOfWorkError(RuntimeError):
    """The unit of work was used in a way that cannot keep its promise (a bug)."""


class UnitOfWork:
    """The transaction of one command and what must happen after it commits."""

    def __init__(self, engine: Engine[Any]) -> None:
        self.engine = engine
        self._hooks: list[Hook] = []
        self._stack = AsyncExitStack()
        self._task = asyncio.current_task()
        self._transaction: Any = None
        self.begun = False
        self.failed = False
        self.keeps_refused_writes = False

    def on_commit(self, callback: Hook) -> None:
        """Run ``callback`` (plain or async) once, after the outermost commit."""
        self._hooks.append(callback)

    def fail(self) -> None:
        """Roll back at the end whatever happens (the command answered an error)."""
        self.failed = True

    def keep_if_refused(self) -> None:
        """Commit what was written even though the command will answer an error: the
        command refuses on purpose after recording why (a wrong one-time code counts)."""
        self.keeps_refused_writes = True

    async def begin(self) -> None:
        if self.begun:
            return
        if asyncio.current_task() is not self._task:
            # Piccolo's connection lives in a context variable: set in another task, the
            # command's own task would never see it, nor could it end the transaction.
            raise UnitOfWorkError("a unit of work must begin in the task that opened it")
        if isinstance(self.engine, SQLiteEngine):
            transaction = self.engine.transaction(transaction_type=TransactionType.immediate)
        else:
            transaction = self.engine.transaction()
        self._transaction = await self._stack.enter_async_context(transaction)
        self.begun = True

    @asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[None]:
        """A nested block: undone on its own (writes and hooks) when it fails."""
        savepoint = await self._transaction.savepoint()
        hooks = len(self._hooks)
        try:
            yield
        except BaseException:
            await savepoint.rollback_to()
            del self._hooks[hooks:]
            raise
        await savepoint.release()

    async def _finish(self, error: BaseException | None) -> None:
        """Commit, or roll back when ``error`` escaped or the unit failed; then the hooks."""
        if error is None and self.failed:
            error = UnitOfWorkError("the command failed")
        if error is None:
            await self._stack.aclose()  # Piccolo's transaction commits on a clean exit
            await self._run_hooks()
        else:
            await self._stack.__aexit__(type(error), error, error.__traceback__)

    async def _run_hooks(self) -> None:
        for hook in self._hooks:
            try:
                result = hook()
                if result is not None:
                    await result
            except Exception:
                # The write is committed: a failing follow-up must not turn it into an error.
                logger.exception("after-commit hook %r failed", hook)


_current: ContextVar[UnitOfWork | None] = ContextVar("niis_unit_of_work", default=None)


def _engine() -> Engine[Any]:
    from db import piccolo_conf

    return piccolo_conf.DB


@asynccontextmanager
async def unit_of_work(*, begin: bool = True, savepoint: bool = True) -> AsyncIterator[UnitOfWork]:
    """Join the running unit of work, or open one (committed when this block ends).

    ``begin=False`` opens a command without starting the transaction: the first
    nested ``unit_of_work()`` starts it, and it lasts until this block ends.

    ``savepoint=False`` joins without a savepoint (two round trips fewer, one of them
    while the block's row locks are held): for a hot block that writes nothing when it
    declines, and fails the whole unit (``fail()``) when it raises after writing.
    """
    outer = _current.get()
    if outer is not None:
        if not begin:
            yield outer
            return
        await outer.begin()
        if not savepoint:
            yield outer
            return
        async with outer._savepoint():
            yield outer
        return
    unit = UnitOfWork(_engine())
    token = _current.set(unit)
    try:
        if begin:
            await unit.begin()
        try:
            yield unit
        except BaseException as error:
            await unit._finish(error)
            raise
        await unit._finish(None)
    finally:
        _current.reset(token)


@asynccontextmanager
async def own_unit_of_work() -> AsyncIterator[UnitOfWork]:
    """A unit of work of its own for one step of a long job (a batch of the duplicate
    scan), committed when the step ends, so other writers get in between the steps.

    Once the command it runs in has written (a write sent with an ``Idempotency-Key``
    begins at once), the step joins the command instead: SQLite's write lock is the
    command's until it ends, and the job is then all or nothing."""
    outer = _current.get()
    if outer is not None and outer.begun:
        async with unit_of_work() as unit:
            yield unit
        return
    token = _current.set(None)
    try:
        async with unit_of_work() as unit:
            yield unit
    finally:
        _current.reset(token)


def running() -> UnitOfWork | None:
    """The unit of work this code runs in, if any."""
    return _current.get()


def on_commit(callback: Hook) -> None:
    """Register ``callback`` on the running unit of work (see :meth:`UnitOfWork.on_commit`)."""
    unit = _current.get()
    if unit is None:
        raise UnitOfWorkError("on_commit outside a unit of work: there is no commit to wait for")
    unit.on_commit(callback)


def locked(query: Select) -> Select:
    """``query``, whose rows stay locked until the unit of work ends.

    PostgreSQL: ``SELECT … FOR UPDATE`` (a concurrent locker waits, then reads the
    committed row). SQLite: the IMMEDIATE transaction already keeps every other
    writer out, and SQLite has no ``FOR UPDATE``.
    """
    unit = _current.get()
    if unit is None or not unit.begun:
        raise UnitOfWorkError("a row lock outside a begun unit of work would end at once")
    return query if isinstance(unit.engine, SQLiteEngine) else query.lock_rows()


async def lock_row(table: type[Table], row_id: int, *columns: Column) -> dict[str, Any] | None:
    """Read one row by id (``columns``, or all) and lock it until the unit of work ends."""
    return await locked(table.select(*columns).where(table._meta.primary_key == row_id)).first()


async def update_if_version(table: type[Table], row_id: int, version: int, changes: dict[str, Any]) -> bool:
    """``UPDATE … WHERE id = :id AND version = :version``: False when no row matched
    (someone else changed it first). ``changes`` should move ``version`` on."""
    version_column = table._meta.get_column_by_name("version")
    updated = (
        await table.update({table._meta.get_column_by_name(k): v for k, v in changes.items()})
        .where((table._meta.primary_key == row_id) & (version_column == version))
        .returning(table._meta.primary_key)
    )
    return bool(updated)

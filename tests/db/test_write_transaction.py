"""A write transaction opened inside another (a handler's, inside the one an idempotent
request opens around it) still undoes its own writes when it fails, and only those."""

from __future__ import annotations

import pytest

from db.engine import bump_generation, generation, write_transaction
from db.tables import Generation
from tests.conftest import Database


async def test_a_failed_inner_transaction_undoes_only_its_own_writes(database: Database) -> None:
    await Generation.delete(force=True)
    async with write_transaction(database.engine):
        await bump_generation("kept")
        with pytest.raises(LookupError):
            async with write_transaction(database.engine):
                await bump_generation("undone")
                raise LookupError("refused after writing")
        async with write_transaction(database.engine):
            await bump_generation("kept")
    assert (await generation("kept"), await generation("undone")) == (2, 0)


async def test_a_failed_outer_transaction_undoes_the_inner_ones_too(database: Database) -> None:
    await Generation.delete(force=True)
    with pytest.raises(LookupError):
        async with write_transaction(database.engine):
            async with write_transaction(database.engine):
                await bump_generation("inner")
            raise LookupError("refused after the inner one committed")
    assert await generation("inner") == 0

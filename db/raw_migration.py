"""Hand-written migrations of raw SQL (triggers, extensions, expression indexes) that
Piccolo's auto-migrations cannot express, with the statements for each engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


def raw_sql_migration(
    migration_id: str, description: str, *, sqlite: Sequence[str], postgres: Sequence[str]
) -> Callable[[], Awaitable[MigrationManager]]:
    """A migration module's ``forwards`` running ``sqlite`` or ``postgres`` statements."""

    async def forwards() -> MigrationManager:
        manager = MigrationManager(migration_id=migration_id, app_name="niis", description=description)

        async def run() -> None:
            engine = engine_finder()
            assert engine is not None
            for statement in sqlite if engine.engine_type == "sqlite" else postgres:
                await engine.run_ddl(statement)

        manager.add_raw(run)
        return manager

    return forwards

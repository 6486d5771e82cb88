"""A parent account links to a subject once: two simultaneous claims cannot both insert."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "parent link unique per account and subject"

STATEMENT = "CREATE UNIQUE INDEX parent_link_account_subject ON parent_link (account, subject)"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="niis", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(STATEMENT)

    manager.add_raw(run)
    return manager

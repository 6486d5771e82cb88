"""PostgreSQL: a trigram index on subject names, for typo-tolerant search at national scale."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T12:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "name search trigram index"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX subject_name_key_trgm ON subject USING gin (name_key gin_trgm_ops)",
    "CREATE INDEX guardian_name_key_trgm ON guardian USING gin (name_key gin_trgm_ops)",
]
SQLITE = ["CREATE INDEX name_trigram_lookup ON name_trigram (trigram, subject)"]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="niis", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

"""Migrations build the schema from empty on both engines, run twice harmlessly, and
make the audit log append-only in the database itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from db.migrate import migrate
from db.tables import ALL_TABLES, AuditEvent
from tests.conftest import Database

MIGRATIONS = Path(__file__).resolve().parents[2] / "db" / "migrations"


def test_each_migration_has_its_own_id_in_file_order() -> None:
    """Piccolo applies migrations by ID and records them so: two files with one ID (two
    branches written the same evening) leave one never applied, its tables missing."""
    ids = [
        re.search(r'^ID = "([^"]+)"', path.read_text(), re.M).group(1)  # type: ignore[union-attr]
        for path in sorted(MIGRATIONS.glob("niis_*.py"))
    ]
    assert len(ids) > 20
    assert ids == sorted(set(ids)), "migration IDs must be unique and increase with the file number"


async def test_every_table_exists_after_migrating_from_empty(database: Database) -> None:
    for table in ALL_TABLES:
        assert await table.table_exists(), table._meta.tablename


async def test_migrating_again_changes_nothing(database: Database) -> None:
    await migrate()
    await migrate()
    for table in ALL_TABLES:
        assert await table.table_exists()


async def test_tables_match_the_migrations(database: Database) -> None:
    """Columns declared on the tables exist in the migrated database (a forgotten
    migration fails here, not in production)."""
    for table in ALL_TABLES:
        columns = ", ".join(c._meta.db_column_name for c in table._meta.columns)
        await database.engine.run_ddl(f"SELECT {columns} FROM {table._meta.tablename} LIMIT 0")


async def _an_audit_row() -> int:
    row = await AuditEvent.insert(
        AuditEvent(
            at=datetime.now(UTC),
            actor=None,
            actor_name="test",
            action="test.write",
            entity="test",
            entity_id="1",
            request_id="r1",
        )
    ).returning(AuditEvent.id)
    return int(row[0]["id"])


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET action = 'forged' WHERE id = {id}", "DELETE FROM audit_event WHERE id = {id}"]
)
async def test_the_audit_log_refuses_changes(database: Database, statement: str) -> None:
    audit_id = await _an_audit_row()
    with pytest.raises(Exception, match="append-only"):
        await database.engine.run_ddl(statement.format(id=audit_id))
    rows: list[dict[str, Any]] = await AuditEvent.select(AuditEvent.action).where(AuditEvent.id == audit_id)
    assert rows == [{"action": "test.write"}]

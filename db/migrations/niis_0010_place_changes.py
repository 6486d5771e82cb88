"""The record of each dated change of the hierarchy, so one not yet in force can be revoked.

Changes made before this migration have no record: those still to come cannot be
revoked (an effective date far ahead is fixed by hand, see docs/foundation.md).
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import Column
from piccolo.columns.column_types import JSON, Date, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T10:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "place changes"

_COMMON = {"unique": False, "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}

COLUMNS: list[tuple[str, type[Column], dict[str, Any]]] = [
    ("id", Serial, {"null": False, "primary_key": True, "index": False}),
    ("kind", Varchar, {"length": 16, "default": "", "null": False, "primary_key": False, "index": False}),
    ("effective_date", Date, {"default": DateNow(), "null": False, "primary_key": False, "index": True}),
    ("record", JSON, {"default": "{}", "null": False, "primary_key": False, "index": False}),
    ("summary", Varchar, {"length": 400, "default": "", "null": False, "primary_key": False, "index": False}),
    ("made_at", Timestamptz, {"default": TimestamptzNow(), "null": False, "primary_key": False, "index": False}),
    ("made_by", Varchar, {"length": 64, "default": "", "null": False, "primary_key": False, "index": False}),
    ("revoked_at", Timestamptz, {"default": None, "null": True, "primary_key": False, "index": False}),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="niis", description=DESCRIPTION)
    manager.add_table(class_name="PlaceChange", tablename="place_change", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="PlaceChange",
            tablename="place_change",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params={**params, **_COMMON},
            schema=None,
        )
    return manager

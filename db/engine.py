"""Engine selection: a SQLite file by default, PostgreSQL when configured.

Piccolo finds its engine through a global (``piccolo_conf.DB``) and caches it on
each table class. ``use()`` points both at one engine, so the app, the CLI, the
migrations and the tests all talk to the database they were given.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from db.tables import ALL_TABLES

DEFAULT_DATABASE_URL = "sqlite:///var/niis.sqlite3"
SQLITE_BUSY_TIMEOUT_SECONDS = 15.0


class DatabaseURLError(ValueError):
    """The configured database URL is not one niis can use."""


def sqlite_path(url: str) -> Path:
    """``sqlite:///relative/file`` or ``sqlite:////absolute/file`` → the file's path."""
    if not url.startswith("sqlite:///"):
        raise DatabaseURLError(f"not a SQLite URL: {url!r}")
    return Path(url[len("sqlite:///") :])


def make_engine(url: str) -> Engine[Any]:
    """An engine for ``url`` (``sqlite:///…`` or ``postgresql://…``), not yet opened."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        # ``timeout`` is SQLite's busy timeout: writers wait for the lock instead of failing.
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": url})
    raise DatabaseURLError(f"NIIS_DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")


def use(engine: Engine[Any]) -> None:
    """Make ``engine`` the one every table, and Piccolo's migrations, run on."""
    from db import piccolo_conf

    piccolo_conf.DB = engine
    for table in (*ALL_TABLES, Migration):
        table._meta.db = engine


def is_sqlite(engine: Engine[Any]) -> bool:
    return engine.engine_type == "sqlite"


async def open_engine(engine: Engine[Any], *, pool_size: int = 10) -> None:
    """Prepare the engine for serving: WAL for SQLite, a connection pool for PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        # WAL is a property of the file: set once, it lasts. Readers then never
        # block the writer, which the app relies on under concurrent requests.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size)


async def close_engine(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


def engine_from_environment() -> Engine[Any]:
    return make_engine(os.environ.get("NIIS_DATABASE_URL", DEFAULT_DATABASE_URL))


async def bump_generation(name: str) -> None:
    """Count one more change to ``name``; call inside the writing transaction."""
    from db.tables import Generation

    increment = Generation.update({Generation.value: Generation.value + 1}).where(Generation.name == name)
    updated = await increment.returning(Generation.id)
    if not updated:
        await Generation.insert(Generation(name=name, value=1))


async def generation(name: str) -> int:
    from db.tables import Generation

    row = await Generation.select(Generation.value).where(Generation.name == name).first()
    return int(row["value"]) if row else 0

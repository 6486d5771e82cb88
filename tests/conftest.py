"""Shared fixtures: the database engines the suite runs on, a small world of places,
facilities and users, and an HTTP client on the real app.

Database tests run once per engine: SQLite always, PostgreSQL when
NIIS_TEST_POSTGRES_URL is set (``scripts/test`` starts a throwaway server and sets it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NIIS_SHARED_DIR", REPO.parent / "shared"))
POSTGRES_URL = os.environ.get("NIIS_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("NIIS_TEST_REDIS_URL")

ENGINES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="NIIS_TEST_POSTGRES_URL not set: run `bash scripts/test` to test on PostgreSQL"
        ),
    ),
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError("CI must test PostgreSQL too: NIIS_TEST_POSTGRES_URL is not set")


@dataclass
class Database:
    kind: str
    url: str
    engine: Any
    template: Path | None = None  # SQLite: a copy of the seeded world, restored before each test


@pytest.fixture(scope="session")
def tmp_session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("niis")


@pytest.fixture(scope="session", params=ENGINES)
async def database(request: pytest.FixtureRequest, tmp_session_dir: Path) -> AsyncIterator[Database]:
    from db.engine import close_engine, make_engine, open_engine, use
    from db.migrate import migrate

    kind = request.param
    if kind == "sqlite":
        url = f"sqlite:///{tmp_session_dir / 'niis.sqlite3'}"
    else:
        assert POSTGRES_URL
        url = POSTGRES_URL
    engine = make_engine(url)
    use(engine)
    if kind == "postgres":
        await engine.start_connection_pool(min_size=1, max_size=4)
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    else:
        await open_engine(engine)
    await migrate()
    yield Database(kind, url, engine)
    await close_engine(engine)


async def _truncate_postgres(engine: Any) -> None:
    from db.tables import ALL_TABLES

    names = ", ".join(t._meta.tablename for t in ALL_TABLES)
    await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session")
def password_hash_cache() -> Iterator[None]:
    """Seeding the world hashes the same test password again and again: hash it once
    (a real argon2id hash) to keep the suite fast."""
    from api.auth import passwords

    real = passwords.hash_password
    cache: dict[str, str] = {}

    def cached(password: str) -> str:
        if password not in cache:
            cache[password] = real(password)
        return cache[password]

    passwords.hash_password = cached  # type: ignore[assignment]
    yield
    passwords.hash_password = real  # type: ignore[assignment]


@pytest.fixture
async def world(database: Database, password_hash_cache: None, tmp_session_dir: Path) -> AsyncIterator[Any]:
    """A fresh small world for each test: see ``tests/world.py``."""
    from api.places.services import forget_tree
    from db.engine import use
    from tests.world import seed_world

    use(database.engine)
    forget_tree()
    if database.kind == "sqlite":
        path = Path(database.url.removeprefix("sqlite:///"))
        if database.template is None:
            built = await seed_world()
            await database.engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
            database.template = tmp_session_dir / "world-template.sqlite3"
            shutil.copyfile(path, database.template)
            database.world = built  # type: ignore[attr-defined]
        else:
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(database.template, path)
        yield database.world  # type: ignore[attr-defined]
    else:
        await _truncate_postgres(database.engine)
        yield await seed_world()
    forget_tree()

"""Shared fixtures: the database engines the suite runs on, a small world of places,
facilities and users, and an HTTP client on the real app.

Database tests run once per engine: SQLite always, PostgreSQL when
NIIS_TEST_POSTGRES_URL is set (``scripts/test`` starts a throwaway server and sets it).
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NIIS_SHARED_DIR", REPO.parent / "shared"))
# `scripts/test` runs pytest in worker processes (pytest-xdist, `-n 2`): "gw0", "gw1"…,
# empty when not distributed. Tests drop schemas, truncate tables and clear Redis keys,
# so each worker gets a PostgreSQL database and a Redis database number of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REDIS_DATABASES = 16  # Redis's default count of numbered databases


def per_worker(name: str) -> str:
    """A fixed PostgreSQL database name made this worker's own (``niis_served_gw1``)."""
    return f"{name}_{WORKER}" if WORKER else name


def _worker_urls() -> tuple[str | None, str | None]:
    postgres = os.environ.get("NIIS_TEST_POSTGRES_URL")
    redis = os.environ.get("NIIS_TEST_REDIS_URL")
    if not WORKER:
        return postgres, redis
    if postgres:
        server, database = postgres.rsplit("/", 1)
        postgres = f"{server}/{per_worker(database)}"
        os.environ["NIIS_TEST_POSTGRES_URL"] = postgres
    if redis:
        # Database 0 stays for what is not a worker's (the deploy recipe's server uses it).
        number = int(WORKER.removeprefix("gw")) + 1
        if number >= REDIS_DATABASES:
            raise pytest.UsageError(f"Redis has {REDIS_DATABASES} databases: run at most {REDIS_DATABASES - 1} workers")
        redis = f"{redis.rsplit('/', 1)[0]}/{number}"
        os.environ["NIIS_TEST_REDIS_URL"] = redis
    return postgres, redis


SHARED_POSTGRES_URL = os.environ.get("NIIS_TEST_POSTGRES_URL")  # the database scripts/test created
POSTGRES_URL, REDIS_URL = _worker_urls()

ENGINES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="NIIS_TEST_POSTGRES_URL not set: run `bash scripts/test` to test on PostgreSQL"
        ),
    ),
]


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by their fixtures' parameters
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """CI tests PostgreSQL too, or refuses to run.

    The files with slow tests (a served app, a browser: 1-3 min each) first, then the
    others, most tests first. `scripts/test` hands whole files to the workers in this
    order (`--dist loadfile --no-loadscope-reorder`) as each one gets free: a long file
    started last would leave the other worker idle until it ends. The sort is stable,
    so the tests of a file keep pytest's order (one server per module and engine)."""
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError("CI must test PostgreSQL too: NIIS_TEST_POSTGRES_URL is not set")
    size = Counter(item.path for item in items)
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (item.path not in slow, -size[item.path]))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After a run, test-artifacts/screens/INDEX.md lists every screenshot the browser
    tests kept: written once, by the main process (here, not in tests/e2e/conftest.py,
    which the main process of a run spread over workers never loads)."""
    if not WORKER:
        from tests.e2e.field_app import write_screens_index

        write_screens_index()


def pytest_configure(config: pytest.Config) -> None:
    """A worker's own PostgreSQL database, made empty on the server scripts/test started
    (the `database` fixture migrates it)."""
    if WORKER and POSTGRES_URL and SHARED_POSTGRES_URL:
        import asyncio

        import asyncpg

        async def create() -> None:
            connection = await asyncpg.connect(SHARED_POSTGRES_URL)
            try:
                name = POSTGRES_URL.rsplit("/", 1)[1]
                await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                await connection.execute(f"CREATE DATABASE {name}")
            finally:
                await connection.close()

        asyncio.run(create())


@dataclass
class Database:
    kind: str
    url: str
    engine: Any
    template: Path | None = None  # SQLite: a copy of the seeded world, restored before each test


@pytest.fixture(scope="session")
def tmp_session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("niis")


async def _open_database(kind: str, tmp_session_dir: Path) -> Database:
    from db.engine import make_engine, open_engine, use
    from db.migrate import migrate

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
    return Database(kind, url, engine)


@pytest.fixture(scope="session")
async def opened_databases() -> AsyncIterator[dict[str, Database]]:
    """Each engine's database, migrated once a session and kept open until its end."""
    from db.engine import close_engine

    opened: dict[str, Database] = {}
    yield opened
    for database in opened.values():
        await close_engine(database.engine)


@pytest.fixture(scope="session", params=ENGINES)
async def database(
    request: pytest.FixtureRequest, tmp_session_dir: Path, opened_databases: dict[str, Database]
) -> Database:
    """The test database on each engine. pytest sets a parametrized session fixture up
    again whenever the engine changes from one test to the next (which it does file by
    file when the files are spread over workers, and test by test in a shuffled order):
    so the migrated database, and the world's template on it, are kept per engine."""
    from db.engine import use

    kind = request.param
    if kind not in opened_databases:
        opened_databases[kind] = await _open_database(kind, tmp_session_dir)
    use(opened_databases[kind].engine)
    return opened_databases[kind]


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

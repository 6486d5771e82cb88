"""`niis backup` and `niis restore` as an operator runs them, on SQLite and on PostgreSQL
(the real pg_dump and pg_restore): a backup restores into an empty database row for row
and the app works on it; failures exit non-zero, say what to do and leave no file; a
database that has data is never restored over."""

from __future__ import annotations

import re
import sqlite3
import stat
import subprocess
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import pytest

from tests.conftest import ENGINES, POSTGRES_URL, REPO
from tests.served import NIIS, _fresh_postgres_database, app_environment, call, free_port, served_app

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="NIIS_TEST_POSTGRES_URL not set")
PASSWORD_ROLE = "niis_password_check"  # scripts/test makes PostgreSQL ask this role for its password
ROLE_PASSWORD = "right@pass word"  # travels %-quoted in the URL


def niis(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NIIS, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300)


def as_user(url: str, user: str, password: str | None = None) -> str:
    parts = urlsplit(url)
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    return urlunsplit(parts._replace(netloc=f"{credentials}@{parts.hostname}:{parts.port}"))


async def postgres_database(name: str, owner: str = "postgres", password: str | None = None) -> str:
    """A new empty database owned by ``owner`` (a login role, created if needed)."""
    import asyncpg

    assert POSTGRES_URL
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", owner)
        if not exists:
            await connection.execute(f"CREATE ROLE {owner} LOGIN")
        if password:
            await connection.execute(f"ALTER ROLE {owner} PASSWORD '{password}'")
    finally:
        await connection.close()
    return as_user(await _fresh_postgres_database(name, owner), owner, password)


async def empty_database(engine: str, tmp_path: Path, name: str, owner: str = "postgres") -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / name}.sqlite3"
    return await postgres_database(name, owner)


async def every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {n: sorted(db.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        names = [r[0] for r in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        return {n: sorted((tuple(r) for r in await connection.fetch(f'SELECT * FROM "{n}"')), key=repr) for n in names}
    finally:
        await connection.close()


def sign_in(base: str, username: str = "tinh.tuyenquang", password: str = "niis-demo-province") -> dict[str, str]:
    status, signed = call(f"{base}/api/auth/login", {"username": username, "password": password})
    assert status == 200, signed
    return {"Authorization": f"Bearer {signed['token']}"}


def find_subject(base: str, headers: dict[str, str], name: str) -> list[str]:
    status, found = call(f"{base}/api/subjects?{urlencode({'q': name})}", headers=headers)
    assert status == 200, found
    return [item["full_name"] for item in found["items"]]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
async def test_a_backup_restores_every_row_into_an_empty_database_and_the_app_works(
    engine: str, tmp_path: Path
) -> None:
    source = await empty_database(engine, tmp_path, "niis_backup_source")
    source_env = app_environment(tmp_path, source)
    with served_app(source_env, tmp_path) as base:  # demo data, then a sign-in: a session and audit rows
        child = find_subject(base, sign_in(base), "Nguyễn")[0]
    held = await every_row(source)
    for table in ("account", "auth_session", "audit_event", "place", "subject", "guardian", "migration"):
        assert held[table], f"the source database has no {table} rows to back up"

    file = tmp_path / "backups" / ("niis.sqlite3" if engine == "sqlite" else "niis.dump")
    file.parent.mkdir()
    made = niis(source_env, "backup", str(file))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert re.search(rf"^ +subject +{len(held['subject']):,}$", made.stdout, flags=re.MULTILINE), made.stdout
    assert "the same as this niis" in made.stdout and "NIIS_SECRET_KEY" in made.stdout
    assert sorted(p.name for p in file.parent.iterdir()) == [file.name]

    # On a new machine the app's own role owns the empty database, not a superuser.
    target = await empty_database(engine, tmp_path, "niis_backup_target", owner="niis_restorer")
    target_env = app_environment(tmp_path, target)
    restored = niis(target_env, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert "NIIS_SECRET_KEY" in restored.stdout and "niis migrate" in restored.stdout
    assert await every_row(target) == held
    # Same version: migrate changes no data (only `generation`, the counter that tells
    # running processes to reload the place tree, which every `niis migrate` bumps).
    migrated = niis(target_env, "migrate")
    assert migrated.returncode == 0 and "Seeded" not in migrated.stdout, migrated.stdout + migrated.stderr
    assert {**await every_row(target), "generation": held["generation"]} == held

    with served_app(target_env, tmp_path, demo=False) as base:
        headers = sign_in(base)
        assert child in find_subject(base, headers, child)
        assert call(f"{base}/ready")[0] == 200


@pytest.mark.parametrize("engine", ENGINES)
async def test_restoring_into_a_database_that_has_data_refuses_and_changes_nothing(engine: str, tmp_path: Path) -> None:
    url = await empty_database(engine, tmp_path, "niis_backup_busy")
    env = app_environment(tmp_path, url)
    assert niis(env, "migrate").returncode == 0
    file = tmp_path / "niis.backup"
    assert niis(env, "backup", str(file)).returncode == 0
    before = await every_row(url)

    refused = niis(env, "restore", str(file))
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "Traceback" not in refused.stderr
    assert await every_row(url) == before

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a backup\n")
    wrong = niis(env, "restore", str(not_a_backup))
    assert wrong.returncode == 1 and "not a niis backup" in wrong.stderr


@needs_postgres
async def test_a_sqlite_backup_is_refused_by_postgresql(tmp_path: Path) -> None:
    sqlite_env = app_environment(tmp_path)
    assert niis(sqlite_env, "migrate").returncode == 0
    file = tmp_path / "niis.sqlite3.backup"
    assert niis(sqlite_env, "backup", str(file)).returncode == 0
    postgres = await postgres_database("niis_backup_kind")
    refused = niis(app_environment(tmp_path, postgres), "restore", str(file))
    assert refused.returncode == 1
    assert "is a SQLite backup but NIIS_DATABASE_URL is a PostgreSQL database" in refused.stderr
    assert await every_row(postgres) == {}


def test_a_sqlite_backup_refuses_what_it_cannot_do_and_leaves_no_file(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    missing = niis(app_environment(tmp_path), "backup", str(backups / "a.sqlite3"))
    assert missing.returncode == 1 and "no SQLite database at" in missing.stderr
    # A shell without /etc/niis/env loaded would back up a fresh empty file.
    (tmp_path / "var").mkdir(exist_ok=True)
    sqlite3.connect(tmp_path / "var" / "niis.sqlite3").close()
    empty = niis(app_environment(tmp_path), "backup", str(backups / "a.sqlite3"))
    assert empty.returncode == 1 and "holds no niis tables" in empty.stderr
    assert list(backups.iterdir()) == []

    env = app_environment(tmp_path)
    assert niis(env, "migrate").returncode == 0
    nowhere = niis(env, "backup", str(tmp_path / "no-such-dir" / "a.sqlite3"))
    assert nowhere.returncode == 1 and "does not exist" in nowhere.stderr
    kept = backups / "yesterday.sqlite3"
    kept.write_bytes(b"yesterday's backup")
    refused = niis(env, "backup", str(kept))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert kept.read_bytes() == b"yesterday's backup"
    forced = niis(env, "backup", "--force", str(kept))
    assert forced.returncode == 0, forced.stderr
    assert kept.read_bytes().startswith(b"SQLite format 3\x00") and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert sorted(p.name for p in backups.iterdir()) == ["yesterday.sqlite3"]


@contextmanager
def small_disk(where: Path) -> Iterator[Path]:
    """A file system of 8 KB mounted at ``where`` (needs root: skipped otherwise)."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k,mode=700", "tmpfs", str(where)], check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs (needs root) to fill a disk")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_backup_onto_a_full_disk_fails_and_leaves_no_file(engine: str, tmp_path: Path) -> None:
    env = app_environment(tmp_path, await empty_database(engine, tmp_path, "niis_backup_full"))
    assert niis(env, "migrate").returncode == 0
    with small_disk(tmp_path / "small") as disk:
        failed = niis(env, "backup", str(disk / "niis.backup"))
        assert failed.returncode == 1, failed.stdout
        assert re.search("No space left on device|disk is full", failed.stderr), failed.stderr
        assert "Traceback" not in failed.stderr
        assert list(disk.iterdir()) == []


def test_a_postgresql_backup_of_an_unreachable_server_fails_and_leaves_no_file(tmp_path: Path) -> None:
    url = f"postgresql://niis@127.0.0.1:{free_port()}/niis"
    failed = niis(app_environment(tmp_path, url), "backup", str(tmp_path / "niis.dump"))
    assert failed.returncode == 1
    assert "cannot reach PostgreSQL at 127.0.0.1" in failed.stderr and "Traceback" not in failed.stderr
    assert list(tmp_path.glob("*niis.dump*")) == []


@needs_postgres
async def test_a_postgresql_backup_checks_password_and_client_tools_and_leaves_no_file(tmp_path: Path) -> None:
    url = await postgres_database("niis_backup_password", PASSWORD_ROLE, ROLE_PASSWORD)
    env = app_environment(tmp_path, url)
    assert niis(env, "migrate").returncode == 0
    backups = tmp_path / "backups"
    backups.mkdir()

    wrong = niis(app_environment(tmp_path, as_user(url, PASSWORD_ROLE, "wrong")), "backup", str(backups / "a.dump"))
    assert wrong.returncode == 1 and f"refused the password of {PASSWORD_ROLE}" in wrong.stderr

    no_tools = niis({**env, "NIIS_PG_BIN": str(tmp_path / "nothing")}, "backup", str(backups / "a.dump"))
    assert no_tools.returncode == 1 and "pg_dump not found" in no_tools.stderr
    old_bin = tmp_path / "pg-9.6"
    old_bin.mkdir()
    for tool in ("pg_dump", "pg_restore"):  # a client from before the server: refused before it runs
        (old_bin / tool).write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) 9.6.24'\n")
        (old_bin / tool).chmod(0o755)
    old = niis({**env, "NIIS_PG_BIN": str(old_bin)}, "backup", str(backups / "a.dump"))
    assert old.returncode == 1 and "pg_dump 9 " in old.stderr and "is older than the server" in old.stderr
    assert list(backups.iterdir()) == []

    # The right password reaches pg_dump too (in PGPASSWORD, not on its command line).
    made = niis(env, "backup", str(backups / "a.dump"))
    assert made.returncode == 0, made.stderr
    assert (backups / "a.dump").read_bytes().startswith(b"PGDMP")


def test_an_older_backup_is_brought_up_to_date_by_migrate(tmp_path: Path) -> None:
    from db.backup import known_migrations

    *older, last = known_migrations()
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upto = textwrap.dedent(f"""
        import asyncio
        from db.engine import make_engine, use
        from piccolo.apps.migrations.commands.forwards import run_forwards
        use(make_engine({url!r}))
        assert asyncio.run(run_forwards(app_name="niis", migration_id={older[-1]!r})).success
    """)
    env = app_environment(tmp_path, url)
    older_niis = subprocess.run([NIIS[0], "-c", upto], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert older_niis.returncode == 0, older_niis.stderr
    file = tmp_path / "old-backup.sqlite3"
    assert niis(env, "backup", str(file)).returncode == 0

    restored_env = app_environment(tmp_path, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    restored = niis(restored_env, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert f"1 migration(s) behind this niis (next: {known_migrations()[last]})" in restored.stdout
    assert niis(restored_env, "migrate").returncode == 0
    again = niis(restored_env, "backup", str(tmp_path / "after-migrate.sqlite3"))
    assert again.returncode == 0 and "the same as this niis" in again.stdout

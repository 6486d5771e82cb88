"""Backups that restore: ``niis backup FILE`` and ``niis restore FILE`` for the
configured database.

SQLite is copied with SQLite's online backup API (a consistent snapshot while the app
runs in WAL mode); PostgreSQL with ``pg_dump --format=custom`` and ``pg_restore``. Each
step fails loudly with a message an operator can act on (:class:`BackupError`): a
backup is written to a private temporary file beside the final name, verified, synced
and only then given its name, so a failed run never leaves an empty or partial file that
a retention job would keep for months. Files are created readable by their owner only:
they hold password hashes and personal data.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import importlib
import os
import pkgutil
import re
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from piccolo.apps.migrations.tables import Migration

from db.engine import sqlite_path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
MIGRATION_TABLE = Migration._meta.tablename
CONNECT_TIMEOUT_SECONDS = 10


class BackupError(Exception):
    """A backup or restore step failed; the message says what to do about it."""


@dataclass(frozen=True)
class Contents:
    """What a backup file or a restored database holds."""

    kind: str
    rows: dict[str, int]
    migrations: tuple[str, ...]  # ids of the migrations applied, in order
    size: int | None = None

    def summary(self) -> list[str]:
        lines = [f"{self.kind}" + (f", {_human_size(self.size)}" if self.size is not None else "")]
        lines.append(schema_note(self.migrations))
        width = max((len(name) for name in self.rows), default=0)
        lines += [f"  {name:<{width}} {count:>10,}" for name, count in sorted(self.rows.items())]
        return lines


def known_migrations() -> dict[str, str]:
    """Migration id → module name, for every migration this version of niis ships."""
    from db import migrations

    found = {}
    for module in pkgutil.iter_modules(migrations.__path__):
        migration_id = getattr(importlib.import_module(f"db.migrations.{module.name}"), "ID", None)
        if migration_id:
            found[migration_id] = module.name
    return dict(sorted(found.items()))


def schema_note(applied: tuple[str, ...]) -> str:
    """Where the schema stands against this niis: the same, older (migrate), or newer."""
    known = known_migrations()
    unknown = [m for m in applied if m not in known]
    if unknown:
        return (
            f"Schema: {len(unknown)} migration(s) this niis does not know ({unknown[-1]}): the data comes from a "
            "newer niis; install that version before serving it."
        )
    missing = [name for migration_id, name in known.items() if migration_id not in applied]
    latest = known.get(applied[-1], "none") if applied else "none"
    if missing:
        return (
            f"Schema: {latest}, {len(missing)} migration(s) behind this niis (next: {missing[0]}): "
            "`niis migrate` brings it up to date."
        )
    return f"Schema: {latest} ({len(applied)} migrations), the same as this niis."


SECRET_KEY_REMINDER = (
    "Serve it with the NIIS_SECRET_KEY the backup was made under: printed subject cards and one-time codes "
    "verify only with that key."
)


def backup(database_url: str, target: Path, *, force: bool = False) -> Contents:
    """Copy the database at ``database_url`` to ``target``, verified; what it holds."""
    if target.is_dir():
        raise BackupError(f"{target} is a directory: give the backup's file name, e.g. {target}/niis-DATE.dump")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists: choose another name, or pass --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"directory {target.parent} does not exist: create it (mode 700) first")
    if _is_sqlite(database_url):
        return _sqlite_backup(sqlite_path(database_url), target, force=force)
    return asyncio.run(_postgres_backup(database_url, target, force=force))


def restore(database_url: str, source: Path) -> Contents:
    """Load the backup ``source`` into the empty database at ``database_url``."""
    kind = backup_kind(source)
    engine = "sqlite" if _is_sqlite(database_url) else "postgres"
    if kind != engine:
        names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
        raise BackupError(
            f"{source} is a {names[kind]} backup but NIIS_DATABASE_URL is a {names[engine]} database: "
            f"restore it with NIIS_DATABASE_URL set to a {names[kind]} database"
        )
    if kind == "sqlite":
        return _sqlite_restore(source, sqlite_path(database_url))
    return asyncio.run(_postgres_restore(database_url, source))


def run_backup(database_url: str, target: Path, *, force: bool = False) -> int:
    """``niis backup``: back up, print what the file holds; the exit status."""
    return _report(
        lambda: backup(database_url, target, force=force),
        failure="backup failed: {} (no backup was written)",
        heading=f"Backed up {_database_name(database_url)} to {target} (verified):",
        closing=f"Keep NIIS_SECRET_KEY apart from this file, as safely. {SECRET_KEY_REMINDER}",
    )


def run_restore(database_url: str, source: Path) -> int:
    """``niis restore``: restore, print what the database now holds; the exit status."""
    return _report(
        lambda: restore(database_url, source),
        failure="restore failed: {}",
        heading=f"Restored {source} into {_database_name(database_url)}:",
        closing=f"Next: `niis migrate`, then start the app. {SECRET_KEY_REMINDER}",
    )


def _report(work: Callable[[], Contents], *, failure: str, heading: str, closing: str) -> int:
    try:
        contents = work()
    except BackupError as exc:
        print("error: " + failure.format(exc), file=sys.stderr)
        return 1
    print(heading, *contents.summary(), closing, sep="\n")
    return 0


def _database_name(database_url: str) -> str:
    if _is_sqlite(database_url):
        return f"the SQLite database {sqlite_path(database_url)}"
    return f"PostgreSQL {_Postgres.from_url(database_url).where}"


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgres``, from the file's first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgres"
    raise BackupError(f"{path} is not a niis backup (neither a SQLite database nor a pg_dump custom-format file)")


# --- files -------------------------------------------------------------------


@contextlib.contextmanager
def _private_umask() -> Iterator[None]:
    """Files made meanwhile (ours, SQLite's journals, pg_dump's) get mode 600."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def _partial_file(target: Path) -> Iterator[Path]:
    """A new empty file of mode 600 beside ``target``, removed unless published."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise BackupError(f"cannot write in {target.parent}: {exc.strerror}") from None
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _publish(partial: Path, target: Path, *, force: bool) -> None:
    """Sync ``partial`` to disk and give it ``target``'s name atomically."""
    try:
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        if force:
            os.replace(partial, target)
        else:
            # A hard link never replaces an existing file, unlike rename.
            try:
                os.link(partial, target)
            except FileExistsError:
                raise BackupError(f"{target} appeared meanwhile: choose another name, or pass --force") from None
            except OSError as exc:
                if exc.errno not in {errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV}:
                    raise
                os.rename(partial, target)  # a file system without hard links
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror}") from None


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _is_sqlite(database_url: str) -> bool:
    return urlsplit(database_url).scheme == "sqlite"


# --- SQLite --------------------------------------------------------------------


def _sqlite_open(path: Path, mode: str) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the SQLite database {path}: {exc}") from None


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    return [row[0] for row in connection.execute(query)]


def _sqlite_contents(connection: sqlite3.Connection, kind: str) -> Contents:
    tables = _sqlite_tables(connection)
    rows = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}
    migrations: tuple[str, ...] = ()
    if MIGRATION_TABLE in tables:
        query = f"SELECT name FROM {MIGRATION_TABLE} WHERE app_name = 'niis' ORDER BY id"
        migrations = tuple(row[0] for row in connection.execute(query))
    return Contents(kind, rows, migrations)


def _sqlite_check(connection: sqlite3.Connection, what: str) -> None:
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupError(f"{what} failed SQLite's integrity check: {'; '.join(problems[:5])}")


def _sqlite_backup(source: Path, target: Path, *, force: bool) -> Contents:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}: is NIIS_DATABASE_URL the one the app uses?")
    with _private_umask(), _partial_file(target) as partial:
        live = _sqlite_open(source, "rw")
        try:
            if MIGRATION_TABLE not in _sqlite_tables(live):
                raise BackupError(
                    f"{source} holds no niis tables: is NIIS_DATABASE_URL the one the app uses "
                    "(load /etc/niis/env first)?"
                )
            copy = sqlite3.connect(partial)
            try:
                # One step: the whole copy is read in one transaction, a consistent snapshot
                # while the app goes on writing (WAL readers do not block the writer).
                live.backup(copy)
                # A self-contained file: no -wal beside it to lose.
                copy.execute("PRAGMA journal_mode=DELETE")
                _sqlite_check(copy, f"the copy of {source}")
                contents = _sqlite_contents(copy, "SQLite database")
            finally:
                copy.close()
        except sqlite3.Error as exc:
            raise BackupError(f"the SQLite backup to {target.parent} failed: {exc}") from None
        finally:
            live.close()
        _publish(partial, target, force=force)
    return Contents(contents.kind, contents.rows, contents.migrations, target.stat().st_size)


def _sqlite_restore(source: Path, target: Path) -> Contents:
    backup_file = _sqlite_open(source, "ro")
    created = False
    try:
        try:
            _sqlite_check(backup_file, str(source))
            wanted = _sqlite_contents(backup_file, "SQLite database")
        except sqlite3.Error as exc:
            raise BackupError(f"{source} is not a readable SQLite backup: {exc}") from None
        if not wanted.migrations:
            raise BackupError(f"{source} holds no niis tables: it is not a niis backup")
        target.parent.mkdir(parents=True, exist_ok=True)
        with _private_umask():
            try:
                os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                created = True
            except FileExistsError:
                pass
            except OSError as exc:
                raise BackupError(f"cannot create {target}: {exc.strerror}") from None
            database = _sqlite_open(target, "rw")
            try:
                if present := _sqlite_tables(database):
                    raise BackupError(_not_empty(target, present))
                # The backup API writes the whole database in one transaction: a failure
                # leaves the target as empty as it was.
                backup_file.backup(database)
                database.execute("PRAGMA journal_mode=WAL")
                _sqlite_check(database, f"the restored {target}")
                restored = _sqlite_contents(database, "SQLite database")
            except sqlite3.Error as exc:
                raise BackupError(f"restoring into {target} failed: {exc}") from None
            finally:
                database.close()
    except BackupError:
        if created:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        backup_file.close()
    if restored.rows != wanted.rows:
        raise BackupError(f"the restored {target} does not hold the rows of {source}: {restored.rows}")
    return Contents(restored.kind, restored.rows, restored.migrations, target.stat().st_size)


def _not_empty(where: object, tables: list[str]) -> str:
    return (
        f"{where} is not empty (it has {len(tables)} tables: {', '.join(sorted(tables)[:5])}…): restore only into "
        "an empty database; create a new one (see docs/operations.md, Backups) and point NIIS_DATABASE_URL at it"
    )


# --- PostgreSQL ----------------------------------------------------------------


@dataclass(frozen=True)
class _Postgres:
    """The URL split for the client tools: the password travels in PGPASSWORD, never on
    a command line that `ps` shows."""

    url: str
    dsn: str  # the URL without its password
    password: str | None
    where: str  # host:port/database, for messages
    user: str

    @classmethod
    def from_url(cls, url: str) -> _Postgres:
        parts = urlsplit(url)
        userinfo, _, hostinfo = parts.netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}@{hostinfo}" if user else hostinfo
        where = f"{parts.hostname or 'local socket'}:{parts.port or 5432}{parts.path}"
        return cls(
            url,
            urlunsplit(parts._replace(netloc=netloc)),
            unquote(parts.password) if parts.password is not None else None,
            where,
            unquote(user) if user else os.environ.get("PGUSER", "the current user"),
        )

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env


async def _connect(database: _Postgres) -> Any:
    import asyncpg

    try:
        return await asyncpg.connect(database.url, timeout=CONNECT_TIMEOUT_SECONDS)
    except asyncpg.InvalidPasswordError:
        raise BackupError(
            f"PostgreSQL at {database.where} refused the password of {database.user}: "
            "check the password in NIIS_DATABASE_URL"
        ) from None
    except asyncpg.InvalidCatalogNameError:
        raise BackupError(f"database {database.where} does not exist: create it, or fix NIIS_DATABASE_URL") from None
    except asyncpg.PostgresError as exc:
        raise BackupError(f"PostgreSQL at {database.where} refused the connection: {exc}") from None
    except (OSError, TimeoutError) as exc:
        raise BackupError(
            f"cannot reach PostgreSQL at {database.where}: {exc or 'timed out'}. "
            "Is the server running, and is NIIS_DATABASE_URL right?"
        ) from None


async def _postgres_contents(connection: Any, kind: str) -> Contents:
    tables = [
        row["tablename"]
        for row in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    rows = {name: await connection.fetchval(f'SELECT count(*) FROM public."{name}"') for name in tables}
    migrations: tuple[str, ...] = ()
    if MIGRATION_TABLE in tables:
        query = f"SELECT name FROM public.{MIGRATION_TABLE} WHERE app_name = 'niis' ORDER BY id"
        migrations = tuple(row["name"] for row in await connection.fetch(query))
    return Contents(kind, rows, migrations)


async def _user_tables(connection: Any) -> list[str]:
    rows = await connection.fetch(
        "SELECT schemaname || '.' || tablename AS name FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    )
    return [row["name"] for row in rows]


def _client_version(binary: str) -> int | None:
    import subprocess

    try:
        run = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    found = re.search(r"\(PostgreSQL\) (\d+)", run.stdout)
    return int(found.group(1)) if run.returncode == 0 and found else None


def find_client(name: str, server_major: int) -> str:
    """The newest ``pg_dump``/``pg_restore`` found: NIIS_PG_BIN if set, else Debian's
    /usr/lib/postgresql/*/bin and PATH. Refused when older than the server."""
    if os.environ.get("NIIS_PG_BIN"):
        places = [os.path.join(os.environ["NIIS_PG_BIN"], name)]
        looked = f"NIIS_PG_BIN ({os.environ['NIIS_PG_BIN']})"
    else:
        places = [*sorted(glob(f"/usr/lib/postgresql/*/bin/{name}")), shutil.which(name) or ""]
        looked = "/usr/lib/postgresql/*/bin and PATH"
    versions = {place: _client_version(place) for place in places if place and os.access(place, os.X_OK)}
    found = {place: version for place, version in versions.items() if version is not None}
    if not found:
        raise BackupError(
            f"{name} not found in {looked}: install the PostgreSQL client "
            f"(apt-get install postgresql-client-{server_major}), or set NIIS_PG_BIN to its bin directory"
        )
    best = max(found, key=lambda place: found[place])
    if found[best] < server_major:
        raise BackupError(
            f"{name} {found[best]} ({best}) is older than the server (PostgreSQL {server_major}) and cannot be "
            f"trusted with it: install postgresql-client-{server_major}, or set NIIS_PG_BIN to its bin directory"
        )
    return best


async def _run(database: _Postgres, *command: str) -> str:
    """Run a client tool; its output, or a BackupError with what it said."""
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        env=database.environment(),
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        said = err.decode(errors="replace").strip() or f"exit status {process.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {said}")
    return out.decode(errors="replace")


async def _dump_tables(database: _Postgres, pg_restore: str, dump: Path) -> set[str]:
    """The tables whose data ``dump`` holds, from its table of contents."""
    listing = await _run(database, pg_restore, "--list", str(dump))
    return set(re.findall(r"^\d+; \d+ \d+ TABLE DATA public (\S+) ", listing, flags=re.MULTILINE))


async def _server_major(connection: Any) -> int:
    return int(await connection.fetchval("SHOW server_version_num")) // 10000


async def _postgres_backup(url: str, target: Path, *, force: bool) -> Contents:
    database = _Postgres.from_url(url)
    connection = await _connect(database)
    try:
        major = await _server_major(connection)
        pg_dump, pg_restore = find_client("pg_dump", major), find_client("pg_restore", major)
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            # pg_dump reads the snapshot this transaction exported: the row counts below
            # are exactly those of the dump, even while the app writes.
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            contents = await _postgres_contents(connection, "PostgreSQL dump (pg_dump custom format)")
            if not contents.migrations:
                raise BackupError(f"database {database.where} holds no niis tables: is NIIS_DATABASE_URL right?")
            with _private_umask(), _partial_file(target) as partial:
                await _run(
                    database,
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={partial}",
                    f"--dbname={database.dsn}",
                )
                listed = await _dump_tables(database, pg_restore, partial)
                if missing := set(contents.rows) - listed:
                    raise BackupError(f"the dump lacks the data of {', '.join(sorted(missing))}: not kept")
                _publish(partial, target, force=force)
    finally:
        await connection.close()
    return Contents(contents.kind, contents.rows, contents.migrations, os.stat(target).st_size)


async def _postgres_restore(url: str, source: Path) -> Contents:
    database = _Postgres.from_url(url)
    connection = await _connect(database)
    try:
        pg_restore = find_client("pg_restore", await _server_major(connection))
        listed = await _dump_tables(database, pg_restore, source)
        if MIGRATION_TABLE not in listed:
            raise BackupError(f"{source} holds no niis tables: it is not a niis backup")
        if present := await _user_tables(connection):
            raise BackupError(_not_empty(f"database {database.where}", present))
        # One transaction: if anything fails the database stays empty. Objects are owned
        # by the role restoring, whichever role owned them where the dump was made.
        await _run(
            database,
            pg_restore,
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={database.dsn}",
            str(source),
        )
        restored = await _postgres_contents(connection, "PostgreSQL database")
    finally:
        await connection.close()
    return restored

"""Benchmark: ``niis import-places`` with a national map, on SQLite and PostgreSQL.

    .venv/bin/python bench/places_import.py [--postgres URL] [--scale 1.0]

Two generated files (``tests/national_map.py``, the same on every run): the pre-2025 map
(63 provinces, the 34 seeded among them, 693 districts, 10,395 communes valid from 1991,
with renames, moves and merges up to 2019: 11,565 lines) and the post-reform list of
1 July 2025 (29 provinces and 6,929 communes merged, 693 districts abolished, 3,321
communes renamed: 10,943 lines). Each is loaded into a fresh, migrated database, then
both are loaded again (every line unchanged). ``--scale`` shrinks or grows the number of
communes per district.

Each step goes through ``import_units``, as the command does, and is timed from the
parsed text to the commit. Baseline, measured in the same run on the same database: the
driver's own ``executemany`` inserting as many rows as the step wrote (units, versions,
``place_change`` and audit rows) into a scratch table in one transaction; for a re-run,
which writes nothing, one plain read of every version row. The ratio says how far the
load is from writing (or reading) its rows the plain way.

PostgreSQL: ``--postgres URL`` or the server of ``NIIS_TEST_POSTGRES_URL``, in a database
of our own (``niis_bench_places``, dropped and recreated); skipped when neither is given.
A benchmark is not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")

import asyncpg  # noqa: E402

from api.context import Actor  # noqa: E402
from api.places.importer import ensure_reference_places, import_units  # noqa: E402
from api.places.services import forget_tree  # noqa: E402
from db.engine import close_engine, make_engine, open_engine, use  # noqa: E402
from db.migrate import migrate  # noqa: E402
from db.tables import Place  # noqa: E402
from tests.national_map import NationalMap  # noqa: E402

BENCH_DATABASE = "niis_bench_places"
WRITTEN = ("place", "place_version", "place_change", "audit_event")
SCRATCH = "CREATE TABLE bench_scratch (id {serial} PRIMARY KEY, code VARCHAR(16), name VARCHAR(200), day DATE)"

Baseline = Callable[[int], Awaitable[float]]


async def rows_written() -> int:
    total = 0
    for table in WRITTEN:
        total += int((await Place.raw(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"])
    return total


def scratch_rows(count: int) -> list[tuple[str, str, date]]:
    return [(f"{i:05d}", f"Xã X{i:05d}", date(1991, 10, 1)) for i in range(count)]


def sqlite_baseline(path: Path) -> tuple[Baseline, Baseline]:
    def insert(count: int) -> float:
        rows = scratch_rows(count)
        with sqlite3.connect(path) as connection:
            connection.execute("DROP TABLE IF EXISTS bench_scratch")
            connection.execute(SCRATCH.format(serial="INTEGER"))
        start = time.perf_counter()
        with sqlite3.connect(path) as connection:  # one transaction, committed on leaving
            connection.executemany("INSERT INTO bench_scratch (code, name, day) VALUES (?, ?, ?)", rows)
        return time.perf_counter() - start

    def read(_: int) -> float:
        start = time.perf_counter()
        with sqlite3.connect(path) as connection:
            connection.execute("SELECT * FROM place_version JOIN place ON place.id = place_version.place").fetchall()
        return time.perf_counter() - start

    async def inserted(count: int) -> float:
        return insert(count)

    async def were_read(count: int) -> float:
        return read(count)

    return inserted, were_read


def postgres_baseline(url: str) -> tuple[Baseline, Baseline]:
    async def insert(count: int) -> float:
        rows = scratch_rows(count)
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("DROP TABLE IF EXISTS bench_scratch")
            await connection.execute(SCRATCH.format(serial="SERIAL"))
            start = time.perf_counter()
            async with connection.transaction():
                await connection.executemany("INSERT INTO bench_scratch (code, name, day) VALUES ($1, $2, $3)", rows)
            return time.perf_counter() - start
        finally:
            await connection.close()

    async def read(_: int) -> float:
        connection = await asyncpg.connect(url)
        try:
            start = time.perf_counter()
            await connection.fetch("SELECT * FROM place_version JOIN place ON place.id = place_version.place")
            return time.perf_counter() - start
        finally:
            await connection.close()

    return insert, read


async def measure(label: str, url: str, baselines: tuple[Baseline, Baseline], scale: float) -> list[str]:
    national = NationalMap(communes_per_district=max(1, round(15 * scale)), survivors=max(1, round(3321 * scale)))
    files = {"pre-2025 map": national.before_2025(), "post-reform list": national.reform()}
    insert_baseline, read_baseline = baselines
    engine = make_engine(url)
    use(engine)
    await open_engine(engine, pool_size=2)
    forget_tree()
    lines = []
    try:
        await migrate()
        await ensure_reference_places()
        steps = [(name, text, False) for name, text in files.items()]
        steps += [(name, text, True) for name, text in files.items()]
        for name, text, again in steps:
            before = await rows_written()
            start = time.perf_counter()
            summary = await import_units(Actor.system("bench"), text)
            ours = time.perf_counter() - start
            written = await rows_written() - before
            baseline = await (read_baseline if again else insert_baseline)(written)
            step = f"{name}, again" if again else name
            what = "read every version" if again else f"insert {written:,} rows"
            changed = sum(count for kind, count in summary.counts().items() if kind != "unchanged")
            lines.append(
                f"| {label} | {step} | {text.count(chr(10)) - 1:,} | {changed:,} | {ours:.2f} s"
                f" | {baseline:.3f} s ({what}) | {ours / baseline:.0f}× |"
            )
            print(lines[-1], flush=True)
    finally:
        await close_engine(engine)
    return lines


async def bench_database(server_url: str) -> str:
    """A fresh database of our own on ``server_url``'s server (never the test database)."""
    parts = urlsplit(server_url)
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        await admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    finally:
        await admin.close()
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


async def run(args: argparse.Namespace) -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; scale {args.scale}")
    print("| engine | file | lines | changes | import_units | baseline | ratio |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "places.sqlite3"
        await measure("SQLite", f"sqlite:///{path}", sqlite_baseline(path), args.scale)
    server = args.postgres or os.environ.get("NIIS_TEST_POSTGRES_URL")
    if server:
        url = await bench_database(server)
        await measure("PostgreSQL", url, postgres_baseline(url), args.scale)
    else:
        print("(PostgreSQL skipped: give --postgres URL or set NIIS_TEST_POSTGRES_URL)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a database niis_bench_places is made on it)")
    parser.add_argument("--scale", type=float, default=1.0, help="communes per district, relative to 15")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

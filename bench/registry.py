"""Benchmark: the registry at national scale on PostgreSQL — name search, code lookup and
registration with its duplicate check, each beside a primary-key fetch measured in the
same run.

    .venv/bin/python bench/registry.py [--subjects 1000000] [--queries 300] [--reuse]

PostgreSQL: ``NIIS_BENCH_POSTGRES_URL`` (used as given), else the server of
``NIIS_TEST_POSTGRES_URL`` with a database of our own (``niis_bench``: never the test
database, whose schema the suite drops), else a throwaway server started here (initdb in a
temp dir, free loopback port, stopped and removed on exit, as ``scripts/test`` does).

Seeding uses COPY (``copy_records_to_table``): realistic Vietnamese names (family names
with their real frequencies, middle and given names by sex), birth dates over 0–6 years,
one mother with a mobile phone each, spread over 34 provinces × ``--communes`` communes.
``--reuse`` keeps a database already holding at least ``--subjects`` subjects (each run
registers a hundred more), applying any new migration to it.

Every figure goes through the real service functions (``api.registry.search.services.search`` with
a national, a province-scoped and a commune-scoped ``SubjectFilter``;
``api.registry.subjects.services.register`` with ``Actor.system()``, confirming "not a duplicate"
after a 409 as a person would, each call timed) on a warmed pool. A benchmark is not a test: nothing here asserts
timings; the goals (name search p95 < 50 ms, code lookup p95 < 5 ms) are printed beside.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")

import asyncpg  # noqa: E402

from api.context import Actor  # noqa: E402
from api.places import facilities  # noqa: E402
from api.places.importer import import_units  # noqa: E402
from api.places.services import load_tree  # noqa: E402
from api.registry.identity import codes  # noqa: E402
from api.registry.identity.names import name_key  # noqa: E402
from api.registry.search import services as search  # noqa: E402
from api.registry.search.index import SubjectFilter  # noqa: E402
from api.registry.subjects import services as service  # noqa: E402
from db.engine import close_engine, make_engine, open_engine, use  # noqa: E402
from db.migrate import migrate  # noqa: E402
from db.migrations import niis_0005_name_search_index as name_search_index  # noqa: E402
from db.migrations import niis_0006_search_tuning as search_tuning  # noqa: E402
from db.tables import Facility, Subject  # noqa: E402

BENCH_DATABASE = "niis_bench"
# The migrations' indexes on subject names: dropped before COPY, built after.
NAME_INDEXES = [
    statement
    for statement in (*name_search_index.POSTGRES, *search_tuning.POSTGRES)
    if statement.startswith("CREATE INDEX subject_")
]

# Family names and their shares of the population (Wikipedia, "Vietnamese name").
FAMILY = [
    ("Nguyễn", 38.4),
    ("Trần", 12.1),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 3.1),
    ("Huỳnh", 2.0),
    ("Phan", 4.5),
    ("Vũ", 2.2),
    ("Võ", 1.7),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đào", 0.5),
    ("Đoàn", 0.5),
    ("Vương", 0.4),
    ("Trịnh", 0.4),
    ("Trương", 0.4),
    ("Lâm", 0.3),
    ("Phùng", 0.3),
    ("Mai", 0.3),
    ("Tô", 0.3),
    ("Hà", 0.3),
    ("Tạ", 0.2),
    ("Lương", 0.2),
    ("Cao", 0.2),
    ("Quách", 0.1),
]
MIDDLE = {
    "M": ["Văn", "Minh", "Đức", "Quang", "Hoàng", "Gia", "Anh", "Hữu", "Thành", "Công", "Bảo", "Đình", "Tuấn"],
    "F": ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Khánh", "Phương", "Kim", "Hải", "Gia", "Mai", "Thảo"],
}
GIVEN = {
    "M": [
        "An",
        "Anh",
        "Bảo",
        "Bình",
        "Cường",
        "Dũng",
        "Đạt",
        "Đức",
        "Dương",
        "Hải",
        "Hiếu",
        "Hoàng",
        "Hùng",
        "Huy",
        "Khang",
        "Khoa",
        "Khôi",
        "Kiên",
        "Lâm",
        "Long",
        "Minh",
        "Nam",
        "Nghĩa",
        "Nhân",
        "Phát",
        "Phong",
        "Phúc",
        "Quân",
        "Quang",
        "Sơn",
        "Tài",
        "Thắng",
        "Thành",
        "Thịnh",
        "Tiến",
        "Toàn",
        "Trí",
        "Trung",
        "Tuấn",
        "Tùng",
        "Việt",
        "Vinh",
        "Vũ",
        "Hưng",
        "Khải",
        "Lộc",
        "Nhật",
        "Tâm",
        "Hậu",
        "Khánh",
        "Kiệt",
        "Duy",
        "Hào",
        "Hiển",
        "Luân",
        "Mạnh",
        "Nguyên",
        "Phú",
        "Tân",
        "Thái",
        "Thiện",
    ],
    "F": [
        "Anh",
        "An",
        "Chi",
        "Diệp",
        "Dung",
        "Giang",
        "Hà",
        "Hân",
        "Hằng",
        "Hạnh",
        "Hiền",
        "Hoa",
        "Hương",
        "Huyền",
        "Lan",
        "Linh",
        "Ly",
        "Mai",
        "My",
        "Nga",
        "Ngân",
        "Ngọc",
        "Nhi",
        "Nhung",
        "Oanh",
        "Phương",
        "Quyên",
        "Quỳnh",
        "Tâm",
        "Thảo",
        "Thu",
        "Thủy",
        "Trang",
        "Trâm",
        "Uyên",
        "Vân",
        "Vy",
        "Yến",
        "Hồng",
        "Thư",
        "Tiên",
        "Hoài",
        "Khuê",
        "Loan",
        "Lụa",
        "Nhàn",
        "Như",
        "Tú",
        "Xuân",
        "Ánh",
        "Diễm",
        "Hậu",
        "Liên",
        "Trinh",
        "Thoa",
        "Thy",
        "Vi",
    ],
}
MOBILE_PREFIXES = ["90", "91", "93", "94", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39", "70"]


# --- PostgreSQL ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL of our own for the run, stopped and removed whatever happens."""
    initdbs = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not initdbs:
        sys.exit("No PostgreSQL found: set NIIS_BENCH_POSTGRES_URL or install the postgresql package")
    bin_dir = initdbs[-1].parent
    tmp = Path(tempfile.mkdtemp(prefix="niis-bench-"))
    tmp.chmod(0o711)
    data = tmp / "data"
    as_root = os.geteuid() == 0
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")

    def run(*command: str) -> None:
        argv = ["runuser", "-u", "postgres", "--", *command] if as_root else list(command)
        subprocess.run(argv, cwd=tmp, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{tmp}'\nfsync = off\n"
            "synchronous_commit = off\nfull_page_writes = off\nshared_buffers = 512MB\n"
            "maintenance_work_mem = 512MB\n"
        )
    port = _free_port()
    started = False
    try:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "server.log"), "-w", "-o", f"-p {port}", "start")
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            with contextlib.suppress(subprocess.CalledProcessError):
                run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


async def bench_database(server_url: str, name: str = BENCH_DATABASE) -> str:
    """The URL of our own database (``name``) on ``server_url``'s server, created if missing."""
    parts = urlsplit(server_url)
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.asynccontextmanager
async def empty_database(server_url: str, name: str, *, pool_size: int) -> AsyncIterator[tuple[str, Any]]:
    """The bench's database (``NIIS_BENCH_POSTGRES_URL`` itself, else ``name`` on
    ``server_url``'s server) emptied and migrated: its URL and engine, in use until the end."""
    url = server_url if os.environ.get("NIIS_BENCH_POSTGRES_URL") else await bench_database(server_url, name)
    engine = make_engine(url)
    use(engine)
    await open_engine(engine, pool_size=pool_size)
    try:
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
        await migrate()
        yield url, engine
    finally:
        await close_engine(engine)


# --- the population --------------------------------------------------------------------


@cache
def _key(full_name: str) -> str:
    return name_key(full_name)


class People:
    """Random but realistic Vietnamese children and mothers."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.families = [f for f, _ in FAMILY]
        self.family_weights = [w for _, w in FAMILY]
        # Given names: a few very common, a long tail (Zipf-like).
        self.given_weights = {
            sex: [1 / (rank + 1) ** 0.9 for rank in range(len(names))] for sex, names in GIVEN.items()
        }

    def name(self, sex: str) -> str:
        rng = self.rng
        family = rng.choices(self.families, self.family_weights)[0]
        middles = rng.sample(MIDDLE[sex], 2 if rng.random() < 0.25 else 1)
        given = rng.choices(GIVEN[sex], self.given_weights[sex])[0]
        return " ".join([family, *middles, given])

    def mother(self) -> str:
        rng = self.rng
        family = rng.choices(self.families, self.family_weights)[0]
        given = rng.choices(GIVEN["F"], self.given_weights["F"])[0]
        return f"{family} Thị {given}"

    def phone(self) -> str:
        return "+84" + self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**7):07d}"

    def birth_date(self, today: date) -> date:
        return today - timedelta(days=self.rng.randrange(6 * 365))


async def seed_places(communes_per_province: int) -> list[tuple[int, int, int]]:
    """34 provinces with their communes and one health station each: (province, commune,
    facility) ids."""
    tree = await load_tree()
    provinces = sorted(
        (v.code, pid) for pid in tree.place_ids() if (v := tree.latest(pid)) is not None and v.level == "province"
    )
    lines = ["code,name,level,parent_code,valid_from"]
    for number, (code, _) in enumerate(provinces):
        for commune in range(communes_per_province):
            lines.append(f"{number:02d}{commune:03d},Xã {number}-{commune},commune,{code},2025-07-01")
    await import_units(Actor.system("bench"), "\n".join(lines) + "\n")
    tree = await load_tree()
    units = []
    actor = Actor.system("bench")
    for province_code, province_id in provinces:
        for pid in sorted(tree.place_ids()):
            version = tree.latest(pid)
            if version is None or version.parent_id != province_id:
                continue
            facility = await facilities.create(
                actor,
                code=f"TYT-{version.code}",
                name=f"Trạm Y tế {version.name}",
                kind="commune_health_station",
                place_id=pid,
            )
            units.append((province_id, pid, facility["id"]))
        del province_code
    return units


async def seed_subjects(url: str, count: int, units: Sequence[tuple[int, int, int]], seed: int = 7) -> float:
    """COPY ``count`` subjects, their mothers and the links; the seconds it took."""
    started = time.perf_counter()
    people = People(seed)
    today = date.today()
    now = datetime.now(UTC)
    connection = await asyncpg.connect(url)
    try:
        first_subject = await connection.fetchval("SELECT COALESCE(MAX(id), 0) + 1 FROM subject")
        first_guardian = await connection.fetchval("SELECT COALESCE(MAX(id), 0) + 1 FROM guardian")
        first_link = await connection.fetchval("SELECT COALESCE(MAX(id), 0) + 1 FROM subject_guardian")
        # The name indexes are built once at the end: much faster than row by row.
        for statement in NAME_INDEXES:
            await connection.execute(f"DROP INDEX IF EXISTS {statement.split()[2]}")
        issued: set[str] = set()
        batch = 100_000
        for offset in range(0, count, batch):
            subjects, guardians, links = [], [], []
            for n in range(offset, min(count, offset + batch)):
                sex = "M" if people.rng.random() < 0.51 else "F"
                full_name = people.name(sex)
                code = codes.new_code()
                while code in issued:
                    code = codes.new_code()
                issued.add(code)
                _, place, facility = people.rng.choice(units)
                subject_id, guardian_id = first_subject + n, first_guardian + n
                subjects.append(
                    (
                        subject_id,
                        code,
                        full_name,
                        _key(full_name),
                        people.birth_date(today),
                        sex,
                        place,
                        "",
                        facility,
                        place,
                        "active",
                        1,
                        now,
                        now,
                    )
                )
                mother = people.mother()
                guardians.append((guardian_id, mother, _key(mother), people.phone(), True, now))
                links.append((first_link + n, subject_id, guardian_id, "mother", True))
            await connection.copy_records_to_table(
                "subject",
                records=subjects,
                columns=[
                    "id",
                    "code",
                    "full_name",
                    "name_key",
                    "birth_date",
                    "sex",
                    "place",
                    "address_detail",
                    "facility",
                    "managing_place",
                    "status",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            )
            await connection.copy_records_to_table(
                "guardian",
                records=guardians,
                columns=["id", "full_name", "name_key", "phone", "messaging_consent", "created_at"],
            )
            await connection.copy_records_to_table(
                "subject_guardian", records=links, columns=["id", "subject", "guardian", "relationship", "is_primary"]
            )
            print(f"  {min(count, offset + batch):>9,} subjects  {time.perf_counter() - started:6.1f} s", flush=True)
        for table in ("subject", "guardian", "subject_guardian"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        await connection.execute("SET maintenance_work_mem = '512MB'")
        for statement in NAME_INDEXES:
            await connection.execute(statement)
        await connection.execute("VACUUM ANALYZE subject")
        await connection.execute("VACUUM ANALYZE guardian")
        await connection.execute("VACUUM ANALYZE subject_guardian")
    finally:
        await connection.close()
    return time.perf_counter() - started


# --- measuring -------------------------------------------------------------------------


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


async def timed(calls: Sequence[Callable[[], Awaitable[Any]]]) -> list[float]:
    """Milliseconds per call, after one untimed pass over the first few (warm-up)."""
    for call in calls[:20]:
        await call()
    samples = []
    for call in calls:
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def typo(rng: random.Random, word: str) -> str:
    """One slip of the finger: a letter dropped, doubled, swapped with the next or replaced."""
    if len(word) < 3:
        return word + rng.choice("aeiouh")
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    if kind == 2:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + rng.choice("abcdeghiklmnoprstuvy") + word[at + 1 :]


def name_queries(rng: random.Random, names: Sequence[str], count: int) -> list[str]:
    """What people type: the exact name, without accents, words in another order, with a
    typo, or only family and given name."""
    from api.registry.identity.names import fold

    queries = []
    for n in range(count):
        words = rng.choice(names).split()
        kind = n % 5
        if kind == 1:
            words = fold(" ".join(words)).split()
        elif kind == 2:
            words = [*words[1:], words[0]]
        elif kind == 3:
            at = rng.randrange(len(words))
            words[at] = typo(rng, fold(words[at]))
        elif kind == 4:
            words = [words[0], words[-1]]
        queries.append(" ".join(words))
    return queries


def line(label: str, samples: Sequence[float], baseline: Sequence[float], goal: float | None = None) -> str:
    p50, p95 = percentiles(samples)
    b50, _ = percentiles(baseline)
    target = f"  goal p95 < {goal:g} ms: {'met' if p95 < goal else 'MISSED'}" if goal else ""
    return f"  {label:<34} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  ({p50 / b50:5.1f}× baseline p50){target}"


async def measure(url: str, queries: int, registrations: int) -> None:
    rng = random.Random(11)
    rows = await Subject.raw("SELECT id, code, full_name, place FROM subject TABLESAMPLE SYSTEM (1) LIMIT 2000")
    rows = list(rows)
    names = [r["full_name"] for r in rows]
    tree = await load_tree()
    province_of = {}
    for r in rows:
        version = tree.latest(r["place"])
        province_of[r["id"]] = version.parent_id if version else None
    provinces = sorted({p for p in province_of.values() if p is not None})
    place_ids = {
        p: sorted({p, *(c for c in tree.place_ids() if (v := tree.latest(c)) and v.parent_id == p)}) for p in provinces
    }
    national = SubjectFilter()
    ids = [rng.choice(rows)["id"] for _ in range(queries)]
    texts = name_queries(rng, names, queries)
    scoped = [SubjectFilter(place_ids=place_ids[rng.choice(provinces)]) for _ in range(queries)]
    communes = [SubjectFilter(place_ids=[rng.choice(rows)["place"]]) for _ in range(queries)]
    code_texts = [codes.display(rng.choice(rows)["code"]) for _ in range(queries)]

    async def pk(subject_id: int) -> None:
        await Subject.raw("SELECT * FROM subject WHERE id = {}", subject_id)

    baseline = await timed([lambda i=i: pk(i) for i in ids])
    by_name = await timed([lambda q=q: search.search(q, national) for q in texts])
    by_name_scoped = await timed([lambda q=q, w=w: search.search(q, w) for q, w in zip(texts, scoped, strict=True)])
    by_name_commune = await timed([lambda q=q, w=w: search.search(q, w) for q, w in zip(texts, communes, strict=True)])
    by_code = await timed([lambda c=c: search.search(c, national) for c in code_texts])
    baseline_after = await timed([lambda i=i: pk(i) for i in ids])

    facility_rows = await Facility.select(Facility.id, Facility.place).limit(200)
    people = People(99)
    registered: list[float] = []
    answered_409 = 0
    for n in range(registrations + 5):
        sex = rng.choice("MF")
        unit = rng.choice(facility_rows)
        data = service.SubjectIn(
            full_name=people.name(sex),
            birth_date=people.birth_date(date.today()),
            sex=sex,
            place_id=unit["place"],
            facility_id=unit["id"],
            guardians=(service.GuardianIn(people.mother(), "mother", phone=people.phone(), is_primary=True),),
        )
        confirmed: tuple[int, ...] = ()
        while True:  # what a person does: look at the candidates, then confirm
            started = time.perf_counter()
            try:
                await service.register(Actor.system("bench"), data, not_duplicate_of=confirmed)
                done = True
            except service.DuplicatesFound as found:
                confirmed += tuple(c["subject_id"] for c in found.details["candidates"])
                done = False
            if n >= 5:  # the first five warm up
                registered.append((time.perf_counter() - started) * 1000)
                answered_409 += not done
            if done:
                break

    all_baseline = [*baseline, *baseline_after]
    print()
    print(
        f"  {'baseline: SELECT * FROM subject WHERE id=$1':<34}"
        f" p50 {percentiles(all_baseline)[0]:7.2f} ms  p95 {percentiles(all_baseline)[1]:7.2f} ms"
    )
    print(line("name search, national", by_name, all_baseline, 50))
    print(line("name search, one province", by_name_scoped, all_baseline, 50))
    print(line("name search, one commune", by_name_commune, all_baseline, 50))
    print(line("code lookup (7KM2-9QXH-Q)", by_code, all_baseline, 5))
    print(line("register() with duplicate check", registered, all_baseline))
    print(
        f"  ({len(texts)} name queries: exact, unaccented, reordered, one typo, family+given; "
        f"{registrations} registrations: {len(registered)} calls of register(), {answered_409} of them answered "
        "409 possible_duplicates and were confirmed with not_duplicate_of)"
    )


async def run(server_url: str, args: argparse.Namespace) -> None:
    url = server_url if os.environ.get("NIIS_BENCH_POSTGRES_URL") else await bench_database(server_url)
    engine = make_engine(url)
    use(engine)
    await open_engine(engine, pool_size=4)
    try:
        have = 0
        if args.reuse:
            with contextlib.suppress(Exception):
                have = (await Subject.raw("SELECT COUNT(*) AS n FROM subject"))[0]["n"]
        if have < args.subjects:  # (earlier runs add the subjects they register)
            await engine.run_ddl("DROP SCHEMA public CASCADE")
            await engine.run_ddl("CREATE SCHEMA public")
            await migrate()
            from api.places.importer import ensure_reference_places

            await ensure_reference_places()
            units = await seed_places(args.communes)
            print(f"Seeding {args.subjects:,} subjects into {url} ({len(units)} communes) ...")
            seconds = await seed_subjects(url, args.subjects, units)
            print(f"Seeded in {seconds:.0f} s (COPY, then the name indexes and VACUUM ANALYZE)")
        else:
            await migrate()  # a database seeded before a new migration
            await engine.run_ddl("VACUUM ANALYZE subject")
            print(f"Reusing {have:,} subjects in {url}")
        await measure(url, args.queries, args.registrations)
    finally:
        await close_engine(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--communes", type=int, default=20, help="communes per province (34 provinces)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--registrations", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="keep a database holding at least --subjects subjects")
    on_postgres(run, parser.parse_args())


def on_postgres(run: Callable[[str, argparse.Namespace], Awaitable[None]], args: argparse.Namespace) -> None:
    """``run`` on the configured server, or on a throwaway one started for it."""
    server = os.environ.get("NIIS_BENCH_POSTGRES_URL") or os.environ.get("NIIS_TEST_POSTGRES_URL")
    if server:
        asyncio.run(run(server, args))
    else:
        with throwaway_postgres() as url:
            asyncio.run(run(url, args))


if __name__ == "__main__":
    main()

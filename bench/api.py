"""Benchmark: the served API on PostgreSQL under concurrent clients, each figure beside
the framework's minimal JSON endpoint (``GET /health``) on the same server and load,
measured in the same run.

    .venv/bin/python bench/api.py [--children 5000] [--clients 20] [--requests 400]

PostgreSQL as for ``bench/registry.py`` (``NIIS_BENCH_POSTGRES_URL``, else the server of
``NIIS_TEST_POSTGRES_URL`` with a database of our own, ``niis_bench_api``, else a
throwaway server started here). Seeds one commune with ``--children`` children (rows
written directly, then their stored forecasts by ``recompute_all``, as ``niis
recompute-forecasts`` does, timed), a commune health station with a store holding a
large pentavalent lot and its vaccinator; then starts ``niis serve`` on it and, with
``--clients`` concurrent clients sending ``--requests`` requests each kind:

- the due list of the commune (``GET /api/due?place_id=…``, today + 7 days, first page
  of 200 children; goal p95 < 100 ms) beside ``/health``;
- record a dose from stock (``POST /api/doses``: the dose, the stock entry, the audit
  row, the stored forecast in one unit of work): throughput and p50/p99 beside
  ``/health`` (goal ≥ 5 % of its throughput).

Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")

import httpx  # noqa: E402
from registry import empty_database, on_postgres  # noqa: E402

from api import clock  # noqa: E402
from api.accounts.users import services as users  # noqa: E402
from api.auth.roles import Role  # noqa: E402
from api.context import Actor  # noqa: E402
from api.places import facilities  # noqa: E402
from api.places import services as places  # noqa: E402
from api.places.importer import ensure_reference_places  # noqa: E402
from api.records import forecasts  # noqa: E402
from api.stock import catalogue, stores  # noqa: E402
from api.stock import services as ledger  # noqa: E402
from db.tables import Guardian, Subject, SubjectGuardian  # noqa: E402
from db.unit_of_work import unit_of_work  # noqa: E402
from scanning.testing.payloads import check_digit  # noqa: E402
from tests.served import app_environment, free_port, niis_serve, serving  # noqa: E402

DATABASE = "niis_bench_api"
ACTOR = Actor.system("bench")
GTIN = "0952000200001" + check_digit("0952000200001")  # GS1 prefix 952: demonstrations only
PASSWORD = "bench vaccinator password"
PENTAVALENT = "198"


async def seed(children: int) -> dict[str, Any]:
    """One commune of ``children`` children 0-6 years old, its station, store and vaccinator."""
    await ensure_reference_places()
    province = await places.place_id_by_code("08")
    assert province is not None
    async with unit_of_work():
        commune = await places.create_place(
            ACTOR, code="B0001", name="Xã Bench", level="commune", parent_id=province, valid_from=date(2025, 7, 1)
        )
        station = await facilities.create(
            ACTOR, code="TYT-B0001", name="Trạm Y tế Bench", kind="commune_health_station", place_id=commune["id"]
        )
        added = await facilities.add_store(ACTOR, station["id"], name="Tủ lạnh", kind="refrigerator")
        await users.create(
            ACTOR,
            username="bench.vaccinator",
            full_name="Bench",
            password=PASSWORD,
            role=Role.VACCINATOR,
            scope_facility_id=station["id"],
        )
        product = await catalogue.create_product(ACTOR, code="DTP-HepB-Hib", name="Pentavalent", kind="vaccine")
        await catalogue.register_presentation(
            ACTOR, catalogue.PresentationIn(GTIN, product["id"], 1, 50, False, "keep_28_days", None)
        )
        today = clock.current().today()
        lot = await catalogue.find_or_create_lot(
            ACTOR, gtin=GTIN, number="BENCH1", expiry=today + timedelta(days=700), manufacturer="Bench", field="lot"
        )
        store = await stores.get(added["stores"][0]["id"])
        assert store is not None
        await ledger.receive(ACTOR, store, [ledger.ReceiptLine(1_000_000, lot_id=lot["id"])], reference="BENCH")
    rng = random.Random(5)
    now = datetime.now(UTC)
    for start in range(0, children, 1000):
        async with unit_of_work():
            batch = range(start, min(children, start + 1000))
            ids = await Subject.insert(
                *(
                    Subject(
                        code=f"B{n:08d}",
                        full_name=f"Trẻ Bench {n}",
                        name_key=f"bench tre {n}",
                        birth_date=today - timedelta(days=rng.randrange(0, 6 * 365)),
                        sex=rng.choice("FM"),
                        place=commune["id"],
                        facility=station["id"],
                        managing_place=commune["id"],
                        created_at=now,
                        updated_at=now,
                    )
                    for n in batch
                )
            ).returning(Subject.id)
            guardians = await Guardian.insert(
                *(
                    Guardian(full_name=f"Mẹ {n}", name_key=f"me {n}", phone=f"+8491{n:07d}", created_at=now)
                    for n in batch
                )
            ).returning(Guardian.id)
            await SubjectGuardian.insert(
                *(
                    SubjectGuardian(subject=s["id"], guardian=g["id"], relationship="mother", is_primary=True)
                    for s, g in zip(ids, guardians, strict=True)
                )
            )
    started = time.perf_counter()
    await forecasts.recompute_all()
    seconds = time.perf_counter() - started
    print(f"Stored forecasts of {children:,} children in {seconds:.1f} s ({children / seconds:,.0f}/s, batches of 500)")
    return {"commune": commune["id"], "store": store["id"], "lot": lot["id"]}


def quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99)}


async def load(client: httpx.AsyncClient, clients: int, requests: int, send: Any) -> tuple[float, list[float]]:
    """``requests`` calls of ``send`` spread over ``clients`` concurrent clients: calls/s, ms each."""
    latencies: list[float] = []
    queue = list(range(requests))

    async def worker() -> None:
        while queue:
            number = queue.pop()
            started = time.perf_counter()
            answer = await send(client, number)
            latencies.append((time.perf_counter() - started) * 1000)
            assert answer.status_code < 300, answer.text[:300]

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return requests / (time.perf_counter() - started), latencies


def report(label: str, rate: float, samples: list[float], base_rate: float, base: list[float], goal: str) -> None:
    ours, theirs = quantiles(samples), quantiles(base)
    print(
        f"{label:<28} {rate:8.0f}/s  p50 {ours['p50']:7.1f}  p95 {ours['p95']:7.1f}  p99 {ours['p99']:7.1f} ms"
        f"   | /health {base_rate:6.0f}/s  p50 {theirs['p50']:5.1f}  p95 {theirs['p95']:5.1f}"
        f"  p99 {theirs['p99']:5.1f} ms"
        f"   | {100 * rate / base_rate:5.1f} % of its rate; goal {goal}"
    )


async def measure(base: str, seeded: dict[str, Any], clients: int, requests: int) -> None:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        signed = await client.post("/api/auth/login", json={"username": "bench.vaccinator", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {signed.json()['token']}"
        due = f"/api/due?place_id={seeded['commune']}"
        first = (await client.get(due)).json()
        print(
            f"Due list of the commune, today + 7 days: {sum(c['total'] for c in first['counts']):,} doses due,"
            f" first page {len(first['children'])} children"
        )
        subject_ids = [c["id"] for c in first["children"]]

        async def health(c: httpx.AsyncClient, _: int) -> httpx.Response:
            return await c.get("/health")

        async def due_list(c: httpx.AsyncClient, _: int) -> httpx.Response:
            return await c.get(due)

        async def dose(c: httpx.AsyncClient, number: int) -> httpx.Response:
            body = {
                "subject_id": subject_ids[number % len(subject_ids)],
                "vaccine_code": PENTAVALENT,
                "store_id": seeded["store"],
                "lot_id": seeded["lot"],
                "route": "IM",
                "site": "left_thigh",
                # The seeded children are 0-6 years old and each gets a dose again and
                # again, so the checks flag most doses (too young, too soon): confirmed,
                # as a vaccinator would, the dose is saved with the same writes.
                "override_reason": "bench",
            }
            return await c.post("/api/doses", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})

        await load(client, clients, min(requests, 50), health)  # warm-up
        await load(client, clients, min(requests, 50), due_list)
        for label, send, goal in (
            ("due list (commune)", due_list, "p95 < 100 ms"),
            ("record a dose (from stock)", dose, ">= 5 % of /health"),
        ):
            health_rate, health_samples = await load(client, clients, requests, health)
            rate, samples = await load(client, clients, requests, send)
            report(label, rate, samples, health_rate, health_samples, goal)


async def run(server_url: str, args: argparse.Namespace) -> None:
    async with empty_database(server_url, DATABASE, pool_size=4) as (url, engine):
        seeded = await seed(args.children)
        await engine.run_ddl("VACUUM ANALYZE")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        with serving(niis_serve(port), app_environment(Path(tmp), url), ROOT, port) as base:
            await measure(base, seeded, args.clients, args.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="requests of each kind")
    on_postgres(run, parser.parse_args())


if __name__ == "__main__":
    main()

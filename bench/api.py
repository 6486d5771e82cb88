"""Benchmark: the served API on PostgreSQL under concurrent clients, each figure beside
the framework's minimal JSON endpoint (``GET /health``) on the same server and load,
measured in the same run.

    .venv/bin/python bench/api.py [--children 5000] [--clients 20] [--requests 400]

PostgreSQL as for ``bench/registry.py`` (``NIIS_BENCH_POSTGRES_URL``, else the server of
``NIIS_TEST_POSTGRES_URL`` with a database of our own, ``niis_bench_api``, else a
throwaway server started here). Seeds one commune with ``--children`` children, each
with a card history (rows written in batches from the EPI's ages in schedule/vn/data:
most on time, some late, some incomplete, a few with an invalid dose), then their stored
forecasts by ``recompute_all``, as ``niis recompute-forecasts`` does, timed; a commune
health station with a store holding a pentavalent and a HepB lot, and its vaccinator.
Then starts ``niis serve`` on it and prints, with the load average beside each figure:

- the commune's due list, every programme and EPI only (children, overdue, per group);
  then, with ``--clients`` concurrent clients sending ``--requests`` requests of each
  kind, the EPI due list (``GET /api/due?place_id=…&programme=epi``, today + 7 days,
  first page of 200 children; goal p95 < 100 ms) beside ``/health``;
- record a dose from stock (``POST /api/doses``: the dose, the stock entry, the audit
  row, the stored forecast in one unit of work): throughput and p50/p99 beside
  ``/health`` (goal ≥ 5 % of its throughput);
- a device's 1,000 writes through ``POST /api/sync`` in batches of 500 as the app's
  outbox sends them (newborns registered with their birth dose naming the
  registration's key, pentavalent doses from stock), each answer checked, end to end
  (goal ≤ 10 s), beside 1,000 sequential ``/health``;
- the facility's compact download as the app pulls it (pages of 2,000), time and bytes
  on the wire asking for gzip, and gzipped as the proxy in front sends it (goal ≤ 1 s,
  ≤ 1 MB compressed).

Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
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
from api.immunization import services as immunization  # noqa: E402
from api.places import facilities  # noqa: E402
from api.places import services as places  # noqa: E402
from api.places.importer import ensure_reference_places  # noqa: E402
from api.records import forecasts  # noqa: E402
from api.stock import catalogue, stores  # noqa: E402
from api.stock import services as ledger  # noqa: E402
from api.sync.schemas import MAX_ITEMS  # noqa: E402
from db.bulk import insert_all  # noqa: E402
from db.tables import Dose, Guardian, Subject, SubjectGuardian  # noqa: E402
from db.unit_of_work import unit_of_work  # noqa: E402
from scanning.testing.payloads import check_digit  # noqa: E402
from schedule.dates import Duration, add  # noqa: E402
from tests.served import app_environment, free_port, niis_serve, serving  # noqa: E402

DATABASE = "niis_bench_api"
ACTOR = Actor.system("bench")
GTIN = "0952000200001" + check_digit("0952000200001")  # GS1 prefix 952: demonstrations only
HEPB_GTIN = "0952000200002" + check_digit("0952000200002")
PASSWORD = "bench vaccinator password"
PENTAVALENT = "198"
HEPB_BIRTH = "08"
# The histories' shares, as api/demo_doses.py's profiles: most children on time (each
# dose a few days after its age), some weeks late, some stopped after the first visits,
# a few with one invalid dose (the second pentavalent a fortnight after the first).
PROFILES = {"on_time": 0.79, "late": 0.12, "incomplete": 0.06, "invalid": 0.03}
INCOMPLETE_AFTER = timedelta(days=100)
# The writes a device sends in one sync (two batches of the app's 500): registrations
# of newborns, each with its birth dose naming the registration's key, and doses.
SYNC_WRITES = 1000
NEWBORNS = 10
ROSTER_PAGE = 2000  # pwa/js/screens/facility.js, PAGE_SIZE


Step = tuple[str, Duration, str]  # ("age" | "after", duration, vaccine code)


def epi_series(on: date) -> list[list[Step]]:
    """The EPI's series in force on ``on`` (schedule/vn/data): each target dose's age (or,
    when the data gives none, its interval after the previous dose) and its vaccine."""
    found: list[list[Step]] = []
    epi = immunization.programme_groups("epi", on) - {"Td (women)", "HPV"}  # not a child's
    for antigen in immunization.current_schedule().timeline.antigens.values():
        for series in antigen.series:
            if not series.default_series or series.vaccine_group not in epi:
                continue
            if (series.effective and series.effective > on) or (series.cessation and series.cessation < on):
                continue
            steps: list[Step] = []
            for dose in series.doses:
                code = dose.preferable_vaccines[0].code
                age = next((a.earliest_rec_age for a in dose.ages if a.earliest_rec_age), None)
                gap = next((i.earliest_rec_interval or i.min_interval for i in dose.intervals), None)
                if age is not None:
                    steps.append(("age", age, code))
                elif gap is not None:
                    steps.append(("after", gap, code))
            found.append(steps)
    return found


def history(
    birth: date, today: date, profile: str, series: list[list[Step]], rng: random.Random
) -> list[tuple[str, date]]:
    """A child's card: (vaccine, date) of each EPI dose given by ``today`` as the profile
    says; a dose counting for several series (a pentavalent) once."""
    late = timedelta(days=rng.randint(20, 60)) if profile == "late" else timedelta()
    given: dict[tuple[str, str, date], date] = {}  # one visit per vaccine and age, whatever the series
    for steps in series:
        last = birth
        for how, duration, code in steps:
            visit = (code, f"{how} {duration}", birth if how == "age" else last)
            if visit not in given:
                on = add(visit[2], duration)
                if on > birth:  # a birth dose is given at birth, late or not
                    on += late + timedelta(days=rng.randint(0, 4))
                given[visit] = on
            on = given[visit]
            if on >= today or (profile == "incomplete" and on > birth + INCOMPLETE_AFTER):
                del given[visit]
                break
            last = on
    doses = sorted({(code, on) for (code, _, _), on in given.items()}, key=lambda d: d[1])
    if profile == "invalid":
        pentavalent = [n for n, (code, _) in enumerate(doses) if code == PENTAVALENT]
        if len(pentavalent) >= 2:  # the second a fortnight after the first: too soon
            doses[pentavalent[1]] = (PENTAVALENT, doses[pentavalent[0]][1] + timedelta(days=14))
    return doses


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
        hepb = await catalogue.create_product(ACTOR, code="HepB", name="Viêm gan B sơ sinh", kind="vaccine")
        await catalogue.register_presentation(
            ACTOR, catalogue.PresentationIn(HEPB_GTIN, hepb["id"], 1, 10, False, "keep_28_days", None)
        )
        hepb_lot = await catalogue.find_or_create_lot(
            ACTOR,
            gtin=HEPB_GTIN,
            number="BENCH2",
            expiry=today + timedelta(days=700),
            manufacturer="Bench",
            field="lot",
        )
        store = await stores.get(added["stores"][0]["id"])
        assert store is not None
        await ledger.receive(
            ACTOR,
            store,
            [ledger.ReceiptLine(1_000_000, lot_id=lot["id"]), ledger.ReceiptLine(100_000, lot_id=hepb_lot["id"])],
            reference="BENCH",
        )
    rng = random.Random(5)
    now = datetime.now(UTC)
    began = time.perf_counter()
    series = epi_series(today)
    names, weights = list(PROFILES), list(PROFILES.values())
    births = [today - timedelta(days=rng.randrange(0, 6 * 365)) for _ in range(children)]
    written = 0
    for start in range(0, children, 1000):
        async with unit_of_work():
            batch = range(start, min(children, start + 1000))
            ids = await Subject.insert(
                *(
                    Subject(
                        code=f"B{n:08d}",
                        full_name=f"Trẻ Bench {n}",
                        name_key=f"bench tre {n}",
                        birth_date=births[n],
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
            doses = [
                {"subject": row["id"], "vaccine_code": code, "administered_on": on, "n": n}
                for row, born in zip(ids, births[start : start + len(ids)], strict=True)
                for n, (code, on) in enumerate(history(born, today, rng.choices(names, weights)[0], series, rng))
            ]
            await insert_all(Dose, [card_dose(d, station["id"], now) for d in doses])
            written += len(doses)
    print(f"Seeded {children:,} children and {written:,} doses from their cards in {time.perf_counter() - began:.1f} s")
    started = time.perf_counter()
    await forecasts.recompute_all()
    seconds = time.perf_counter() - started
    print(f"Stored forecasts of {children:,} children in {seconds:.1f} s ({children / seconds:,.0f}/s, batches of 500)")
    return {
        "commune": commune["id"],
        "station": station["id"],
        "store": store["id"],
        "lot": lot["id"],
        "hepb_lot": hepb_lot["id"],
    }


def card_dose(dose: dict[str, Any], station: int, now: datetime) -> dict[str, Any]:
    """A dose row as records.record writes one entered from a card at the station."""
    return {
        "key": f"bench-{dose['subject']}-{dose['n']}",
        "subject": dose["subject"],
        "vaccine_code": dose["vaccine_code"],
        "administered_on": dose["administered_on"],
        "facility": station,
        "lot_number": "",
        "given_elsewhere": "",
        "vaccinator_name": "",
        "programme": "epi",
        "route": "",
        "site": "",
        "warnings": "[]",
        "flags": "[]",
        "override_reason": "",
        "source": "historical",
        "status": "administered",
        "void_reason": "",
        "recorded_at": now,
    }


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
        f"   | {100 * rate / base_rate:5.1f} % of its rate; goal {goal}   [{load_average()}]"
    )


async def measure(base: str, seeded: dict[str, Any], clients: int, requests: int) -> None:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        signed = await client.post("/api/auth/login", json={"username": "bench.vaccinator", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {signed.json()['token']}"
        # The station's sessions give the free programme's vaccines: its list is the EPI's.
        # Every programme's list is printed beside: a child who has had no paid vaccine
        # stays overdue for them for good.
        listed: dict[str, list[dict[str, Any]]] = {}
        for programme in ("all", "epi"):
            due = f"/api/due?place_id={seeded['commune']}&programme={programme}"
            first = (await client.get(due)).json()
            everyone = listed[programme] = await due_children(client, due)
            overdue = sum(1 for c in everyone if c["state"] == "overdue")
            print(
                f"Due list of the commune, today + 7 days, programme={programme}: {len(everyone):,} children"
                f" ({overdue:,} overdue), {sum(c['total'] for c in first['counts']):,} doses;"
                f" first page {len(first['children'])} children"
            )
            print("  per group: " + ", ".join(f"{c['vaccine_group']} {c['total']}" for c in first["counts"]))
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
            ("due list (commune, EPI)", due_list, "p95 < 100 ms"),
            ("record a dose (from stock)", dose, ">= 5 % of /health"),
        ):
            health_rate, health_samples = await load(client, clients, requests, health)
            rate, samples = await load(client, clients, requests, send)
            report(label, rate, samples, health_rate, health_samples, goal)
        # The day's doses go to as many children as there are doses (one each, as in a
        # day's sessions), not to the same few again and again.
        await sync_day(client, seeded, listed["all"])
        await roster(client, seeded)


def load_average() -> str:
    return "load average " + " ".join(f"{n:.1f}" for n in os.getloadavg())


async def due_children(client: httpx.AsyncClient, due: str) -> list[dict[str, Any]]:
    """Every child of the due list, page by page as its ``Link`` header says."""
    children: list[dict[str, Any]] = []
    page: str | None = due + "&limit=500"
    while page:
        answer = await client.get(page)
        assert answer.status_code == 200, answer.text[:300]
        children += answer.json()["children"]
        page = answer.links.get("next", {}).get("url")
    return children


def sync_items(seeded: dict[str, Any], children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A device's day as its outbox queues it: newborns registered, each with the birth
    dose naming the registration's key, and pentavalent doses from stock, recorded
    offline, one for each child of ``children`` (confirmed with a reason, as the dose
    load's are: not every child is due a pentavalent dose)."""
    today = clock.current().today()
    items: list[dict[str, Any]] = []
    for n in range(NEWBORNS):
        key = str(uuid.uuid4())
        mother = {"full_name": f"Lê Thị Hoa {n}", "relationship": "mother", "phone": f"09{n:08d}", "is_primary": True}
        child = {
            "full_name": f"Lê Minh Khoa {n}",
            "birth_date": (today - timedelta(days=1)).isoformat(),
            "sex": "MF"[n % 2],
            "place_id": seeded["commune"],
            "facility_id": seeded["station"],
            "guardians": [mother],
        }
        items.append({"key": key, "method": "POST", "path": "/api/subjects", "body": json.dumps(child)})
        birth_dose = {"subject_key": key, "vaccine_code": HEPB_BIRTH, "lot_id": seeded["hepb_lot"]}
        items.append(offline_dose(seeded, birth_dose, "right_thigh"))
    for n in range(SYNC_WRITES - len(items)):
        dose = {"subject_id": children[n % len(children)]["id"], "vaccine_code": PENTAVALENT, "lot_id": seeded["lot"]}
        items.append(offline_dose(seeded, {**dose, "override_reason": "bench"}, "left_thigh"))
    return items


def offline_dose(seeded: dict[str, Any], dose: dict[str, Any], site: str) -> dict[str, Any]:
    body = {**dose, "source": "synced", "store_id": seeded["store"], "route": "IM", "site": site}
    body["administered_at"] = datetime.now(UTC).isoformat()
    return {"key": str(uuid.uuid4()), "method": "POST", "path": "/api/doses", "body": json.dumps(body)}


async def sync_day(client: httpx.AsyncClient, seeded: dict[str, Any], children: list[dict[str, Any]]) -> None:
    """The device's 1,000 writes through ``POST /api/sync`` as the app sends them (batches
    of ``MAX_ITEMS``, the next after the answer), each item's answer checked; beside
    1,000 sequential ``GET /health`` on the same connection."""
    items = sync_items(seeded, children)
    outcomes: dict[str, int] = {}
    refusals: dict[str, int] = {}
    last_synced: str | None = None
    started = time.perf_counter()
    for first in range(0, len(items), MAX_ITEMS):
        batch = items[first : first + MAX_ITEMS]
        answer = await client.post("/api/sync", json={"items": batch, "last_synced_at": last_synced})
        assert answer.status_code == 200, answer.text[:300]
        body = answer.json()
        last_synced = body["synced_at"]
        assert [a["key"] for a in body["items"]] == [i["key"] for i in batch], "every item answered, in order"
        for answered in body["items"]:
            outcomes[answered["outcome"]] = outcomes.get(answered["outcome"], 0) + 1
            if answered["outcome"] == "refused":
                code = (answered.get("error") or {}).get("code", "?")
                refusals[code] = refusals.get(code, 0) + 1
        assert set(body["confirmed"]) == {a["key"] for a in body["items"] if a["outcome"] != "refused"}
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(len(items)):
        assert (await client.get("/health")).status_code == 200
    health = time.perf_counter() - started
    shown = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
    print(
        f"{'sync: 1,000 writes':<28} {seconds:8.2f} s  ({1000 * seconds / len(items):.1f} ms a write, "
        f"{len(items) // MAX_ITEMS} batches of {MAX_ITEMS}: {shown}"
        + (f"; refused: {refusals}" if refusals else "")
        + f")   | {len(items):,} sequential /health {health:5.2f} s ({1000 * health / len(items):.1f} ms each)"
        f"   | {seconds / health:4.1f}x; goal <= 10 s   [{load_average()}]"
    )


async def roster(client: httpx.AsyncClient, seeded: dict[str, Any]) -> None:
    """The facility's compact download as the app pulls it (pwa/js/screens/facility.js:
    pages of 2,000 until ``has_more`` is false), asking for gzip, bytes on the wire counted."""
    pages, wire, raw, subjects = 0, 0, 0, 0
    encodings: set[str] = set()
    body = b""
    started = time.perf_counter()
    for page in range(1, 10_000):
        url = f"/api/facilities/{seeded['station']}/subjects?format=compact&page={page}&page_size={ROSTER_PAGE}"
        async with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as answer:
            content = await answer.aread()
            assert answer.status_code == 200, content[:300]
            wire += answer.num_bytes_downloaded
            encodings.add(answer.headers.get("content-encoding", "identity"))
        pages += 1
        raw += len(content)
        body += content
        found = json.loads(content)
        subjects += len(found["items"])
        if not found["has_more"]:
            break
    seconds = time.perf_counter() - started
    # ``niis serve`` leaves compression to the proxy in front (docs/deploy.md: Caddy's
    # ``encode zstd gzip``): what that proxy sends is the body gzipped, level 6 here.
    gzipped = len(gzip.compress(body, compresslevel=6))
    print(
        f"{'roster download (facility)':<28} {seconds:8.2f} s  {subjects:,} children in {pages} pages;"
        f" on the wire {wire / 1e6:.2f} MB ({'/'.join(sorted(encodings))}), JSON {raw / 1e6:.2f} MB,"
        f" gzipped {gzipped / 1e6:.2f} MB ({gzipped / max(subjects, 1):.0f} B a child)"
        f"   | goal <= 1 s, <= 1 MB compressed   [{load_average()}]"
    )


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

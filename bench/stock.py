"""Benchmark: the stock ledger on PostgreSQL — 50 concurrent dispensers on one lot beside
the same number of plain inserts into an unlocked table in the same run, and the
stock-on-hand report of a province with 700 stores × 30 lots.

    .venv/bin/python bench/stock.py [--dispensers 50] [--doses 40] [--stores 700] [--lots 30]

PostgreSQL as for ``bench/registry.py`` (``NIIS_BENCH_POSTGRES_URL``, else the server of
``NIIS_TEST_POSTGRES_URL`` with a database of our own, ``niis_bench_stock``, else a
throwaway server started here).

Dispensing goes through the real service (``record_doses_administered``, online: the
balance guard, the entry, the event, the audit row, the min/max check), each dose its
own unit of work, ``--dispensers`` tasks at once on a pool of 20 connections; the
baseline is the same number of tasks each inserting one row per transaction into a
table with no index, no lock and no check. The report is ``on_hand_report`` for the
province's places (a page of 50 stores as the route answers, the first and one from the
middle; and the whole report, as the CSV export reads it), each timed 50 times after a
warm-up. Nothing here asserts timings; the
goals (dispensing ≥ 25 % of the plain inserts; report p95 ≤ 200 ms) are printed beside.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "db.piccolo_conf")

import asyncpg  # noqa: E402
from registry import empty_database, on_postgres, percentiles, timed  # noqa: E402

from api import clock  # noqa: E402
from api.context import Actor  # noqa: E402
from api.places import facilities  # noqa: E402
from api.places.importer import ensure_reference_places, import_units  # noqa: E402
from api.places.services import load_tree  # noqa: E402
from api.stock import alerts, catalogue, stores  # noqa: E402
from api.stock import services as ledger  # noqa: E402
from db.tables import Place  # noqa: E402
from db.unit_of_work import unit_of_work  # noqa: E402
from scanning.testing.payloads import check_digit  # noqa: E402

DATABASE = "niis_bench_stock"
ACTOR = Actor.system("bench")
# GS1 prefix 952 is for demonstrations: never a real product's GTIN.
GTIN = "0952000100001" + check_digit("0952000100001")


async def dispense_rate(
    store: dict[str, object], lot_id: int, dispensers: int, doses: int, run: str = "plain"
) -> float:
    async def dispenser(n: int) -> None:
        for d in range(doses):
            async with unit_of_work():
                await ledger.record_doses_administered(ACTOR, store, lot_id, key=f"bench-{run}-{n}-{d}")

    started = time.perf_counter()
    await asyncio.gather(*(dispenser(n) for n in range(dispensers)))
    return dispensers * doses / (time.perf_counter() - started)


async def insert_rate(dispensers: int, doses: int) -> float:
    from db.tables import StockBalance

    await StockBalance.raw("CREATE TABLE IF NOT EXISTS bench_plain (store INT, lot INT, doses INT, at TIMESTAMPTZ)")

    async def inserter(n: int) -> None:
        for _ in range(doses):
            async with unit_of_work():
                await StockBalance.raw("INSERT INTO bench_plain VALUES ({}, {}, -1, {})", n, 1, datetime.now(UTC))

    started = time.perf_counter()
    await asyncio.gather(*(inserter(n) for n in range(dispensers)))
    return dispensers * doses / (time.perf_counter() - started)


def _each(rates: list[float]) -> str:
    return ", ".join(f"{rate:.0f}" for rate in rates)


async def seed_province(url: str, store_count: int, lot_count: int) -> tuple[int, int]:
    """A province with ``store_count`` commune stores holding ``lot_count`` lots each
    (COPY straight into the tables: the report reads balances, not how they came)."""
    today = clock.current().today()
    first = await Place.select(Place.id, Place.code).where(Place.level == "province").order_by(Place.code).first()
    assert first is not None
    province = first["id"]
    # A hundred communes (the province's stores spread over them), as an import would add them.
    lines = ["code,name,level,parent_code,valid_from"]
    lines += [f"9{c:04d},Xã {c},commune,{first['code']},2025-07-01" for c in range(100)]
    await import_units(ACTOR, "\n".join(lines) + "\n")
    tree = await load_tree()
    communes = sorted(tree.all_within(province, today) - {province})
    connection = await asyncpg.connect(url)
    try:
        now = datetime.now(UTC)
        facility_rows = [
            (f"BF-{i}", f"Trạm Y tế {i}", "commune_health_station", communes[i % len(communes)], True, False, True, now)
            for i in range(store_count)
        ]
        await connection.copy_records_to_table(
            "facility",
            records=facility_rows,
            columns=["code", "name", "kind", "place", "serves_epi", "serves_service", "active", "created_at"],
        )
        facility_ids = [r["id"] for r in await connection.fetch("SELECT id FROM facility WHERE code LIKE 'BF-%'")]
        await connection.copy_records_to_table(
            "store",
            records=[(f, "Tủ lạnh", "refrigerator", True, "commune") for f in facility_ids],
            columns=["facility", "name", "kind", "active", "level"],
        )
        product = await connection.fetchval("SELECT product FROM stock_presentation WHERE gtin = $1", GTIN)
        presentation = await connection.fetchval("SELECT id FROM stock_presentation WHERE gtin = $1", GTIN)
        await connection.copy_records_to_table(
            "stock_lot",
            records=[
                (product, presentation, f"BL{i:04d}", date.today() + timedelta(days=100 + i), "Bench", False, now)
                for i in range(lot_count)
            ],
            columns=["product", "presentation", "number", "expiry", "manufacturer", "on_hold", "created_at"],
        )
        lot_ids = [r["id"] for r in await connection.fetch("SELECT id FROM stock_lot WHERE number LIKE 'BL%'")]
        store_ids = [r["id"] for r in await connection.fetch("SELECT id FROM store WHERE level = 'commune'")]
        await connection.copy_records_to_table(
            "stock_balance",
            records=[(s, lot, 100 + (s * lot) % 900, False, 1, now) for s in store_ids for lot in lot_ids],
            columns=["store", "lot", "doses", "flagged", "version", "updated_at"],
        )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return province, len(store_ids) * len(lot_ids)


async def run(server_url: str, args: argparse.Namespace) -> None:
    async with empty_database(server_url, DATABASE, pool_size=20) as (url, _):
        await ensure_reference_places()
        product = await catalogue.create_product(ACTOR, code="DTP-HepB-Hib", name="Pentavalent", kind="vaccine")
        await catalogue.register_presentation(
            ACTOR, catalogue.PresentationIn(GTIN, product["id"], 1, 50, False, "keep_28_days")
        )
        country = await Place.select(Place.id).where(Place.level == "country").first()
        assert country is not None
        facility = await facilities.create(ACTOR, code="BENCH", name="Bench", kind="hospital", place_id=country["id"])
        for name in ("Bench", "Bench with min/max"):
            await facilities.add_store(ACTOR, facility["id"], name=name, kind="cold_room", level="national")
        plain_store, levelled_store = [
            await stores.get(s["id"]) for s in await stores.listing_of_facility(facility["id"])
        ]
        assert plain_store is not None and levelled_store is not None
        total = args.dispensers * args.doses
        lot = await catalogue.find_or_create_lot(
            ACTOR, gtin=GTIN, number="BENCH1", expiry=date.today() + timedelta(days=365), manufacturer="", field="lot"
        )
        lot_id = lot["id"]
        # With a min/max set, each dose checks it, and the round's last dose, crossing
        # below the minimum of 1, raises the round's one alert (the next receipt re-arms it).
        await alerts.set_level(ACTOR, levelled_store, product["id"], unit="doses", min_level=1, max_level=total * 2)
        rates: dict[str, list[float]] = {"plain": [], "dispensed": [], "levelled": []}
        for round_ in range(args.rounds):
            for store in (plain_store, levelled_store):
                await ledger.receive(ACTOR, store, [ledger.ReceiptLine(total, lot_id=lot_id)])
            rates["plain"].append(await insert_rate(args.dispensers, args.doses))
            rates["dispensed"].append(
                await dispense_rate(plain_store, lot_id, args.dispensers, args.doses, f"{round_}")
            )
            rates["levelled"].append(
                await dispense_rate(levelled_store, lot_id, args.dispensers, args.doses, f"levelled-{round_}")
            )
        left = [await ledger._on_hand(store["id"], lot_id) for store in (plain_store, levelled_store)]
        raised = len(await alerts.listing(levelled_store["id"]))
        wrong = await ledger.check()
        plain = statistics.median(rates["plain"])
        print(f"{args.dispensers} concurrent writers × {args.doses} each, one transaction each, {args.rounds} rounds:")
        print(f"  plain inserts (unlocked table)  {plain:8.0f} /s (median; rounds {_each(rates['plain'])})")
        for label, kind in (("doses dispensed on one lot", "dispensed"), ("the same with a min/max set", "levelled")):
            ratios = [rate / base for rate, base in zip(rates[kind], rates["plain"], strict=True)]
            print(
                f"  {label:30s}  {statistics.median(rates[kind]):8.0f} /s  = {statistics.median(ratios):.0%} of "
                f"plain inserts (median of the rounds' ratios {', '.join(f'{r:.0%}' for r in ratios)}; goal ≥ 25 %)"
            )
        print(
            f"  balances left {left} (expected [0, 0]), alerts {raised} (expected {args.rounds + 1}, "
            "one as the level is set on the empty store), "
            f"ledger check: {wrong or 'ok'}"
        )
        province, balances = await seed_province(url, args.stores, args.lots)
        tree = await load_tree()
        places = tree.all_within(province, clock.current().today())
        page = ledger.ON_HAND_PAGE
        whole = await ledger.on_hand_report(place_ids=places, facility_id=None)
        middle = whole[len(whole) // 2]["store_id"]
        print(f"stock on hand, one province ({args.stores} stores × {args.lots} lots = {balances:,} balances):")
        for label, after, stores_ in (
            (f"first page ({page} stores × {args.lots} lots, what the report answers)", None, page),
            (f"a page from the middle ({page} stores)", middle, page),
            (f"the whole report ({len(whole):,} rows, the CSV export)", None, None),
        ):
            report = partial(
                ledger.on_hand_report, place_ids=places, facility_id=None, after_store_id=after, stores=stores_
            )
            samples = await timed([report for _ in range(args.reports)])
            p50, p95 = percentiles(samples)
            print(f"  {label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms (goal p95 ≤ 200 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dispensers", type=int, default=50)
    parser.add_argument("--doses", type=int, default=40, help="doses each dispenser gives")
    parser.add_argument("--stores", type=int, default=700)
    parser.add_argument("--lots", type=int, default=30)
    parser.add_argument("--reports", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="plain inserts and dispensing, alternated")
    on_postgres(run, parser.parse_args())


if __name__ == "__main__":
    main()

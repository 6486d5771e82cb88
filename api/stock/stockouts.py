"""Stock-out days: the days a store had none of a product (DOMAIN.md §7, the reports).

A day is a stock-out day of a store × product when the product's balance there (all its
lots) was zero or below at the end of that day (Vietnam's days), as the stock card's
closing balance reads. Recomputed from the ledger's entries (a report over time cannot
read balances): the sum before the period opens it, then each day's entries. A product
counts from the period's first day when it was at the store before the period, else from
the first day it entered the store or the store set a min/max for it (from then it should
be there: a product never stocked but kept at a min is out every day). Days after today
are not counted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from api import clock
from db.tables import StockEntry

# Entries per store × product: their sum before the period (day ''), then per day of it.
_MOVES = """
SELECT e.store AS store_id, p.code AS product_code,
       CASE WHEN v.occurred_at < {{}} THEN '' ELSE {day} END AS day, SUM(e.doses) AS doses
  FROM stock_entry e JOIN stock_event v ON v.id = e.event
  JOIN store s ON s.id = e.store JOIN facility f ON f.id = s.facility
  JOIN stock_lot l ON l.id = e.lot JOIN stock_product p ON p.id = l.product
 WHERE v.occurred_at < {{}} AND {where}
 GROUP BY 1, 2, 3
"""
# Products a store keeps a min/max for: out of stock every day until they first arrive.
_LEVELS = """
SELECT s.id AS store_id, p.code AS product_code, {day} AS day
  FROM stock_level v JOIN store s ON s.id = v.store JOIN facility f ON f.id = s.facility
  JOIN stock_product p ON p.id = v.product
 WHERE {where}
"""


def local_day(column: str, *, month: bool = False) -> str:
    """The SQL of a stored timestamp's day 'YYYY-MM-DD' (or month 'YYYY-MM') in Vietnam
    (UTC+7, no DST), as text, for the ledger's engine."""
    if StockEntry._meta.db.engine_type == "postgres":
        return f"to_char({column} AT TIME ZONE 'Asia/Ho_Chi_Minh', '{'YYYY-MM' if month else 'YYYY-MM-DD'}')"
    return f"strftime('{'%Y-%m' if month else '%Y-%m-%d'}', {column}, '+7 hours')"


StoreProduct = tuple[int, str]


async def stockout_days(
    where: str, args: list[int], since: date, until: date, start: datetime, end: datetime
) -> dict[tuple[int, str, str], int]:
    """(store, product code, month 'YYYY-MM') → stock-out days of that month in the period,
    for the stores of ``where`` (the report's area); only months with at least one."""
    opening: dict[StoreProduct, int] = defaultdict(int)
    moves: dict[StoreProduct, dict[str, int]] = defaultdict(dict)
    for row in await StockEntry.raw(_MOVES.format(day=local_day("v.occurred_at"), where=where), start, end, *args):
        key = (int(row["store_id"]), row["product_code"])
        if row["day"] == "":
            opening[key] += int(row["doses"])
        else:
            moves[key][row["day"]] = int(row["doses"])
    # Since when each kept product is expected: the level's last change (levels keep no
    # creation date; a later change only shortens the count).
    kept = {
        (int(row["store_id"]), row["product_code"]): row["day"]
        for row in await StockEntry.raw(_LEVELS.format(day=local_day("v.updated_at"), where=where), *args)
    }
    last = min(until, clock.current().today())
    found: dict[tuple[int, str, str], int] = defaultdict(int)
    for key in set(opening) | set(moves) | set(kept):
        starts = [day for day in (min(moves.get(key, {}), default=None), kept.get(key)) if day]
        first = since if key in opening else max(since, date.fromisoformat(min(starts)))
        _count(found, key, first, last, opening.get(key, 0), moves.get(key, {}))
    return dict(found)


def _count(
    found: dict[tuple[int, str, str], int],
    key: StoreProduct,
    first: date,
    last: date,
    balance: int,
    moves: dict[str, int],
) -> None:
    """Adds the store × product's stock-out days from ``first`` to ``last``: between two days
    with entries the closing balance stays what the earlier one left (so the cost is the
    entries', not the period's length)."""
    cursor = first
    for iso in sorted(moves):
        day = date.fromisoformat(iso)
        if day > last:
            break
        if balance <= 0:
            _add(found, key, cursor, day - timedelta(days=1))
        balance += moves[iso]
        cursor = day
    if balance <= 0:
        _add(found, key, cursor, last)


def _add(found: dict[tuple[int, str, str], int], key: StoreProduct, first: date, last: date) -> None:
    """Counts the days from ``first`` to ``last`` (inclusive) under their months."""
    while first <= last:
        next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        end = min(last, next_month - timedelta(days=1))
        found[(key[0], key[1], first.isoformat()[:7])] += (end - first).days + 1
        first = next_month

"""The ledger: every stock movement is one event of entries, never edited; each
balance (store × lot) moves with its entries in the same transaction.

A balance changes by one atomic, conditional ``UPDATE`` (no read-then-write), and an
event touching several lots updates them in lot order, so concurrent dispensers lose
nothing and never deadlock (docs/stock.md, "Concurrency"). Online, nothing may take a
balance below zero (409); a dose recorded offline is a clinical fact and is kept,
flagging the balance instead.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, get_args

from api import clock
from api.audit import services as audit
from api.audit.services import Details
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.scope import Scope
from api.stock import alerts, catalogue, stockouts, stores
from db.tables import StockBalance, StockEntry, StockEvent
from db.unit_of_work import lock_row, locked, unit_of_work

Kind = Literal[
    "receipt", "shipment", "shipment_receipt", "administered", "vial_opened", "adjustment", "count", "reversal"
]
Discrepancy = Literal["short", "damaged", "vvm", "temperature_alarm"]
# Reasons an adjustment takes doses out; ``found`` is the one that puts them back.
AdjustmentReason = Literal[
    "broken", "expired", "vvm_discard", "frozen", "cold_chain_failure", "open_vial_discard", "lost", "found"
]


@dataclass(frozen=True)
class Line:
    """One entry to write: ``doses`` signed (+ in, − out) and what the line says."""

    lot_id: int
    doses: int
    vvm_stage: int | None = None
    expected_doses: int | None = None
    discrepancy: str = ""
    counted_doses: int | None = None


@dataclass(frozen=True)
class Event:
    kind: Kind
    store_id: int
    place_id: int
    lines: Sequence[Line]
    key: str | None = None
    other_store_id: int | None = None
    reference: str = ""
    reason: str = ""
    note: str = ""
    status: str = ""
    shipment_id: int | None = None
    reverses_id: int | None = None
    offline: bool = False
    occurred_at: datetime | None = None
    # Online writes may not take a balance below zero; offline doses may (flagged).
    may_go_below_zero: bool = False
    # Issued or given: an expired or held lot is refused.
    usable_lots_only: bool = False
    # Doses given: counted against an open vial of the lot (``vial_id``, else the
    # store × lot's oldest open vial with room), for its open-vial wastage.
    from_open_vial: bool = False
    vial_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class NotEnoughStock(Conflict):
    def __init__(self, lot: dict[str, Any], on_hand: int, asked: int) -> None:
        super().__init__(
            f"Only {on_hand} doses of lot {lot['number']} ({lot['product_code']}) are on hand, "
            f"{asked} asked: record the receipt or count first, or take fewer",
            details={"lot_id": lot["id"], "on_hand": on_hand, "asked": asked},
        )


_ENSURE_ROW = (
    "INSERT INTO stock_balance (store, lot, doses, flagged, version, updated_at) "
    "VALUES ({}, {}, 0, {}, 0, {}) ON CONFLICT (store, lot) DO NOTHING"
)
_MOVE = (
    "UPDATE stock_balance SET doses = doses + {}, version = version + 1, updated_at = {}, "
    "flagged = (doses + {} < 0) WHERE store = {} AND lot = {}"
)


async def _on_hand(store_id: int, lot_id: int) -> int:
    row = (
        await StockBalance.select(StockBalance.doses)
        .where((StockBalance.store == store_id) & (StockBalance.lot == lot_id))
        .first()
    )
    return int(row["doses"]) if row else 0


async def holds(store_id: int, lot_id: int) -> bool:
    """Whether the store has ever held the lot (its balance row exists, at zero or not):
    a dose names a lot of its own store, never another's."""
    return bool(await StockBalance.exists().where((StockBalance.store == store_id) & (StockBalance.lot == lot_id)))


async def _move(store_id: int, lot_id: int, delta: int, *, may_go_below_zero: bool) -> int | None:
    """Add ``delta`` to the balance in one statement; None when it would go below zero
    and may not (nothing changed). The row is created on the store × lot's first entry."""
    now = clock.current().now()
    guard = "" if may_go_below_zero or delta >= 0 else " AND doses + {} >= 0"
    args: list[Any] = [delta, now, delta, store_id, lot_id] + ([] if not guard else [delta])
    rows = await StockBalance.raw(_MOVE + guard + " RETURNING doses", *args)
    if not rows and not await StockBalance.exists().where(
        (StockBalance.store == store_id) & (StockBalance.lot == lot_id)
    ):
        await StockBalance.raw(_ENSURE_ROW, store_id, lot_id, False, now)
        rows = await StockBalance.raw(_MOVE + guard + " RETURNING doses", *args)
    return int(rows[0]["doses"]) if rows else None


async def _existing(key: str | None) -> int | None:
    if key is None:
        return None
    row = await StockEvent.select(StockEvent.id).where(StockEvent.key == key).first()
    return int(row["id"]) if row else None


async def _recorded(key: str | None) -> int:
    """The event already recorded under ``key`` (its insert met the unique key)."""
    earlier = await _existing(key)
    assert earlier is not None
    return earlier


async def record(actor: Actor, event: Event) -> int:
    """Write ``event`` and move its balances; the event's id. A ``key`` already recorded
    answers that event again and writes nothing (a retry, a dose synced twice)."""
    if len(event.lines) == 1 and event.lines[0].doses != 0:
        # A dose, an adjustment, a one-lot receipt: first the few-statement way; it
        # declines (writing nothing) where the general way must explain or create a row.
        done = await _record_one(actor, event)
        if done is not None:
            return done
    async with unit_of_work():
        lots = await catalogue.lots([line.lot_id for line in event.lines])
        for index, line in enumerate(event.lines):
            if line.lot_id not in lots:
                raise Invalid(f"Lot {line.lot_id} not found", field=f"lines[{index}].lot_id")
            if event.usable_lots_only:
                catalogue.usable(lots[line.lot_id], clock.current().today(), field=f"lines[{index}].lot_id")
        event_id = await _insert_event(actor, event)
        if event_id is None:
            # The key is recorded (a retry, a dose synced twice): that event, nothing new.
            # A concurrent first write of the same key is waited for by the unique index.
            return await _recorded(event.key)
        await _insert_entries(event_id, event)
        action, details = _audited(event)
        await audit.record(actor, action, "stock_event", event_id, **details)
        levels = await alerts.levels_of(
            event.store_id, {lots[line.lot_id]["product_id"] for line in event.lines if line.doses}
        )
        # The balances last: their row locks are held from here to the commit only, so
        # dispensers on one lot queue for a few statements, not for the whole command.
        # Lot order: two events on the same lots always wait for each other the same way.
        for line in sorted(event.lines, key=lambda line: line.lot_id):
            if line.doses == 0:
                continue
            if await _move(event.store_id, line.lot_id, line.doses, may_go_below_zero=event.may_go_below_zero) is None:
                raise NotEnoughStock(lots[line.lot_id], await _on_hand(event.store_id, line.lot_id), -line.doses)
        if event.from_open_vial:
            await StockBalance.raw(*_draw_from_open_vial(event, event.lines[0]))
        await alerts.check_levels(event.store_id, levels)
    return event_id


async def _insert_event(actor: Actor, event: Event) -> int | None:
    """The event's id; None when its key is already recorded."""
    now = clock.current().now()
    created = (
        await StockEvent.insert(StockEvent(**_event_row(actor, event, now)))
        .on_conflict(target=StockEvent.key, action="DO NOTHING")
        .returning(StockEvent.id)
    )
    return int(created[0]["id"]) if created else None


def _event_row(actor: Actor, event: Event, now: datetime) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "store": event.store_id,
        "other_store": event.other_store_id,
        "key": event.key,
        "reference": event.reference,
        "reason": event.reason,
        "note": event.note,
        "status": event.status,
        "shipment": event.shipment_id,
        "reverses": event.reverses_id,
        "offline": event.offline,
        "occurred_at": event.occurred_at or now,
        "recorded_at": now,
        "recorded_by": actor.account_id,
    }


async def _insert_entries(event_id: int, event: Event) -> None:
    if not event.lines:
        return  # a vial opened moves no balance
    await StockEntry.insert(
        *(StockEntry(event=event_id, store=event.store_id, **_entry_row(line)) for line in event.lines)
    )


def _entry_row(line: Line) -> dict[str, Any]:
    return {
        "lot": line.lot_id,
        "doses": line.doses,
        "vvm_stage": line.vvm_stage,
        "expected_doses": line.expected_doses,
        "discrepancy": line.discrepancy,
        "counted_doses": line.counted_doses,
    }


def _audited(event: Event) -> tuple[str, Details]:
    """The audit row's action and details (place, what was written) of an event."""
    after = {
        "kind": event.kind,
        "store": event.store_id,
        "lines": [{"lot": line.lot_id, "doses": line.doses} for line in event.lines],
        **({"reference": event.reference} if event.reference else {}),
        **({"reason": event.reason} if event.reason else {}),
        **event.extra,
    }
    return f"stock.{event.kind}", {"place_id": event.place_id, "after": after}


# The one-line event on PostgreSQL in one statement: the event (its key's unique index
# waits for a concurrent twin before any balance lock is taken), then the guarded move
# (re-evaluated on the committed row after a concurrent updater, READ COMMITTED), then
# the entry and the audit row only if it moved. What the caller needs comes back.
_RECORD_ONE_POSTGRES = """
WITH event AS (
  INSERT INTO stock_event (kind, store, other_store, key, reference, reason, note, status, shipment, reverses,
                           offline, occurred_at, recorded_at, recorded_by)
  VALUES ({}, {}::int, {}::int, {}, {}, {}, {}, {}, {}::int, {}::int, {}::boolean, {}::timestamptz,
          {}::timestamptz, {}::int)
  ON CONFLICT (key) DO NOTHING RETURNING id
), moved AS (
  %(move)s AND EXISTS (SELECT 1 FROM event) RETURNING doses
), entry AS (
  INSERT INTO stock_entry (event, store, lot, doses, vvm_stage, expected_doses, discrepancy, counted_doses)
  SELECT id, {}::int, {}::int, {}::int, {}::int, {}::int, {}, {}::int FROM event WHERE EXISTS (SELECT 1 FROM moved)
), audit AS (
  INSERT INTO audit_event (at, actor, actor_name, action, entity, entity_id, place, before, after, request_id,
                           device_id)
  SELECT {}::timestamptz, {}::int, {}, {}, {}, id::text, {}::int, NULL, {}::json, {}, {}
    FROM event WHERE EXISTS (SELECT 1 FROM moved)
)%(vial)s, on_hand AS (
  SELECT COALESCE((SELECT SUM(b.doses) FROM stock_balance b JOIN stock_lot l ON l.id = b.lot
                    WHERE b.store = {} AND l.product = (SELECT product FROM stock_lot WHERE id = {})
                      AND b.lot <> {} AND b.doses > 0), 0) + GREATEST((SELECT doses FROM moved), 0) AS doses
), level AS (
  UPDATE stock_level SET below_min = NOT below_min
   WHERE store = {} AND unit = 'doses' AND product = (SELECT product FROM stock_lot WHERE id = {})
     AND EXISTS (SELECT 1 FROM moved) AND below_min <> ((SELECT doses FROM on_hand) < min_level)
  RETURNING product, below_min, min_level
)
SELECT (SELECT id FROM event) AS event_id, (SELECT doses FROM moved) AS doses,
       (SELECT product FROM level WHERE below_min) AS fell_below, (SELECT min_level FROM level) AS min_level,
       (SELECT doses FROM on_hand) AS on_hand, (%(levelled)s) AS levelled_product
"""
# A min/max in doses is checked inside that statement: the product's doses on hand after
# the move (the other lots' balances and this one's new one), and the level row flipped
# only when the stock crosses min (one alert per crossing, as ``alerts.check_levels``).

# The lot's product when the store has a min/max for it (then the levels are checked).
_LEVELLED_PRODUCT = (
    "SELECT l.product AS product FROM stock_level v JOIN stock_lot l ON l.product = v.product "
    "WHERE v.store = {} AND l.id = {}"
)


def _draw_from_open_vial(event: Event, line: Line) -> tuple[Any, ...]:
    """The ``UPDATE`` counting a dose against an open vial with room (the named one, or
    the oldest); none with room: the dose is kept, counted against no vial. Rechecked on
    the committed row after a concurrent dose (READ COMMITTED), so a vial is never
    counted past its doses. Taken after the balance's lock, as a vial's discard does."""
    given = -line.doses
    named = " AND id = {}" if event.vial_id is not None else ""
    sql = (
        "UPDATE stock_open_vial SET given = given + {} WHERE id = (SELECT id FROM stock_open_vial "
        "WHERE store = {} AND lot = {} AND closed_at IS NULL AND given + {} <= doses" + named + " ORDER BY id LIMIT 1) "
        "AND closed_at IS NULL AND given + {} <= doses"
    )
    args = [given, event.store_id, line.lot_id, given, *([event.vial_id] if named else []), given]
    return (sql, *args)


def _guarded_move(event: Event, line: Line, now: datetime) -> tuple[str, list[Any]]:
    """The balance ``UPDATE`` of one line with its guards: not below zero unless the
    event may go there, and (for an issue or a dose) only on a usable lot."""
    sql = _MOVE
    args: list[Any] = [line.doses, now, line.doses, event.store_id, line.lot_id]
    if not event.may_go_below_zero and line.doses < 0:
        sql += " AND doses + {} >= 0"
        args.append(line.doses)
    if event.usable_lots_only:
        sql += " AND lot IN (SELECT id FROM stock_lot WHERE id = {} AND NOT on_hold AND expiry >= {})"
        args += [line.lot_id, clock.current().today()]
    return sql, args


async def _record_one(actor: Actor, event: Event) -> int | None:
    """A one-line event in as few statements as the engine allows, without a savepoint;
    None (nothing written) when the balance would not move (no row yet, not enough
    on hand, a lot not usable or not found): the general way then explains or creates.

    PostgreSQL: one statement (above), so a dose is BEGIN, it, COMMIT, as a plain insert
    is, and the balance's row lock is held for the COMMIT's round trip only. SQLite
    (writers queue for the database lock anyway): the event, the move, the entry, the
    audit row, a dose's open vial, the min/max lookup: six statements instead of the
    general way's eight and its savepoint's two."""
    [line] = event.lines
    now = clock.current().now()
    move, move_args = _guarded_move(event, line, now)
    async with unit_of_work(savepoint=False) as unit:
        try:
            if unit.engine.engine_type == "postgres":
                found = await _record_one_postgres(actor, event, line, now, move, move_args)
            else:
                found = await _record_one_sqlite(actor, event, move, move_args)
            if found is None:
                return None
            event_id, levelled_product = found
            if levelled_product is not None:
                await alerts.check_levels(event.store_id, await alerts.levels_of(event.store_id, [levelled_product]))
            return event_id
        except BaseException:
            unit.fail()  # written without a savepoint: nothing of this command may commit
            raise


async def _record_one_postgres(
    actor: Actor, event: Event, line: Line, now: datetime, move: str, move_args: list[Any]
) -> tuple[int, int | None] | None:
    row = _event_row(actor, event, now)
    action, details = _audited(event)
    logged = audit.event(actor, action, "stock_event", 0, **details)
    draw: tuple[Any, ...] = _draw_from_open_vial(event, line) if event.from_open_vial else ("",)
    vial = f", vial AS ({draw[0]} AND EXISTS (SELECT 1 FROM moved) RETURNING id)" if event.from_open_vial else ""
    [result] = await StockEvent.raw(
        _RECORD_ONE_POSTGRES % {"move": move, "levelled": _LEVELLED_PRODUCT + " AND v.unit <> 'doses'", "vial": vial},
        *row.values(),
        *move_args,
        event.store_id,
        *_entry_row(line).values(),
        logged["at"],
        logged["actor"],
        logged["actor_name"],
        action,
        "stock_event",
        logged["place"],
        json.dumps(logged["after"]),
        logged["request_id"],
        logged["device_id"],
        *draw[1:],
        *(event.store_id, line.lot_id, line.lot_id),  # on hand after the move
        *(event.store_id, line.lot_id),  # the min/max in doses
        *(event.store_id, line.lot_id),  # a min/max in months: checked after
    )
    if result["event_id"] is None:
        return await _recorded(event.key), None
    if result["doses"] is None:
        # Declined: take back the event this statement wrote (nothing else was).
        await StockEvent.delete().where(StockEvent.id == result["event_id"])
        return None
    if result["fell_below"] is not None:
        await alerts.below_min(event.store_id, result["fell_below"], result["on_hand"], result["min_level"])
    return int(result["event_id"]), result["levelled_product"]


async def _record_one_sqlite(
    actor: Actor, event: Event, move: str, move_args: list[Any]
) -> tuple[int, int | None] | None:
    event_id = await _insert_event(actor, event)
    if event_id is None:
        return await _recorded(event.key), None
    if not await StockBalance.raw(move + " RETURNING doses", *move_args):
        await StockEvent.delete().where(StockEvent.id == event_id)
        return None
    await _insert_entries(event_id, event)
    action, details = _audited(event)
    await audit.record(actor, action, "stock_event", event_id, **details)
    if event.from_open_vial:
        await StockBalance.raw(*_draw_from_open_vial(event, event.lines[0]))
    levelled = await StockBalance.raw(_LEVELLED_PRODUCT, event.store_id, event.lines[0].lot_id)
    return event_id, levelled[0]["product"] if levelled else None


def _check_vvm(lot: dict[str, Any], stage: int | None, field: str) -> None:
    if stage is not None and not lot["has_vvm"]:
        raise Invalid(f"{lot['product_code']} ({lot['gtin']}) carries no VVM: leave the VVM stage empty", field=field)


# --- receipts ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    """A lot already known (``lot_id``) or read from the label (GTIN, number, expiry)."""

    doses: int
    lot_id: int | None = None
    gtin: str | None = None
    lot_number: str | None = None
    expiry: date | None = None
    manufacturer: str = ""
    vvm_stage: int | None = None


async def _receipt_lot(actor: Actor, line: ReceiptLine, field: str) -> dict[str, Any]:
    if line.lot_id is not None:
        lot = await catalogue.lot(line.lot_id)
        if line.gtin is not None:
            presentation = await catalogue.presentation_by_gtin(line.gtin)
            if presentation["product_id"] != lot["product_id"]:
                raise Invalid(
                    f"Lot {lot['number']} is a lot of {lot['product_code']}, not of {presentation['product_code']} "
                    f"(GTIN {presentation['gtin']}): pick the lot of this product",
                    field=field,
                )
        return lot
    if line.gtin is None or line.lot_number is None or line.expiry is None:
        raise Invalid("A receipt line names a lot_id, or the GTIN, lot number and expiry from the label", field=field)
    return await catalogue.find_or_create_lot(
        actor, gtin=line.gtin, number=line.lot_number, expiry=line.expiry, manufacturer=line.manufacturer, field=field
    )


async def receive(
    actor: Actor, store: dict[str, Any], lines: Sequence[ReceiptLine], *, reference: str = "", key: str | None = None
) -> int:
    """A receipt from a supplier (SSCC or order number in ``reference``)."""
    today = clock.current().today()
    async with unit_of_work():
        written = []
        for index, line in enumerate(lines):
            field = f"lines[{index}]"
            lot = await _receipt_lot(actor, line, field)
            if lot["expiry"] < today:
                raise Invalid(
                    f"Lot {lot['number']} of {lot['product_code']} expired on {lot['expiry']}: do not accept it",
                    field=field,
                )
            _check_vvm(lot, line.vvm_stage, field)
            written.append(Line(lot["id"], line.doses, vvm_stage=line.vvm_stage))
        return await record(
            actor,
            Event("receipt", store["id"], store["place_id"], _merged(written), key=key, reference=reference),
        )


def _merged(lines: list[Line]) -> list[Line]:
    """Refuse one lot twice in an event: a count or a shipment line per lot is one line."""
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if line.lot_id in seen:
            raise Invalid("Each lot appears once in a receipt, shipment or count", field=f"lines[{index}]")
        seen.add(line.lot_id)
    return lines


# --- shipments ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShipLine:
    lot_id: int
    doses: int


async def ship(
    actor: Actor,
    store: dict[str, Any],
    to_store_id: int,
    lines: Sequence[ShipLine],
    *,
    reference: str = "",
    key: str | None = None,
) -> int:
    """Doses leave ``store`` for another store; in transit until received there."""
    to_store = await stores.get(to_store_id)
    if to_store is None:
        raise Invalid(f"Store {to_store_id} not found", field="to_store_id")
    if to_store["id"] == store["id"]:
        raise Invalid("A shipment goes to another store", field="to_store_id")
    if not to_store["active"]:
        raise Invalid(f"Store {to_store['name']} is closed", field="to_store_id")
    return await record(
        actor,
        Event(
            "shipment",
            store["id"],
            store["place_id"],
            _merged([Line(line.lot_id, -line.doses) for line in lines]),
            key=key,
            other_store_id=to_store["id"],
            reference=reference,
            status="in_transit",
            usable_lots_only=True,
        ),
    )


@dataclass(frozen=True)
class ArrivedLine:
    """What arrived of one shipped lot: the doses accepted, and why fewer when fewer."""

    lot_id: int
    doses: int
    discrepancy: Discrepancy | None = None
    vvm_stage: int | None = None


async def receive_shipment(
    actor: Actor, store: dict[str, Any], shipment_id: int, arrived: Sequence[ArrivedLine], *, key: str | None = None
) -> int:
    """The receiving store records a shipment: each lot shipped in full unless a line
    says otherwise (and then why). A shipment is received once."""
    async with unit_of_work():
        earlier = await _existing(key)
        if earlier is not None:
            return earlier
        shipment = await lock_row(StockEvent, shipment_id)
        if shipment is None or shipment["kind"] != "shipment" or shipment["other_store"] != store["id"]:
            raise NotFound(f"Shipment {shipment_id} to this store not found")
        if shipment["status"] != "in_transit":
            raise Conflict(
                f"Shipment {shipment_id} was already {shipment['status'].replace('_', ' ')}: nothing to receive",
                details={"status": shipment["status"]},
            )
        shipped = {
            row["lot"]: -int(row["doses"])
            for row in await StockEntry.select(StockEntry.lot, StockEntry.doses).where(StockEntry.event == shipment_id)
        }
        said = {}
        lots = await catalogue.lots(list(shipped))
        for index, line in enumerate(arrived):
            field = f"lines[{index}]"
            if line.lot_id not in shipped:
                raise Invalid(f"Lot {line.lot_id} is not in shipment {shipment_id}", field=field)
            if line.doses > shipped[line.lot_id]:
                raise Invalid(
                    f"{shipped[line.lot_id]} doses of lot {lots[line.lot_id]['number']} were shipped, "
                    f"not {line.doses}: record the extra doses as a 'found' adjustment",
                    field=field,
                )
            if (line.doses < shipped[line.lot_id]) != (line.discrepancy is not None):
                raise Invalid(
                    "Say why fewer doses arrived (short, damaged, vvm, temperature_alarm), and only then", field=field
                )
            _check_vvm(lots[line.lot_id], line.vvm_stage, field)
            said[line.lot_id] = line
        lines = []
        for lot_id, doses in sorted(shipped.items()):
            line = said.get(lot_id, ArrivedLine(lot_id, doses))
            lines.append(
                Line(
                    lot_id,
                    line.doses,
                    vvm_stage=line.vvm_stage,
                    expected_doses=doses,
                    discrepancy=line.discrepancy or "",
                )
            )
        await StockEvent.update({StockEvent.status: "received"}).where(StockEvent.id == shipment_id)
        return await record(
            actor,
            Event(
                "shipment_receipt",
                store["id"],
                store["place_id"],
                lines,
                key=key,
                other_store_id=shipment["store"],
                reference=shipment["reference"],
                shipment_id=shipment_id,
            ),
        )


# --- doses, adjustments, counts, reversals -----------------------------------------


async def record_doses_administered(
    actor: Actor,
    store: dict[str, Any],
    lot_id: int,
    *,
    doses: int = 1,
    key: str,
    offline: bool = False,
    given_at: datetime | None = None,
    vial_id: int | None = None,
) -> int:
    """Doses given from ``store``'s lot, in the vaccination record's own transaction
    (``key``: the dose's id, so a dose synced twice counts once), counted against the
    open vial ``vial_id`` (else the lot's oldest open vial with room, if any).

    Online, an expired or held lot, or more doses than on hand, is refused. A dose
    recorded offline is never refused for stock: below zero, the balance is flagged."""
    if doses <= 0:
        raise Invalid("Doses administered are at least 1", field="doses")
    return await record(
        actor,
        Event(
            "administered",
            store["id"],
            store["place_id"],
            [Line(lot_id, -doses)],
            key=key,
            offline=offline,
            occurred_at=given_at,
            may_go_below_zero=offline,
            usable_lots_only=not offline,
            from_open_vial=True,
            vial_id=vial_id,
        ),
    )


FOUND = "found"


async def adjust(
    actor: Actor,
    store: dict[str, Any],
    reason: AdjustmentReason,
    lot_id: int,
    doses: int,
    *,
    note: str = "",
    key: str | None = None,
) -> int:
    """Doses out for a reason (broken, expired, VVM 3/4 …), or back in when ``found``."""
    await catalogue.lot(lot_id)
    delta = doses if reason == FOUND else -doses
    lines = [Line(lot_id, delta)]
    return await record(
        actor, Event("adjustment", store["id"], store["place_id"], lines, key=key, reason=reason, note=note)
    )


@dataclass(frozen=True)
class CountLine:
    lot_id: int
    counted_doses: int
    vvm_stage: int | None = None


async def count(actor: Actor, store: dict[str, Any], counted: Sequence[CountLine], *, key: str | None = None) -> int:
    """A physical count: each line's entry is the variance (counted − on hand), read
    under the balance's row lock so a dose given meanwhile is not counted twice."""
    async with unit_of_work():
        earlier = await _existing(key)
        if earlier is not None:
            return earlier
        lots = await catalogue.lots([line.lot_id for line in counted])
        lines = []
        for index, line in enumerate(sorted(counted, key=lambda line: line.lot_id)):
            if line.lot_id not in lots:
                raise Invalid(f"Lot {line.lot_id} not found", field=f"lines[{index}].lot_id")
            _check_vvm(lots[line.lot_id], line.vvm_stage, f"lines[{index}]")
            row = await locked(
                StockBalance.select(StockBalance.doses).where(
                    (StockBalance.store == store["id"]) & (StockBalance.lot == line.lot_id)
                )
            ).first()
            on_hand = int(row["doses"]) if row else 0
            lines.append(
                Line(
                    line.lot_id,
                    line.counted_doses - on_hand,
                    vvm_stage=line.vvm_stage,
                    counted_doses=line.counted_doses,
                )
            )
        # A count sets what is there, even where an offline dose had taken it below zero.
        return await record(
            actor, Event("count", store["id"], store["place_id"], _merged(lines), key=key, may_go_below_zero=True)
        )


async def reverse(actor: Actor, store: dict[str, Any], event_id: int, *, note: str, key: str | None = None) -> int:
    """Take back one mistaken event of this store, once: its entries negated. A
    reversal is never reversed (record the right entry instead)."""
    async with unit_of_work():
        earlier = await _existing(key)
        if earlier is not None:
            return earlier
        event = await lock_row(StockEvent, event_id)
        if event is None or event["store"] != store["id"]:
            raise NotFound(f"Stock event {event_id} of this store not found")
        if event["kind"] == "reversal":
            raise Invalid(
                f"Event {event_id} is itself a reversal and is not reversed: record the right entry instead",
                field="event_id",
            )
        if await StockEvent.exists().where(StockEvent.reverses == event_id):
            raise Conflict(f"Event {event_id} was already reversed", details={"event_id": event_id})
        if event["kind"] == "shipment_receipt":
            raise Conflict(
                "A received shipment is not reversed: record what differs with an adjustment or a count",
                details={"event_id": event_id},
            )
        if event["kind"] == "shipment":
            if event["status"] != "in_transit":
                raise Conflict(
                    f"Shipment {event_id} was already {event['status']}: it can no longer be called back",
                    details={"status": event["status"]},
                )
            await StockEvent.update({StockEvent.status: "cancelled"}).where(StockEvent.id == event_id)
        entries = await StockEntry.select(StockEntry.lot, StockEntry.doses).where(StockEntry.event == event_id)
        return await record(
            actor,
            Event(
                "reversal",
                store["id"],
                store["place_id"],
                [Line(int(row["lot"]), -int(row["doses"])) for row in entries],
                key=key,
                reverses_id=event_id,
                note=note,
                extra={"reverses": event_id},
            ),
        )


# --- reading -----------------------------------------------------------------------


def _with_vials(balance: dict[str, Any], lot: dict[str, Any], vvm_stage: int | None = None) -> dict[str, Any]:
    doses = int(balance["doses"])
    return {
        "lot_id": lot["id"],
        "lot_number": lot["number"],
        "expiry": lot["expiry"],
        "on_hold": lot["on_hold"],
        "product_id": lot["product_id"],
        "product_code": lot["product_code"],
        "vaccine_code": lot["vaccine_code"],
        "gtin": lot["gtin"],
        "doses_per_vial": lot["doses_per_vial"],
        "doses": doses,
        # Whole vials; the rest sits in an opened vial.
        "vials": doses // lot["doses_per_vial"] if doses > 0 else 0,
        "flagged": bool(balance["flagged"]),
        "has_vvm": bool(lot["has_vvm"]),
        # The stage last recorded here (at a receipt or a count); None where never read.
        "vvm_stage": vvm_stage,
    }


async def _last_vvm_stages(store_id: int) -> dict[int, int]:
    """Per lot, the VVM stage of the latest line of this store that recorded one."""
    rows = (
        await StockEntry.select(StockEntry.lot, StockEntry.vvm_stage)
        .where((StockEntry.store == store_id) & StockEntry.vvm_stage.is_not_null())
        .order_by(StockEntry.id)
    )
    return {int(row["lot"]): int(row["vvm_stage"]) for row in rows}


async def balances(store_id: int, *, flagged: bool | None = None) -> list[dict[str, Any]]:
    """What a store holds per lot (a lot it held once stays, at zero), earliest expiry first."""
    query = StockBalance.select(StockBalance.lot, StockBalance.doses, StockBalance.flagged).where(
        StockBalance.store == store_id
    )
    if flagged is not None:
        query = query.where(StockBalance.flagged == flagged)
    rows = await query
    lots = await catalogue.lots([row["lot"] for row in rows])
    stages = await _last_vvm_stages(store_id)
    found = [_with_vials(row, lots[row["lot"]], stages.get(row["lot"])) for row in rows]
    return sorted(found, key=lambda row: (row["expiry"], row["lot_id"]))


async def suggest(store_id: int, product_id: int, doses: int) -> list[dict[str, Any]]:
    """First expiry, first out: usable lots on hand, earliest expiry first, until ``doses`` are covered."""
    today = clock.current().today()
    picked: list[dict[str, Any]] = []
    left = doses
    for row in await balances(store_id):
        if left <= 0:
            break
        if row["product_id"] != product_id or row["doses"] <= 0 or row["on_hold"] or row["expiry"] < today:
            continue
        take = min(left, row["doses"])
        picked.append({**row, "take": take})
        left -= take
    return picked


async def expiring(store_id: int, days: int) -> list[dict[str, Any]]:
    """Lots on hand expiring within ``days`` (already expired included), earliest first."""
    until = clock.current().today() + timedelta(days=days)
    return [row for row in await balances(store_id) if row["doses"] > 0 and row["expiry"] <= until]


_EVENT_COLUMNS = (
    StockEvent.id,
    StockEvent.kind,
    StockEvent.store.as_alias("store_id"),
    StockEvent.other_store.as_alias("other_store_id"),
    StockEvent.reference,
    StockEvent.reason,
    StockEvent.note,
    StockEvent.status,
    StockEvent.shipment.as_alias("shipment_id"),
    StockEvent.reverses.as_alias("reverses_id"),
    StockEvent.offline,
    StockEvent.occurred_at,
    StockEvent.recorded_at,
)


async def _events(where: Any, limit: int) -> list[dict[str, Any]]:
    rows = await StockEvent.select(*_EVENT_COLUMNS).where(where).order_by(StockEvent.id, ascending=False).limit(limit)
    ids = [row["id"] for row in rows]
    entries: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for entry in (
        await StockEntry.select(
            StockEntry.event,
            StockEntry.lot.as_alias("lot_id"),
            StockEntry.doses,
            StockEntry.vvm_stage,
            StockEntry.expected_doses,
            StockEntry.discrepancy,
            StockEntry.counted_doses,
        )
        .where(StockEntry.event.is_in(ids or [-1]))
        .order_by(StockEntry.id)
    ):
        entries[entry.pop("event")].append(entry)
    return [{**row, "lines": entries[row["id"]]} for row in rows]


async def event(event_id: int) -> dict[str, Any]:
    found = await _events(StockEvent.id == event_id, 1)
    if not found:
        raise NotFound(f"Stock event {event_id} not found")
    return found[0]


async def events(store_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    """A store's stock card, newest first: its own events and shipments coming to it."""
    return await _events((StockEvent.store == store_id) | (StockEvent.other_store == store_id), limit)


async def in_transit_to(store_id: int) -> list[dict[str, Any]]:
    return await _events((StockEvent.other_store == store_id) & (StockEvent.status == "in_transit"), 500)


# --- reports ---------------------------------------------------------------------

_ON_HAND_REPORT = """
WITH page AS (
  SELECT s.id FROM store s JOIN facility f ON f.id = s.facility
   WHERE {where}{after}
     AND EXISTS (SELECT 1 FROM stock_balance b WHERE b.store = s.id AND b.doses <> 0)
   ORDER BY s.level, s.id{limit}
)
SELECT s.id AS store_id, s.name AS store_name, s.level AS level, f.id AS facility_id, f.name AS facility_name,
       p.code AS product_code, l.id AS lot_id, l.number AS lot_number, l.expiry AS expiry, b.doses AS doses,
       pr.doses_per_vial AS doses_per_vial, b.flagged AS flagged
  FROM page JOIN stock_balance b ON b.store = page.id
  JOIN store s ON s.id = b.store JOIN facility f ON f.id = s.facility
  JOIN stock_lot l ON l.id = b.lot JOIN stock_product p ON p.id = l.product
  JOIN stock_presentation pr ON pr.id = l.presentation
 WHERE b.doses <> 0
 ORDER BY s.level, s.id, p.code, l.expiry, l.id
"""
# Keyset paging by store: the stores after the one named, in the report's order, each
# with all its lots; picking the page's stores first keeps a page's cost to its own rows.
_AFTER = " AND (s.level, s.id) > (SELECT level, id FROM store WHERE id = {})"
# Stores per page of the JSON report; the CSV export is the whole report.
ON_HAND_PAGE = 50


async def on_hand_report(
    *,
    place_ids: frozenset[int] | None,
    facility_id: int | None,
    after_store_id: int | None = None,
    stores: int | None = None,
) -> list[dict[str, Any]]:
    """Stock on hand by level, store, product and lot for an area (``place_ids`` None:
    the whole country) or one facility; lots at zero left out, flagged ones kept.
    ``stores``: a page of that many stores (with stock), after ``after_store_id``."""
    where, args = _area_where(place_ids, facility_id)
    sql = _ON_HAND_REPORT.format(
        where=where,
        after=_AFTER if after_store_id is not None else "",
        limit=f" LIMIT {int(stores)}" if stores is not None else "",
    )
    rows = await StockBalance.raw(sql, *args, *([after_store_id] if after_store_id is not None else []))
    return [
        {**row, "flagged": bool(row["flagged"]), "vials": max(row["doses"], 0) // row["doses_per_vial"]} for row in rows
    ]


ON_HAND_COLUMNS = (
    "level",
    "store_id",
    "store_name",
    "facility_id",
    "facility_name",
    "product_code",
    "lot_id",
    "lot_number",
    "expiry",
    "doses",
    "vials",
    "flagged",
)


def as_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


async def area_on_hand(
    scope: Scope, place_id: int | None, *, after_store_id: int | None = None, stores: int | None = None
) -> list[dict[str, Any]]:
    """The on-hand report of the caller's area, or of one unit in it (404 outside)."""
    return await on_hand_report(**_area(scope, place_id), after_store_id=after_store_id, stores=stores)


# Doses given and wasted per store × product × month (Vietnam's months: UTC+7, no DST).
_USAGE = """
SELECT s.id AS store_id, s.name AS store_name, f.id AS facility_id, f.name AS facility_name,
       p.code AS product_code, {month} AS month, v.kind AS kind, v.reason AS reason, -SUM(e.doses) AS doses
  FROM stock_entry e JOIN stock_event v ON v.id = e.event
  JOIN store s ON s.id = e.store JOIN facility f ON f.id = s.facility
  JOIN stock_lot l ON l.id = e.lot JOIN stock_product p ON p.id = l.product
 WHERE (v.kind = 'administered' OR (v.kind = 'adjustment' AND v.reason <> 'found'))
   AND v.occurred_at >= {{}} AND v.occurred_at < {{}} AND {where}
 GROUP BY s.id, s.name, f.id, f.name, p.code, {month}, v.kind, v.reason
 ORDER BY s.id, p.code, {month}
"""


async def usage_report(
    *, place_ids: frozenset[int] | None, facility_id: int | None, since: date, until: date
) -> list[dict[str, Any]]:
    """Consumption and wastage per store × product × month from ``since`` to ``until``
    (inclusive): doses administered, doses wasted by reason (adjustments out, open-vial
    discards among them), doses issued for use (given + wasted) and the wastage rate
    (issued − administered) ÷ issued (DOMAIN.md §7), and the stock-out days of each month
    (``api.stock.stockouts``; a month of stock-out days and no use still has its row).
    Shipments to other stores are transfers, not use, and are left out."""
    if until < since:
        raise Invalid("The period ends on or after the day it starts", field="until")
    where, args = _area_where(place_ids, facility_id)
    # Vietnam's days, compared as stored (UTC), as every timestamp of the ledger is.
    start = datetime.combine(since, datetime.min.time(), clock.LOCAL_ZONE).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), clock.LOCAL_ZONE).astimezone(UTC)
    month = stockouts.local_day("v.occurred_at", month=True)
    rows = await StockEntry.raw(_USAGE.format(month=month, where=where), start, end, *args)
    grouped: dict[tuple[int, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["store_id"], row["product_code"], row["month"])
        found = grouped.setdefault(key, _usage_row(row, row["product_code"], row["month"]))
        if row["kind"] == "administered":
            found["administered"] += int(row["doses"])
        else:
            found["wasted"] += int(row["doses"])
            found["wasted_by_reason"][row["reason"]] = int(row["doses"])
    out_of_stock = await stockouts.stockout_days(where, args, since, until, start, end)
    alone = [key for key in out_of_stock if key not in grouped]
    names = (
        {row["store_id"]: row for row in await StockEntry.raw(_STORE_NAMES.format(where=where), *args)} if alone else {}
    )
    for store_id, product_code, month in alone:
        grouped[(store_id, product_code, month)] = _usage_row(names[store_id], product_code, month)
    report = []
    for key in sorted(grouped):
        found = grouped[key]
        issued = found["administered"] + found["wasted"]
        report.append(
            {
                **found,
                "issued": issued,
                "wastage_rate": round(found["wasted"] / issued, 4) if issued else None,
                "stockout_days": out_of_stock.get(key, 0),
            }
        )
    return report


def _usage_row(store: dict[str, Any], product_code: str, month: str) -> dict[str, Any]:
    """A store × product × month of the usage report before its entries are added."""
    return {
        **{k: store[k] for k in ("store_id", "store_name", "facility_id", "facility_name")},
        "product_code": product_code,
        "month": month,
        "administered": 0,
        "wasted": 0,
        "wasted_by_reason": {},
    }


# The usage report's CSV: one column per reason doses are wasted for (a spreadsheet sums columns).
WASTE_REASONS = tuple(reason for reason in get_args(AdjustmentReason) if reason != FOUND)
USAGE_COLUMNS = (
    "store_id",
    "store_name",
    "facility_id",
    "facility_name",
    "product_code",
    "month",
    "administered",
    "wasted",
    *(f"wasted_{reason}" for reason in WASTE_REASONS),
    "issued",
    "wastage_rate",
    "stockout_days",
)


def usage_csv(rows: Sequence[dict[str, Any]]) -> str:
    flat = [{**row, **{f"wasted_{r}": row["wasted_by_reason"].get(r, 0) for r in WASTE_REASONS}} for row in rows]
    return as_csv(flat, USAGE_COLUMNS)


# The names a usage row carries, for stores whose only rows are stock-out days.
_STORE_NAMES = """
SELECT s.id AS store_id, s.name AS store_name, f.id AS facility_id, f.name AS facility_name
  FROM store s JOIN facility f ON f.id = s.facility WHERE {where}
"""


def _area_where(place_ids: frozenset[int] | None, facility_id: int | None) -> tuple[str, list[int]]:
    """The ``WHERE`` of an area's report: one facility, the whole country, or its places."""
    if facility_id is not None:
        return "f.id = {}", [facility_id]
    if place_ids is None:
        return "1 = 1", []
    args = sorted(place_ids) or [-1]
    return f"f.place IN ({', '.join('{}' for _ in args)})", args


async def area_usage(scope: Scope, place_id: int | None, since: date, until: date) -> list[dict[str, Any]]:
    """The usage report of the caller's area, or of one unit in it (404 outside)."""
    return await usage_report(**_area(scope, place_id), since=since, until=until)


def _area(scope: Scope, place_id: int | None) -> dict[str, Any]:
    if scope.facility_id is not None:
        return {"place_ids": frozenset(), "facility_id": scope.facility_id}
    if place_id is None:
        return {"place_ids": scope.place_ids(), "facility_id": None}
    scope.require_place(place_id)
    return {"place_ids": scope.tree.all_within(place_id, scope.day), "facility_id": None}


# --- the check ---------------------------------------------------------------------

_CHECK = """
SELECT b.store AS store, b.lot AS lot, b.doses AS balance, COALESCE(s.total, 0) AS entries
  FROM stock_balance b
  LEFT JOIN (SELECT store, lot, SUM(doses) AS total FROM stock_entry GROUP BY store, lot) s
    ON s.store = b.store AND s.lot = b.lot
 WHERE b.doses <> COALESCE(s.total, 0)
UNION ALL
SELECT s.store, s.lot, NULL, s.total
  FROM (SELECT store, lot, SUM(doses) AS total FROM stock_entry GROUP BY store, lot) s
 WHERE NOT EXISTS (SELECT 1 FROM stock_balance b WHERE b.store = s.store AND b.lot = s.lot)
"""


async def check() -> list[dict[str, Any]]:
    """Every balance that is not the sum of its entries (empty when the ledger holds)."""
    return [
        {"store": int(r["store"]), "lot": int(r["lot"]), "balance": r["balance"], "entries": int(r["entries"])}
        for r in await StockBalance.raw(_CHECK)
    ]

"""Open vials: a multi-dose vial opened at a session, the doses given from it, and the
rest written off as open-vial wastage when its open-vial rule says (docs/stock.md,
"Open vials").

The rule is the presentation's: ``session`` (discarded when the session closes),
``hours`` (N hours after opening, or the session's close if sooner: reconstituted
BCG, measles-rubella), ``keep_28_days`` (the WHO multi-dose vial policy: kept across
sessions up to 28 days, never past the lot's expiry). A vial left open by a session
nobody closed is discarded by ``niis stock-open-vials`` (the nightly job) once its
``discard_at`` has passed: the end of its day for ``session`` vials.

Wastage is computed, never typed: the doses of the vial minus the doses given from it
become one ``open_vial_discard`` adjustment (keyed by the vial, so written once).
Locks: the balance row of the store × lot first, then its vial rows (lot order across
lots), as a dose does (balance, then the vial it draws from): none waits in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any, Literal

from api import clock
from api.clock import LOCAL_ZONE
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.stock import catalogue
from api.stock import services as ledger
from db.tables import StockBalance, StockOpenVial
from db.unit_of_work import locked, own_unit_of_work, unit_of_work

ClosedBy = Literal["session", "expired", "discarded"]
KEEP_DAYS = 28

COLUMNS = (
    StockOpenVial.id,
    StockOpenVial.store.as_alias("store_id"),
    StockOpenVial.lot.as_alias("lot_id"),
    StockOpenVial.lot.number.as_alias("lot_number"),
    StockOpenVial.event.as_alias("event_id"),
    StockOpenVial.session,
    StockOpenVial.doses,
    StockOpenVial.given,
    StockOpenVial.opened_at,
    StockOpenVial.discard_at,
    StockOpenVial.closed_at,
    StockOpenVial.closed_by,
    StockOpenVial.wasted,
    StockOpenVial.discard_event.as_alias("discard_event_id"),
)


def _end_of_day(instant: datetime) -> datetime:
    """Midnight after ``instant`` in Vietnam: a session ends on the day it was held."""
    day = instant.astimezone(LOCAL_ZONE).date() + timedelta(days=1)
    return datetime.combine(day, time(0), LOCAL_ZONE)


def discard_at(lot: dict[str, Any], opened_at: datetime) -> datetime:
    """When the rule discards a vial of ``lot`` opened at ``opened_at``."""
    end_of_day = _end_of_day(opened_at)
    if lot["open_vial_rule"] == "hours":
        return min(opened_at + timedelta(hours=lot["open_vial_hours"] or 0), end_of_day)
    if lot["open_vial_rule"] == "keep_28_days":
        expiry_end = datetime.combine(lot["expiry"] + timedelta(days=1), time(0), LOCAL_ZONE)
        return min(opened_at + timedelta(days=KEEP_DAYS), expiry_end)
    return end_of_day


async def _described(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each vial with its product and open-vial rule."""
    lots = await catalogue.lots([row["lot_id"] for row in rows])
    return [
        {
            **row,
            "product_code": lots[row["lot_id"]]["product_code"],
            "rule": lots[row["lot_id"]]["open_vial_rule"],
            "open": row["closed_at"] is None,
        }
        for row in rows
    ]


async def vial(vial_id: int) -> dict[str, Any]:
    rows = await StockOpenVial.select(*COLUMNS).where(StockOpenVial.id == vial_id)
    if not rows:
        raise NotFound(f"Open vial {vial_id} not found")
    return (await _described(rows))[0]


async def open_vials(store_id: int) -> list[dict[str, Any]]:
    """The vials open at a store, oldest first."""
    return await _described(
        await StockOpenVial.select(*COLUMNS)
        .where((StockOpenVial.store == store_id) & StockOpenVial.closed_at.is_null())
        .order_by(StockOpenVial.id)
    )


async def open_vial(
    actor: Actor,
    store: dict[str, Any],
    lot_id: int,
    *,
    session: str = "",
    opened_at: datetime | None = None,
    offline: bool = False,
    key: str | None = None,
) -> dict[str, Any]:
    """A ``vial_opened`` event and its open vial. Online, the lot must be usable and a
    vial of it on hand; a vial opened offline and synced later is kept (a fact)."""
    lot = await catalogue.lot(lot_id)
    if lot["doses_per_vial"] < 2:
        raise Invalid(
            f"{lot['product_code']} comes in single-dose vials: nothing stays open, record the dose only",
            field="lot_id",
        )
    now = clock.current().now()
    opened = opened_at or now
    if opened > now:
        raise Invalid("A vial is opened now or earlier, not in the future", field="opened_at")
    if not offline:
        catalogue.usable(lot, clock.current().today(), field="lot_id")
    async with unit_of_work():
        if not offline and await ledger._on_hand(store["id"], lot_id) <= 0:
            raise ledger.NotEnoughStock(lot, 0, lot["doses_per_vial"])
        event_id = await ledger.record(
            actor,
            ledger.Event(
                "vial_opened",
                store["id"],
                store["place_id"],
                [],
                key=key,
                reference=session,
                offline=offline,
                occurred_at=opened,
                extra={"lot": lot_id, "doses": lot["doses_per_vial"], "session": session},
            ),
        )
        # A retry (same key) answers the vial the first request opened.
        earlier = await StockOpenVial.select(StockOpenVial.id).where(StockOpenVial.event == event_id).first()
        if earlier is not None:
            return await vial(int(earlier["id"]))
        created = await StockOpenVial.insert(
            StockOpenVial(
                store=store["id"],
                lot=lot_id,
                event=event_id,
                session=session,
                doses=lot["doses_per_vial"],
                given=0,
                opened_at=opened,
                discard_at=discard_at(lot, opened),
            )
        ).returning(StockOpenVial.id)
    return await vial(int(created[0]["id"]))


async def _drawable(store_id: int, lot_id: int, at: datetime) -> int | None:
    """The store x lot's oldest open vial with room that its rule still allows at ``at``."""
    row = (
        await StockOpenVial.select(StockOpenVial.id)
        .where(
            (StockOpenVial.store == store_id)
            & (StockOpenVial.lot == lot_id)
            & StockOpenVial.closed_at.is_null()
            & (StockOpenVial.given < StockOpenVial.doses)
            & (StockOpenVial.opened_at <= at)
            & (StockOpenVial.discard_at.is_null() | (StockOpenVial.discard_at > at))
        )
        .order_by(StockOpenVial.id)
        .first()
    )
    return int(row["id"]) if row else None


async def vial_for_dose(
    actor: Actor,
    store: dict[str, Any],
    lot: dict[str, Any],
    *,
    given_at: datetime | None,
    offline: bool,
    key: str,
    session: str = "",
) -> int | None:
    """The open vial a dose of ``lot`` given at ``given_at`` comes from: the oldest vial
    of the store x lot with room that its open-vial rule has not yet discarded, else a
    vial opened for it (its ``vial_opened`` event keyed ``key``, in the caller's unit of
    work, named ``session``: closing that session discards it); None for a single-dose
    presentation. The balance row is locked before a vial is opened, so two doses at
    once open one vial, not two."""
    if lot["doses_per_vial"] < 2:
        return None
    at = given_at or clock.current().now()
    found = await _drawable(store["id"], lot["id"], at)
    if found is not None:
        return found
    async with unit_of_work():
        await locked(
            StockBalance.select(StockBalance.id).where(
                (StockBalance.store == store["id"]) & (StockBalance.lot == lot["id"])
            )
        )
        found = await _drawable(store["id"], lot["id"], at)
        if found is not None:
            return found
        opened = await open_vial(actor, store, lot["id"], session=session, opened_at=at, offline=offline, key=key)
    return int(opened["id"])


async def _close(actor: Actor, store: dict[str, Any], lot_id: int, vial_ids: Sequence[int], why: ClosedBy) -> list[int]:
    """Close the still-open vials among ``vial_ids`` (one store × lot), each remaining
    dose written off as ``open_vial_discard``; the ids closed here. Balance row first."""
    now = clock.current().now()
    balance = await locked(
        StockBalance.select(StockBalance.doses).where(
            (StockBalance.store == store["id"]) & (StockBalance.lot == lot_id)
        )
    ).first()
    on_hand = int(balance["doses"]) if balance else 0
    vials = await locked(
        StockOpenVial.select()
        .where(StockOpenVial.id.is_in(list(vial_ids)) & StockOpenVial.closed_at.is_null())
        .order_by(StockOpenVial.id)
    )
    closed = []
    for row in vials:
        # What is left in the vial, but never more than is on hand (a dose not counted
        # against any vial took it already): a discard never takes a balance below zero.
        wasted = max(0, min(row["doses"] - row["given"], on_hand))
        discard_event = None
        if wasted:
            discard_event = await ledger.adjust(
                actor,
                store,
                "open_vial_discard",
                lot_id,
                wasted,
                note=f"open vial {row['id']}: {row['doses']} doses, {row['given']} given ({why})",
                key=f"open-vial-discard:{row['id']}",
            )
            on_hand -= wasted
        await StockOpenVial.update(
            {
                StockOpenVial.closed_at: now,
                StockOpenVial.closed_by: why,
                StockOpenVial.wasted: wasted,
                StockOpenVial.discard_event: discard_event,
            }
        ).where(StockOpenVial.id == row["id"])
        closed.append(int(row["id"]))
    return closed


async def _close_grouped(
    actor: Actor, store: dict[str, Any], rows: Sequence[dict[str, Any]], why: ClosedBy
) -> list[int]:
    by_lot: dict[int, list[int]] = {}
    for row in rows:
        by_lot.setdefault(int(row["lot"]), []).append(int(row["id"]))
    closed: list[int] = []
    for lot_id in sorted(by_lot):  # lot order, as every multi-lot change
        closed += await _close(actor, store, lot_id, by_lot[lot_id], why)
    return closed


async def close_session(actor: Actor, store: dict[str, Any], session: str) -> list[dict[str, Any]]:
    """The session is over: its ``session`` and ``hours`` vials are discarded, its
    ``keep_28_days`` vials stay open for the next sessions. Closing twice closes nothing more."""
    if not session.strip():
        raise Invalid("Name the session to close (the one its vials were opened in)", field="session")
    async with unit_of_work():
        rows = await StockOpenVial.select(StockOpenVial.id, StockOpenVial.lot).where(
            (StockOpenVial.store == store["id"])
            & (StockOpenVial.session == session)
            & StockOpenVial.closed_at.is_null()
        )
        lots = await catalogue.lots([row["lot"] for row in rows])
        ending = [row for row in rows if lots[row["lot"]]["open_vial_rule"] in ("session", "hours")]
        closed = await _close_grouped(actor, store, ending, "session")
    return [await vial(vial_id) for vial_id in closed]


async def discard(actor: Actor, store: dict[str, Any], vial_id: int) -> dict[str, Any]:
    """Discard one open vial now (contaminated, VVM at its discard point, last of a 28-day vial)."""
    async with unit_of_work():
        row = (
            await StockOpenVial.select(StockOpenVial.lot, StockOpenVial.closed_by)
            .where((StockOpenVial.id == vial_id) & (StockOpenVial.store == store["id"]))
            .first()
        )
        if row is None:
            raise NotFound(f"Open vial {vial_id} of this store not found")
        if not await _close(actor, store, int(row["lot"]), [vial_id], "discarded"):
            found = await vial(vial_id)
            raise Conflict(
                f"Vial {vial_id} was already closed ({found['closed_by']}): nothing left to discard",
                details={"closed_by": found["closed_by"], "wasted": found["wasted"]},
            )
    return await vial(vial_id)


async def close_due(actor: Actor) -> int:
    """The nightly job: every open vial whose rule's time has passed is discarded, one
    store × lot per transaction (short locks); the number of vials closed."""
    from api.stock import stores

    now = clock.current().now()
    due = await StockOpenVial.select(StockOpenVial.id, StockOpenVial.store, StockOpenVial.lot).where(
        StockOpenVial.closed_at.is_null() & (StockOpenVial.discard_at <= now)
    )
    groups: dict[tuple[int, int], list[int]] = {}
    for row in due:
        groups.setdefault((int(row["store"]), int(row["lot"])), []).append(int(row["id"]))
    closed = 0
    for (store_id, lot_id), ids in sorted(groups.items()):
        store = await stores.get(store_id)
        assert store is not None
        async with own_unit_of_work():
            closed += len(await _close(actor, store, lot_id, ids, "expired"))
    return closed

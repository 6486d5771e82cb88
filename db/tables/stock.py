"""Vaccine stock: the catalogue (products, presentations by GTIN, lots) and the
append-only ledger (events, their entries) with the balance each store × lot has.

A balance is a cache of the sum of its entries, updated in the same transaction
(docs/stock.md, "Concurrency"); ``niis stock-check`` proves the two agree.
"""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from db.tables.accounts import Account
from db.tables.places import Store


class StockProduct(Table, tablename="stock_product"):
    """What is counted: a vaccine, a diluent, a syringe, a safety box."""

    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True, index=True)
    name = Varchar(length=200)
    kind = Varchar(length=16)
    created_at = Timestamptz()
    # The schedule's vaccine code (schedule/vn) of a vaccine; '' for the rest (niis_0024).
    vaccine_code = Varchar(length=16, default="")


class StockPresentation(Table, tablename="stock_presentation"):
    """One GTIN: its product, how it is packed, and what happens to an opened vial."""

    id = Serial(primary_key=True)
    gtin = Varchar(length=14, unique=True, index=True)
    product = ForeignKey(StockProduct, null=False, on_delete=OnDelete.restrict, index=True)
    doses_per_vial = Integer(default=1)
    vials_per_carton = Integer(default=1)
    has_vvm = Boolean(default=False)
    # keep_28_days | session | hours (then ``open_vial_hours``)
    open_vial_rule = Varchar(length=16, default="session")
    open_vial_hours = Integer(null=True, default=None)
    registered_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    registered_at = Timestamptz()


class StockLot(Table, tablename="stock_lot"):
    """A lot number of one presentation (so of one product); unique per product."""

    id = Serial(primary_key=True)
    product = ForeignKey(StockProduct, null=False, on_delete=OnDelete.restrict, index=True)
    presentation = ForeignKey(StockPresentation, null=False, on_delete=OnDelete.restrict, index=True)
    number = Varchar(length=20)
    expiry = Date()
    manufacturer = Varchar(length=120, default="")
    on_hold = Boolean(default=False)
    created_at = Timestamptz()


class StockEvent(Table, tablename="stock_event"):
    """One thing that happened at one store, recorded once (``key`` is unique).

    ``shipment``: on a ``shipment_receipt``, the shipment it receives (unique: received
    once). ``reverses``: on a ``reversal``, the event it takes back (unique: once).
    ``status``: ``in_transit`` / ``received`` / ``cancelled`` on shipments, else empty.
    """

    id = Serial(primary_key=True)
    kind = Varchar(length=20, index=True)
    store = ForeignKey(Store, null=False, on_delete=OnDelete.restrict, index=True)
    other_store = ForeignKey(Store, null=True, on_delete=OnDelete.restrict, index=True)
    key = Varchar(length=64, null=True, default=None, unique=True)
    reference = Varchar(length=64, default="")
    reason = Varchar(length=24, default="")
    note = Varchar(length=500, default="")
    status = Varchar(length=12, default="")
    shipment: ForeignKey["StockEvent"] = ForeignKey("self", null=True, on_delete=OnDelete.restrict, unique=True)
    reverses: ForeignKey["StockEvent"] = ForeignKey("self", null=True, on_delete=OnDelete.restrict, unique=True)
    offline = Boolean(default=False)
    occurred_at = Timestamptz()
    recorded_at = Timestamptz()
    recorded_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)


class StockEntry(Table, tablename="stock_entry"):
    """One line of an event: store × lot and a signed number of doses, with what the
    line says (VVM stage, doses expected and the discrepancy, doses counted)."""

    id = Serial(primary_key=True)
    event = ForeignKey(StockEvent, null=False, on_delete=OnDelete.restrict, index=True)
    store = ForeignKey(Store, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(StockLot, null=False, on_delete=OnDelete.restrict, index=True)
    doses = Integer()
    vvm_stage = Integer(null=True, default=None)
    expected_doses = Integer(null=True, default=None)
    discrepancy = Varchar(length=20, default="")
    counted_doses = Integer(null=True, default=None)


class StockBalance(Table, tablename="stock_balance"):
    """Doses on hand per store × lot: the sum of its entries, kept in step with them.
    ``flagged``: an offline dose took it below zero; the store reconciles it."""

    id = Serial(primary_key=True)
    store = ForeignKey(Store, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(StockLot, null=False, on_delete=OnDelete.restrict, index=True)
    doses = Integer(default=0)
    flagged = Boolean(default=False)
    version = Integer(default=0)
    updated_at = Timestamptz()


class StockLevel(Table, tablename="stock_level"):
    """Min/max of one product at one store, in doses or in months of stock (from the
    average monthly consumption). ``below_min`` remembers the side of min the stock is
    on, so an alert is raised once per crossing, not once per dose."""

    id = Serial(primary_key=True)
    store = ForeignKey(Store, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(StockProduct, null=False, on_delete=OnDelete.restrict, index=True)
    unit = Varchar(length=8, default="doses")  # doses | months
    min_level = Integer()
    max_level = Integer()
    below_min = Boolean(default=False)
    updated_at = Timestamptz()


class StockAlert(Table, tablename="stock_alert"):
    """One alert for a store: stock fell below min (``product``), or a lot entered its
    last days before expiry (``lot``). Queued to the outbox for the clerks of the store
    and of its supplier in the transaction that raised it."""

    id = Serial(primary_key=True)
    store = ForeignKey(Store, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16)  # below_min | expiring
    product = ForeignKey(StockProduct, null=True, on_delete=OnDelete.restrict)
    lot = ForeignKey(StockLot, null=True, on_delete=OnDelete.restrict)
    doses = Integer()
    message = Varchar(length=300)
    raised_at = Timestamptz()


class StockOpenVial(Table, tablename="stock_open_vial"):
    """A multi-dose vial opened at a store (its ``vial_opened`` event), the doses given
    from it, and when its open-vial rule discards the rest (``discard_at``; None for a
    ``session`` vial: discarded when its session closes, else the night after). Closed
    once: ``closed_at``, why (``closed_by``: session, expired, discarded), the doses
    ``wasted`` and the ``open_vial_discard`` adjustment that took them out."""

    id = Serial(primary_key=True)
    store = ForeignKey(Store, null=False, on_delete=OnDelete.restrict)
    lot = ForeignKey(StockLot, null=False, on_delete=OnDelete.restrict)
    event = ForeignKey(StockEvent, null=False, on_delete=OnDelete.restrict, unique=True)
    session = Varchar(length=64, default="")
    doses = Integer()
    given = Integer(default=0)
    opened_at = Timestamptz()
    discard_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = Varchar(length=12, default="")
    wasted = Integer(null=True, default=None)
    discard_event = ForeignKey(StockEvent, null=True, on_delete=OnDelete.restrict)

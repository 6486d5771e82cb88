"""The administrative hierarchy and the facilities that sit in it.

A ``Place`` is the lasting identity of an administrative unit (its official code
and level). What changes over time (name, parent) lives in ``PlaceVersion`` rows,
each valid over ``[valid_from, valid_to)``; children point at the parent's identity,
so moving or renaming a unit never rewrites its descendants.
"""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Place(Table, tablename="place"):
    id = Serial(primary_key=True)
    code = Varchar(length=16, unique=True, index=True)
    level = Varchar(length=16)
    created_at = Timestamptz()


class PlaceVersion(Table, tablename="place_version"):
    id = Serial(primary_key=True)
    place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    parent = ForeignKey(Place, null=True, on_delete=OnDelete.restrict, index=True)
    valid_from = Date()
    valid_to = Date(null=True, default=None)
    # Why this version began: created, renamed, moved, merged, abolished ...
    change = Varchar(length=24)
    # Set on the closing version of a unit merged into another.
    successor = ForeignKey(Place, null=True, on_delete=OnDelete.restrict)


class PlaceChange(Table, tablename="place_change"):
    """One dated change of the hierarchy (create, rename, move, merge, abolish) and the
    steps that take it back, so a change not yet in force can be revoked.

    ``record`` holds the units it touched (``places``), the units an officer must be
    responsible for to make or revoke it (``below``, ``within``) and the undo steps:
    version rows it inserted, closed and amended (with their earlier values). No foreign
    key to ``place``: revoking a creation deletes the unit it created.
    """

    id = Serial(primary_key=True)
    kind = Varchar(length=16)
    effective_date = Date(index=True)
    record = JSON()
    summary = Varchar(length=400)
    made_at = Timestamptz()
    made_by = Varchar(length=64)
    revoked_at = Timestamptz(null=True, default=None)


class Facility(Table, tablename="facility"):
    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True, index=True)
    name = Varchar(length=200)
    kind = Varchar(length=32)
    place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    serves_epi = Boolean(default=True)
    serves_service = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz()


class Store(Table, tablename="store"):
    """A cold store of a facility (cold room, refrigerator, freezer, cold box), at a
    level of the supply chain, supplied from ``supplier`` (docs/stock.md)."""

    id = Serial(primary_key=True)
    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    kind = Varchar(length=24)
    active = Boolean(default=True)
    # national | regional | province | district | commune | clinic
    level = Varchar(length=12, default="commune")
    supplier: ForeignKey["Store"] = ForeignKey("self", null=True, on_delete=OnDelete.restrict, index=True)

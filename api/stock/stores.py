"""Stores as the ledger sees them: their level, their supplying store, and who may read
or keep each one.

A clerk (or vaccinator) acts for the stores of their own facility; an officer reads the
stores of the facilities in their area. Any other store answers 404, like every row
outside a caller's scope.
"""

from __future__ import annotations

from typing import Any

from api.errors import NotFound
from api.places.facilities import StoreLevel as Level
from api.scope import Scope
from db.tables import Store

__all__ = [
    "COLUMNS",
    "Level",
    "get",
    "keeps",
    "kept",
    "listing",
    "listing_of_facility",
    "not_found",
    "readable",
    "reads",
    "supplied_by",
]

COLUMNS = (
    Store.id,
    Store.name,
    Store.kind,
    Store.level,
    Store.active,
    Store.supplier.as_alias("supplier_id"),
    Store.facility.as_alias("facility_id"),
    Store.facility.place.as_alias("place_id"),
    Store.facility.name.as_alias("facility_name"),
)


def not_found(store_id: int) -> NotFound:
    return NotFound(f"Store {store_id} not found among the stores you may see")


async def get(store_id: int) -> dict[str, Any] | None:
    return await Store.select(*COLUMNS).where(Store.id == store_id).first()


def reads(scope: Scope, store: dict[str, Any]) -> bool:
    return scope.contains_facility(store["facility_id"], store["place_id"]) or scope.national


def keeps(scope: Scope, store: dict[str, Any]) -> bool:
    """The caller works at the store's facility (the guards decide what they may do there)."""
    return scope.facility_id is not None and scope.facility_id == store["facility_id"]


async def readable(scope: Scope, store_id: int) -> dict[str, Any]:
    store = await get(store_id)
    if store is None or not reads(scope, store):
        raise not_found(store_id)
    return store


async def kept(scope: Scope, store_id: int) -> dict[str, Any]:
    """A store the caller keeps; a store they only read is a 404 too (it is not theirs)."""
    store = await get(store_id)
    if store is None or not keeps(scope, store):
        raise not_found(store_id)
    return store


async def supplied_by(store_id: int) -> list[dict[str, Any]]:
    """The open stores this store supplies: where its clerk ships to."""
    return await Store.select(*COLUMNS).where((Store.supplier == store_id) & (Store.active == True)).order_by(Store.id)  # noqa: E712


async def listing_of_facility(facility_id: int) -> list[dict[str, Any]]:
    return await Store.select(*COLUMNS).where(Store.facility == facility_id).order_by(Store.id)


async def listing(scope: Scope) -> list[dict[str, Any]]:
    if scope.facility_id is not None:
        return await listing_of_facility(scope.facility_id)
    query = Store.select(*COLUMNS).order_by(Store.id)
    if not scope.national:
        query = query.where(Store.facility.place.is_in(sorted(scope.place_ids() or []) or [-1]))
    return await query

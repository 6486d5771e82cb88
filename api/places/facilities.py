"""Facilities (health stations, centres, hospitals, private clinics) and their cold stores."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.places.services import load_tree
from db.tables import Facility, Store
from db.unit_of_work import unit_of_work

# The supply chain's levels: a store is supplied from a store at a higher level.
StoreLevel = Literal["national", "regional", "province", "district", "commune", "clinic"]
LEVEL_RANK = {"national": 5, "regional": 4, "province": 3, "district": 2, "commune": 1, "clinic": 0}

_COLUMNS = (
    Facility.id,
    Facility.code,
    Facility.name,
    Facility.kind,
    Facility.place.as_alias("place_id"),
    Facility.serves_epi,
    Facility.serves_service,
    Facility.active,
)


async def get(facility_id: int) -> dict[str, Any]:
    row = await Facility.select(*_COLUMNS).where(Facility.id == facility_id).first()
    if row is None:
        raise NotFound(f"Facility {facility_id} not found")
    row["stores"] = (
        await Store.select(
            Store.id, Store.name, Store.kind, Store.active, Store.level, Store.supplier.as_alias("supplier_id")
        )
        .where(Store.facility == facility_id)
        .order_by(Store.id)
    )
    return row


async def listing(*, place_ids: Collection[int] | None, facility_id: int | None = None) -> list[dict[str, Any]]:
    query = Facility.select(*_COLUMNS).order_by(Facility.code)
    if facility_id is not None:
        query = query.where(Facility.id == facility_id)
    elif place_ids is not None:
        query = query.where(Facility.place.is_in(list(place_ids) or [-1]))
    return await query


async def create(
    actor: Actor,
    *,
    code: str,
    name: str,
    kind: str,
    place_id: int,
    serves_epi: bool = True,
    serves_service: bool = False,
) -> dict[str, Any]:
    if not (serves_epi or serves_service):
        raise Invalid("A facility serves the EPI programme, service vaccination, or both", field="serves_epi")
    async with unit_of_work():
        tree = await load_tree()
        if tree.version(place_id, clock.current().today()) is None:
            raise Invalid(f"Place {place_id} does not exist today", field="place_id")
        if await Facility.exists().where(Facility.code == code):
            raise Conflict(f"A facility with code {code} already exists", details={"field": "code"})
        facility = Facility(
            code=code,
            name=name,
            kind=kind,
            place=place_id,
            serves_epi=serves_epi,
            serves_service=serves_service,
            active=True,
            created_at=clock.current().now(),
        )
        facility_id = await audit.insert_audited(
            actor,
            facility,
            action="facility.create",
            entity="facility",
            place_id=place_id,
            shown=("code", "name", "kind", "place", "serves_epi", "serves_service"),
        )
    return await get(facility_id)


async def update(actor: Actor, facility_id: int, requested: dict[str, Any]) -> dict[str, Any]:
    async with unit_of_work():
        before = await get(facility_id)
        changes = audit.changed_fields(before, requested)
        if not (
            changes.get("serves_epi", before["serves_epi"]) or changes.get("serves_service", before["serves_service"])
        ):
            raise Invalid("A facility serves the EPI programme, service vaccination, or both", field="serves_epi")
        await audit.update_audited(
            actor,
            Facility,
            facility_id,
            before,
            changes,
            action="facility.update",
            entity="facility",
            place_id=before["place_id"],
        )
    return await get(facility_id)


async def add_store(
    actor: Actor,
    facility_id: int,
    *,
    name: str,
    kind: str,
    level: StoreLevel = "commune",
    supplier_id: int | None = None,
) -> dict[str, Any]:
    """A store of the facility, at ``level``, supplied from ``supplier_id`` (a store higher up)."""
    async with unit_of_work():
        facility = await get(facility_id)
        if supplier_id is not None:
            supplier = await Store.select(Store.level).where(Store.id == supplier_id).first()
            if supplier is None:
                raise Invalid(f"Store {supplier_id} not found", field="supplier_id")
            if LEVEL_RANK[supplier["level"]] <= LEVEL_RANK[level]:
                raise Invalid(
                    f"A {level} store is supplied from a higher level, not from a {supplier['level']} store",
                    field="supplier_id",
                )
        await audit.insert_audited(
            actor,
            Store(facility=facility_id, name=name, kind=kind, active=True, level=level, supplier=supplier_id),
            action="store.create",
            entity="store",
            place_id=facility["place_id"],
            shown=("facility", "name", "kind", "level", "supplier"),
        )
    return await get(facility_id)

"""Places and facilities over HTTP: parse, authorize, call the service, shape the answer."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter

from api.auth.guards import requires
from api.auth.roles import Permission
from api.context import Actor
from api.errors import Forbidden, NotFound
from api.places import facilities, revocation
from api.places import services as service
from api.places.deps import FACILITY_DEPENDENCIES
from api.places.schemas import (
    AbolishIn,
    FacilityIn,
    FacilityOut,
    FacilityPatch,
    MergeIn,
    MoveIn,
    PlaceChangeOut,
    PlaceIn,
    PlaceOut,
    RenameIn,
    StoreIn,
)
from api.scope import Scope

AsOf = Parameter(required=False, description="Answer as of this date (default: today)")


def _place(scope: Scope, place_id: int, day: date) -> PlaceOut:
    return msgspec.convert(service.describe(scope.tree, place_id, day), PlaceOut)


def _require_below(scope: Scope, *place_ids: int) -> None:
    """Structural changes are made inside one's area, not to its root (except nationally)."""
    for place_id in place_ids:
        scope.require_place(place_id)
        if place_id == scope.root_place_id and not scope.national:
            raise Forbidden("Your own area is changed by the level above it")


def _require_visible(scope: Scope, place_id: int) -> None:
    if place_id not in scope.tree or not scope.sees_place(place_id):
        raise NotFound(f"Place {place_id} not found")


class PlaceController(Controller):
    path = "/api/places"
    tags = ["places"]

    @get("/", guards=[requires(Permission.PLACES_READ)])
    async def list_places(self, area: Scope, as_of: date | None = AsOf) -> list[PlaceOut]:
        """The caller's part of the hierarchy as it stood on ``as_of``: the path above the
        caller's area, then the area itself, parents before children."""
        day = as_of or area.day
        if area.root_place_id is None:
            return []
        tree = area.tree
        root = area.root_place_id
        path = list(reversed(tree.ancestors(root, area.day)))
        if tree.version(root, day) is not None:
            units = tree.subtree(root, day)
        else:
            # The caller's unit did not exist yet: show the units that became it.
            units = [pid for pid in tree.all_within(root, area.day) if tree.version(pid, day) is not None]
        ids = [pid for pid in path if tree.version(pid, day) is not None] + units
        if area.facility_id is not None:
            ids = [pid for pid in ids if pid in path or pid == root]
        return [_place(area, pid, day) for pid in ids]

    @get("/{place_id:int}", guards=[requires(Permission.PLACES_READ)])
    async def get_place(self, area: Scope, place_id: int, as_of: date | None = AsOf) -> PlaceOut:
        _require_visible(area, place_id)
        return _place(area, place_id, as_of or area.day)

    @get("/{place_id:int}/history", guards=[requires(Permission.PLACES_READ)])
    async def place_history(self, area: Scope, place_id: int) -> list[PlaceOut]:
        _require_visible(area, place_id)
        return [
            msgspec.convert(service.describe(area.tree, place_id, v.valid_from), PlaceOut)
            for v in area.tree.history(place_id)
        ]

    @post("/", guards=[requires(Permission.PLACES_WRITE)])
    async def create_place(self, area: Scope, actor: Actor, data: PlaceIn) -> PlaceOut:
        area.require_place(data.parent_id)
        created = await service.create_place(
            actor,
            code=data.code,
            name=data.name,
            level=data.level,
            parent_id=data.parent_id,
            valid_from=data.valid_from,
        )
        return _place(await area.reload(), created["id"], data.valid_from)

    @post("/{place_id:int}/rename", guards=[requires(Permission.PLACES_WRITE)], status_code=200)
    async def rename_place(self, area: Scope, actor: Actor, place_id: int, data: RenameIn) -> PlaceOut:
        _require_below(area, place_id)
        await service.rename(actor, place_id, name=data.name, effective=data.effective_date)
        return _place(await area.reload(), place_id, data.effective_date)

    @post("/{place_id:int}/move", guards=[requires(Permission.PLACES_WRITE)], status_code=200)
    async def move_place(self, area: Scope, actor: Actor, place_id: int, data: MoveIn) -> PlaceOut:
        _require_below(area, place_id)
        area.require_place(data.parent_id)
        await service.move(actor, place_id, parent_id=data.parent_id, effective=data.effective_date)
        return _place(await area.reload(), place_id, data.effective_date)

    @post("/merge", guards=[requires(Permission.PLACES_WRITE)], status_code=200)
    async def merge_places(self, area: Scope, actor: Actor, data: MergeIn) -> PlaceOut:
        _require_below(area, *data.source_ids)
        area.require_place(data.into_id)
        await service.merge(actor, list(data.source_ids), into_id=data.into_id, effective=data.effective_date)
        return _place(await area.reload(), data.into_id, data.effective_date)

    @post("/{place_id:int}/abolish", guards=[requires(Permission.PLACES_WRITE)], status_code=200)
    async def abolish_place(self, area: Scope, actor: Actor, place_id: int, data: AbolishIn) -> PlaceOut:
        _require_below(area, place_id)
        if data.units_to is not None:
            area.require_place(data.units_to)
        await service.abolish(actor, place_id, effective=data.effective_date, units_to=data.units_to)
        return _place(await area.reload(), place_id, data.effective_date)

    @get("/{place_id:int}/changes", guards=[requires(Permission.PLACES_READ)])
    async def pending_changes(self, area: Scope, place_id: int) -> list[PlaceChangeOut]:
        """Dated changes touching this unit that are not yet in force (they can be revoked)."""
        _require_visible(area, place_id)
        return msgspec.convert(await revocation.pending(place_id, area.day), list[PlaceChangeOut])

    @delete("/{place_id:int}/changes/{change_id:int}", guards=[requires(Permission.PLACES_WRITE)], status_code=200)
    async def revoke_change(self, area: Scope, actor: Actor, place_id: int, change_id: int) -> PlaceChangeOut:
        """Revoke a change not yet in force; allowed to whoever could have made it."""
        _require_visible(area, place_id)
        record = await revocation.record_of(place_id, change_id)
        _require_below(area, *record.below)
        for place in record.within:
            area.require_place(place)
        if not (record.below or record.within) and not area.national:
            raise Forbidden("Only a national officer can revoke the creation of the country")
        return msgspec.convert(await revocation.revoke(actor, place_id, change_id), PlaceChangeOut)


class FacilityController(Controller):
    path = "/api/facilities"
    tags = ["facilities"]
    dependencies = FACILITY_DEPENDENCIES

    @get("/", guards=[requires(Permission.FACILITIES_READ)])
    async def list_facilities(self, area: Scope) -> list[FacilityOut]:
        rows = await facilities.listing(place_ids=area.place_ids(), facility_id=area.facility_id)
        return msgspec.convert(rows, list[FacilityOut])

    @get("/{facility_id:int}", guards=[requires(Permission.FACILITIES_READ)])
    async def get_facility(self, facility: dict[str, Any]) -> FacilityOut:
        return msgspec.convert(facility, FacilityOut)

    @post("/", guards=[requires(Permission.FACILITIES_WRITE)])
    async def create_facility(self, area: Scope, actor: Actor, data: FacilityIn) -> FacilityOut:
        area.require_place(data.place_id)
        row = await facilities.create(actor, **msgspec.structs.asdict(data))
        return msgspec.convert(row, FacilityOut)

    @patch("/{facility_id:int}", guards=[requires(Permission.FACILITIES_WRITE)])
    async def update_facility(
        self, facility: dict[str, Any], actor: Actor, facility_id: int, data: FacilityPatch
    ) -> FacilityOut:
        row = await facilities.update(actor, facility_id, msgspec.structs.asdict(data))
        return msgspec.convert(row, FacilityOut)

    @post("/{facility_id:int}/stores", guards=[requires(Permission.FACILITIES_WRITE)])
    async def add_store(self, facility: dict[str, Any], actor: Actor, facility_id: int, data: StoreIn) -> FacilityOut:
        row = await facilities.add_store(
            actor, facility_id, name=data.name, kind=data.kind, level=data.level, supplier_id=data.supplier_id
        )
        return msgspec.convert(row, FacilityOut)

"""The facility a route names, if the caller's area covers it."""

from __future__ import annotations

from typing import Any

from litestar.di import Provide

from api.errors import NotFound
from api.places import facilities
from api.scope import Scope


async def visible_facility(area: Scope, facility_id: int) -> dict[str, Any]:
    """The facility if the caller's area covers it; the same 404 as a missing one otherwise."""
    row = await facilities.get(facility_id)
    if not area.contains_facility(facility_id, row["place_id"]):
        raise NotFound(f"Facility {facility_id} not found")
    return row


FACILITY_DEPENDENCIES = {"facility": Provide(visible_facility)}

"""``GET /api/due``: the due list of a facility or an area, paged like the other lists
(the ``Link`` header, ``rel="next"``, names the next page until the last)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Response, get
from litestar.params import Parameter, QueryParameter

from api.auth.guards import requires
from api.auth.roles import Permission
from api.records.due import services
from api.records.due.schemas import DueList
from api.scope import Scope


@get("/api/due", guards=[requires(Permission.DOSES_WRITE)], tags=["records"])
async def due_list(
    area: Scope,
    facility_id: Annotated[int | None, Parameter(ge=1)] = None,
    place_id: Annotated[int | None, Parameter(ge=1)] = None,
    since: Annotated[date | None, QueryParameter(name="from")] = None,
    until: Annotated[date | None, QueryParameter(name="to")] = None,
    after_subject_id: Annotated[int, Parameter(ge=0)] = 0,
    limit: Annotated[int, Parameter(ge=1, le=500)] = services.PAGE,
    programme: services.Programme = "all",
) -> Response[DueList]:
    """Who is due or overdue between ``from`` and ``to`` (default: today and the next 7
    days, Vietnam's date) among a facility's children (``facility_id``; a vaccinator's
    own by default) or those living in a place (``place_id``), with the primary
    guardian's phone; counts per vaccine group; the doses and vials the sessions need
    with the measured wastage. ``limit`` children per page, by id. ``programme``:
    ``epi`` (the free vaccines a station's sessions give), ``service`` (the paid ones)
    or ``all`` (default)."""
    answer = await services.due_list(
        area,
        facility_id=facility_id,
        place_id=place_id,
        since=since,
        until=until,
        after=after_subject_id,
        limit=limit,
        programme=programme,
    )
    headers = {}
    if answer["more"]:
        query: dict[str, Any] = {
            k: v for k, v in (("facility_id", facility_id), ("place_id", place_id)) if v is not None
        }
        query |= {"from": answer["from"], "to": answer["to"], "limit": limit, "programme": programme}
        query["after_subject_id"] = answer["children"][-1]["id"]
        headers["Link"] = f'</api/due?{urlencode(query)}>; rel="next"'
    return Response(msgspec.convert(answer, DueList, from_attributes=False), headers=headers)

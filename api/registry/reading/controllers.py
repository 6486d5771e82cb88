"""``GET /api/facilities/{id}/subjects?format=compact``: the list a vaccinator downloads
to find children without a network (docs/pwa.md, "Offline reading")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get
from litestar.params import Parameter

from api.auth.guards import requires
from api.auth.roles import Permission
from api.clock import Clock
from api.places.deps import FACILITY_DEPENDENCIES
from api.registry.reading import services


class NextDose(msgspec.Struct):
    group: str  # vaccine group, as /api/forecast names it
    dose: int | None
    due: date
    overdue: date | None


class CompactSubject(msgspec.Struct):
    id: int
    code: str  # with dashes, as on the card
    name: str
    birth_date: date
    sex: str
    phone: str | None  # the primary guardian's (or the first guardian's with a phone)
    status: str
    next_due: list[NextDose]  # due within 30 days, overdue included


class CompactPage(msgspec.Struct):
    facility: int
    items: list[CompactSubject]
    page: int
    page_size: int
    has_more: bool


class FacilityReadingController(Controller):
    path = "/api/facilities"
    tags = ["facilities"]
    dependencies = FACILITY_DEPENDENCIES

    @get("/{facility_id:int}/subjects", guards=[requires(Permission.SUBJECTS_READ)])
    async def facility_subjects(
        self,
        facility: dict[str, Any],
        facility_id: int,
        clock: Clock,
        format: Literal["compact"] = "compact",  # the only shape today; named so a fuller one can follow
        page: Annotated[int, Parameter(ge=1, le=10000)] = 1,
        page_size: Annotated[int, Parameter(ge=1, le=5000)] = 2000,
    ) -> CompactPage:
        """The subjects the facility manages, compact, by id, page by page; only for
        whoever's area covers the facility (else 404, as for an unknown one)."""
        found = await services.facility_subjects(facility_id, today=clock.today(), page=page, page_size=page_size)
        return msgspec.convert({"facility": facility_id, **found}, CompactPage)

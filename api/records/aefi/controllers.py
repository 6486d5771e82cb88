"""AEFI over HTTP: report one (idempotent under the device's key), list the area's
(serious first), count them per lot, read one."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import Parameter

from api.auth.guards import requires
from api.auth.roles import Permission
from api.context import Actor
from api.records.aefi import services
from api.records.aefi.schemas import LotCount, Report, ReportDetail, ReportIn, SymptomList
from api.records.controllers import required_key
from api.scope import Scope


class AefiController(Controller):
    path = "/api/aefi"
    tags = ["records"]
    guards = [requires(Permission.DOSES_WRITE)]

    @post("/", status_code=201)
    async def report(self, request: Request[Any, Any, Any], actor: Actor, area: Scope, data: ReportIn) -> ReportDetail:
        """Report an adverse event after one or more doses of one subject. The
        ``Idempotency-Key`` is required (the report's key: a resent report is one report,
        and its alerts are queued once). A serious one alerts the officers above the
        facility (outbox rows, listed in the answer)."""
        key = required_key(request, "report")
        fields = msgspec.structs.asdict(data)
        fields["symptoms"] = [msgspec.structs.asdict(s) for s in data.symptoms]
        found = await services.report(actor, area, services.ReportIn(**fields), key=key)
        return msgspec.convert(found, ReportDetail)

    @get("/")
    async def listing(
        self,
        area: Scope,
        facility_id: Annotated[int | None, Parameter(ge=1)] = None,
        place_id: Annotated[int | None, Parameter(ge=1)] = None,
        serious: bool | None = None,
        lot_id: Annotated[int | None, Parameter(ge=1)] = None,
    ) -> list[Report]:
        """The reports of the caller's area (a vaccinator's facility and their own
        reports; an officer's places, or a facility or place in them), serious first,
        then the latest onset first."""
        where = await services.where(area, facility_id, place_id)
        return msgspec.convert(await services.listing(where, serious=serious, lot_id=lot_id), list[Report])

    @get("/lots")
    async def lots(
        self,
        area: Scope,
        facility_id: Annotated[int | None, Parameter(ge=1)] = None,
        place_id: Annotated[int | None, Parameter(ge=1)] = None,
    ) -> list[LotCount]:
        """Per lot: the area's reports after its doses and the serious ones, with the
        lot's hold state, most serious first."""
        where = await services.where(area, facility_id, place_id)
        return msgspec.convert(await services.lot_counts(where), list[LotCount])

    @get("/symptoms")
    async def symptoms(self) -> SymptomList:
        """The coded symptoms a report may carry (WHO/Brighton terms), with the list's version."""
        codes = services.symptom_list()
        terms = [{"code": c, "term": t, "needs_text": c in codes.needs_text} for c, t in codes.terms.items()]
        return msgspec.convert({"version": codes.version, "symptoms": terms}, SymptomList)

    @get("/{report_id:int}")
    async def detail(self, area: Scope, report_id: int) -> ReportDetail:
        """One report with its doses, the alerts it queued and the hold alerts of its lots."""
        return msgspec.convert(await services.detail(area, report_id), ReportDetail)

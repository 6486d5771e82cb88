"""Sessions and campaigns over HTTP. Every write takes the ``Idempotency-Key`` (the
middleware's); the roster is answered gzip-compressed to a device that accepts it."""

from __future__ import annotations

import gzip
from datetime import date, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter, QueryParameter

from api import clock
from api.auth.guards import requires
from api.auth.roles import Permission
from api.context import Actor
from api.errors import Invalid
from api.records.sessions import campaigns, services
from api.records.sessions.schemas import (
    AttendanceIn,
    AttendanceOut,
    CampaignIn,
    CampaignOut,
    Roster,
    SessionIn,
    SessionOut,
    SessionReport,
)
from api.scope import Scope

GUARD = [requires(Permission.DOSES_WRITE)]
# Below this a roster is sent as it is (gzip's header would outweigh what it saves).
GZIP_FROM = 1024


class SessionController(Controller):
    path = "/api/sessions"
    tags = ["records"]

    @post("/", status_code=201, guards=GUARD)
    async def plan(self, actor: Actor, area: Scope, data: SessionIn) -> SessionOut:
        """Plan a fixed or outreach session at a facility (the caller's own by default),
        today or later, for some vaccine groups, with its staff."""
        session = await services.plan(actor, area, **msgspec.structs.asdict(data))
        return msgspec.convert(session, SessionOut)

    @get("/", guards=GUARD)
    async def listing(
        self,
        area: Scope,
        facility_id: Annotated[int | None, Parameter(ge=1)] = None,
        since: Annotated[date | None, QueryParameter(name="from")] = None,
        until: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> list[SessionOut]:
        """The sessions of a facility (a vaccinator's own) or of the caller's area from
        ``from`` to ``to`` (default: today)."""
        today = clock.current().today()
        since = since or today
        until = until or since
        if until < since or until - since > timedelta(days=366):
            raise Invalid(f"The range ends ({until}) before it starts ({since})", field="to")
        found = await services.listing(area, facility_id=facility_id, since=since, until=until)
        return msgspec.convert(found, list[SessionOut])

    @get("/groups", guards=GUARD)
    async def groups(self) -> list[str]:
        """The vaccine groups a session or a campaign can be planned for (the schedule's)."""
        return services.plannable_groups()

    @get("/{session_id:int}", guards=GUARD)
    async def one(self, area: Scope, session_id: int) -> SessionOut:
        return msgspec.convert(await services.visible(area, session_id), SessionOut)

    @get("/{session_id:int}/roster", guards=GUARD)
    async def roster(self, request: Request[Any, Any, Any], area: Scope, session_id: int) -> Response[bytes]:
        """The children due on the session's day for its groups (and those already seen
        there), each with its attendance: what the device keeps to work offline."""
        session = await services.visible(area, session_id)
        answer = {"session": session, "as_of": clock.current().now(), "children": await services.roster(session)}
        body = msgspec.json.encode(msgspec.convert(answer, Roster))
        headers = {"Vary": "Accept-Encoding", "Cache-Control": "no-store"}
        if len(body) >= GZIP_FROM and "gzip" in request.headers.get("accept-encoding", ""):
            body = gzip.compress(body, compresslevel=6)
            headers["Content-Encoding"] = "gzip"
        return Response(body, media_type="application/json", headers=headers)

    @get("/{session_id:int}/report", guards=GUARD)
    async def report(self, area: Scope, session_id: int) -> SessionReport:
        """The session's figures: those written when it closed, else as they are now."""
        session = await services.visible(area, session_id)
        return msgspec.convert(session["report"] or await services.report(session), SessionReport)

    @post("/{session_id:int}/open", status_code=200, guards=GUARD)
    async def open(self, actor: Actor, area: Scope, session_id: int) -> SessionOut:
        return msgspec.convert(await services.open_session(actor, area, session_id), SessionOut)

    @post("/{session_id:int}/attendance", status_code=200, guards=GUARD)
    async def attendance(self, actor: Actor, area: Scope, session_id: int, data: AttendanceIn) -> AttendanceOut:
        """A child of the roster absent, or postponed with the reason (a vaccinated child
        is known by its dose's ``session``). Marking again replaces the mark."""
        marked = await services.mark(
            actor, area, session_id, subject_id=data.subject_id, status=data.status, reason=data.reason
        )
        return msgspec.convert(marked, AttendanceOut)

    @post("/{session_id:int}/close", status_code=200, guards=GUARD)
    async def close(self, actor: Actor, area: Scope, session_id: int) -> SessionOut:
        """Close the session: its session vials are written off by the open-vial rule and
        its report is written. A session closes once (409 the second time)."""
        return msgspec.convert(await services.close(actor, area, session_id), SessionOut)


class CampaignController(Controller):
    path = "/api/campaigns"
    tags = ["records"]

    @post("/", status_code=201, guards=GUARD)
    async def plan(self, actor: Actor, area: Scope, data: CampaignIn) -> CampaignOut:
        """Plan a campaign (officers): a vaccine group for the children of an age range in
        a place or a facility between two dates, whatever their history."""
        fields = msgspec.structs.asdict(data)
        return msgspec.convert(await campaigns.plan(actor, area, **fields), CampaignOut)

    @get("/", guards=GUARD)
    async def listing(self, area: Scope) -> list[CampaignOut]:
        """The campaigns over the caller's area with their progress."""
        return msgspec.convert(await campaigns.listing(area), list[CampaignOut])

    @get("/{campaign_id:int}", guards=GUARD)
    async def one(self, area: Scope, campaign_id: int) -> CampaignOut:
        return msgspec.convert(await campaigns.get(area, campaign_id), CampaignOut)

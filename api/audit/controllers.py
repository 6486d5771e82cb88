"""Officers read the audit log of their own area."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.params import Parameter

from api.audit import services as service
from api.auth.guards import requires
from api.auth.roles import Permission
from api.schemas import MAX_ID
from api.scope import Scope


class AuditEventOut(msgspec.Struct):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: str
    place: int | None
    before: Any
    after: Any
    request_id: str
    device_id: str | None


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]

    @get("/", guards=[requires(Permission.AUDIT_READ)])
    async def list_events(
        self,
        area: Scope,
        entity: str | None = None,
        entity_id: str | None = None,
        action: str | None = None,
        before_id: Annotated[
            int | None, Parameter(ge=1, le=MAX_ID, description="Page: events older than this id")
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    ) -> list[AuditEventOut]:
        """Newest first, within the caller's area (national admins see everything)."""
        rows = await service.read(
            place_ids=area.place_ids(),
            entity=entity,
            entity_id=entity_id,
            action=action,
            limit=limit,
            before_id=before_id,
        )
        return msgspec.convert(rows, list[AuditEventOut])

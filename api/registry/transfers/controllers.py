"""Transfer requests over HTTP: the receiving side files one for a child who came
without card or birth certificate; the side the child comes from lists, approves or
declines it. The rule is in :mod:`api.registry.transfers.services`."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post

from api.auth.guards import requires
from api.auth.roles import Permission
from api.context import Actor
from api.registry.transfers import destinations
from api.registry.transfers import services as transfers
from api.registry.transfers.schemas import ApproveBody, DestinationOut, TransferRequestBody, TransferRequestOut
from api.scope import Scope


def _out(row: dict[str, Any]) -> TransferRequestOut:
    return msgspec.convert(row, TransferRequestOut)


class TransferRequestController(Controller):
    path = "/api/transfer-requests"
    tags = ["registry"]
    guards = [requires(Permission.SUBJECTS_WRITE)]

    @post("/", status_code=201)
    async def file_request(self, area: Scope, actor: Actor, data: TransferRequestBody) -> TransferRequestOut:
        """Ask the side a child comes from for its record, describing the child as the
        family does. The answer is the same whether or not such a child exists."""
        row = await transfers.file_request(actor, area, transfers.RequestIn(**msgspec.structs.asdict(data)))
        return _out(row)

    @get("/")
    async def list_requests(
        self,
        area: Scope,
        side: transfers.Side = "incoming",
        status: transfers.Status | None = "pending",
    ) -> list[TransferRequestOut]:
        """``incoming``: requests about children of your area, to approve or decline;
        ``outgoing``: those you filed or that bring a child to your area. Newest first."""
        return [_out(r) for r in await transfers.listing(area, side=side, status=status)]

    @post("/{request_id:int}/approve", status_code=200)
    async def approve(self, area: Scope, actor: Actor, request_id: int, data: ApproveBody) -> TransferRequestOut:
        """Name the record the request is about: it moves to the requester's facility."""
        return _out(await transfers.approve(actor, area, request_id, subject_id=data.subject_id))

    @post("/{request_id:int}/decline", status_code=200)
    async def decline(self, area: Scope, actor: Actor, request_id: int) -> TransferRequestOut:
        return _out(await transfers.decline(actor, area, request_id))

    @post("/{request_id:int}/cancel", status_code=200)
    async def cancel(self, area: Scope, actor: Actor, request_id: int) -> TransferRequestOut:
        """The requester withdraws a pending request."""
        return _out(await transfers.cancel(actor, area, request_id))


class TransferDestinationController(Controller):
    path = "/api/transfer-destinations"
    tags = ["registry"]
    guards = [requires(Permission.SUBJECTS_WRITE)]

    @get("/")
    async def search_destinations(self, area: Scope, q: str) -> list[DestinationOut]:
        """Facilities of the whole country by name, commune, district or province (every
        typed word, accents optional), the caller's own first; at most 20. For picking
        where a child moves to, or the commune a family came from."""
        found = await destinations.search(area, q)
        return [msgspec.convert(d, DestinationOut, from_attributes=True) for d in found]

"""The printable subject card, and registration prefill from a citizen ID card's QR text."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from msgspec import Meta

import scanning
from api.auth.guards import requires
from api.auth.roles import Permission
from api.errors import Invalid
from api.places import facilities
from api.registry.cards import services as card
from api.registry.cards.scanned import prefill
from api.registry.subjects import deps as access
from api.scan.schemas import Prefill
from api.schemas import Input
from api.settings import Settings


class PrefillBody(Input):
    text: Annotated[str, Meta(min_length=1, max_length=2000, description="the citizen ID card's QR text")]


class SubjectCardController(Controller):
    path = "/api/subjects"
    tags = ["registry"]
    dependencies = access.SUBJECT_DEPENDENCIES

    @get("/{subject_id:int}/card", guards=[requires(Permission.SUBJECTS_READ)], media_type="text/html")
    async def subject_card(self, request: Request[Any, Any, Any], subject: dict[str, Any]) -> Response[str]:
        """A print-ready A6 card (HTML): name, birth date, sex, code, managing facility,
        and the signed QR code (``NIIS1|code|signature``) that ``/api/scan`` resolves."""
        facility = await facilities.get(subject["facility"])
        settings: Settings = request.app.state.settings
        html = card.page(subject, facility["name"], settings.secret_key)
        # Its no-store and Content-Security-Policy come with every /api answer (api.http).
        return Response(html, media_type="text/html; charset=utf-8")

    @post("/prefill", guards=[requires(Permission.SUBJECTS_WRITE)], status_code=200)
    async def prefill_from_id_card(self, data: PrefillBody) -> Prefill:
        """The registration form's fields from a citizen ID card QR text (for devices
        that decode the QR themselves): the holder as guardian, or as the subject."""
        try:
            payload = scanning.parse_citizen_id(data.text)
        except scanning.PayloadError as exc:
            raise Invalid(exc.message, details={"field": "text", "reason": exc.field or "malformed"}) from None
        return msgspec.convert(prefill(scanning.payload_to_dict(payload)), Prefill)

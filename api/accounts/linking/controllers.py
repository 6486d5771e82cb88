"""``/api/me``: a parent links their account to children, then lists them.

Parents only (other roles: 403). Each call counts against the account's linking limit,
and phone calls against the phone's too (429 with Retry-After beyond them).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from msgspec import Meta

from api.accounts.linking import services as linking
from api.auth.guards import current_principal
from api.auth.principal import Principal
from api.auth.roles import Role
from api.context import Actor
from api.errors import Forbidden
from api.phones import normalize_phone
from api.registry.subjects.schemas import SubjectSummary
from api.requests import principal
from api.schemas import Input
from api.settings import Settings

Phone = Annotated[str, Meta(min_length=1, max_length=20, description="the guardian's phone, e.g. 0912 345 678")]


class PhoneBody(Input):
    phone: Phone


class VerifyBody(Input):
    phone: Phone
    code: Annotated[str, Meta(pattern=r"^[0-9]{6}$", description="the 6 digits sent by SMS")]


class CardBody(Input):
    card: Annotated[str, Meta(min_length=1, max_length=200, description="the card's QR text: NIIS1|code|signature")]
    birth_date: date


class LinkedSubject(SubjectSummary):
    status: str
    method: str | None = None


class Accepted(msgspec.Struct):
    message: str


def parents_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    who = current_principal(connection)
    if who.role is not Role.PARENT:
        raise Forbidden(f"Only parent accounts link children (your role: {who.role.value})")


async def _limit(request: Request[Any, Any, Any]) -> None:
    key = f"link:account:{principal(request).account_id}"
    await linking.check_limit(request.app.state.attempts, key, linking.PER_ACCOUNT)


async def _limit_phone(request: Request[Any, Any, Any], phone: str) -> None:
    await linking.check_limit(request.app.state.attempts, f"link:phone:{phone}", linking.PER_PHONE)


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class ParentLinkController(Controller):
    path = "/api/me"
    tags = ["parents"]
    guards = [parents_only]

    @post("/links/phone", status_code=202)
    async def request_code(
        self, request: Request[Any, Any, Any], actor: Actor, caller: Principal, data: PhoneBody
    ) -> Accepted:
        """Send a 6-digit code by SMS to a guardian's phone (valid 10 minutes). The answer
        is the same whether or not the phone is known."""
        await _limit(request)
        phone = normalize_phone(data.phone)
        await _limit_phone(request, phone)
        await linking.check_limit(request.app.state.attempts, f"link:sms:{phone}", linking.SMS_PER_PHONE)
        settings = _settings(request)
        await linking.request_phone_code(
            actor,
            caller.account_id,
            phone,
            secret_key=settings.secret_key,
            log_body=not settings.production,
        )
        return Accepted("If a guardian has this phone number, a code has been sent to it by SMS.")

    @post("/links/phone/verify", status_code=200)
    async def verify_code(
        self, request: Request[Any, Any, Any], actor: Actor, caller: Principal, data: VerifyBody
    ) -> list[LinkedSubject]:
        """Enter the code: every child whose guardian has the phone is linked. Answers
        the account's linked children."""
        await _limit(request)
        phone = normalize_phone(data.phone)
        await _limit_phone(request, phone)
        linked = await linking.verify_phone_code(
            actor, caller.account_id, phone, data.code, secret_key=_settings(request).secret_key
        )
        return msgspec.convert(linked, list[LinkedSubject])

    @post("/links/card", status_code=200)
    async def link_card(
        self, request: Request[Any, Any, Any], actor: Actor, caller: Principal, data: CardBody
    ) -> LinkedSubject:
        """Link the child of a subject card (its QR text) given the child's birth date."""
        await _limit(request)
        linked = await linking.link_by_card(
            actor,
            caller.account_id,
            data.card,
            data.birth_date,
            secret_key=_settings(request).secret_key,
        )
        return msgspec.convert({**linked, "method": "card"}, LinkedSubject)

    @get("/subjects")
    async def my_subjects(self, caller: Principal) -> list[LinkedSubject]:
        """The children linked to this account (read each at /api/subjects/{id})."""
        return msgspec.convert(await linking.linked_subjects(caller.account_id), list[LinkedSubject])

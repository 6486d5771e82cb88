"""Idempotent writes: a device that sends a write again with the same ``Idempotency-Key``
gets the first answer again and nothing is written twice.

A middleware around every signed-in write route (POST, PUT, PATCH, DELETE under /api).
When the header is present it begins the request's unit of work before the handler
(``api.commands``), claims the key, runs the handler (whose services' blocks become
savepoints of it), and stores a 2xx answer with the key; the unit commits when the
request ends, and only then is the answer sent: the key and the write it answers are
committed together or not at all. See docs/write-path.md.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, cast

from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Parameter, Reference, Schema
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, HTTPResponseStartEvent, HTTPScope, Message, Receive, Scope, Send

from api import clock
from api.auth.principal import Principal
from api.errors import AppError, Invalid
from db import idempotency
from db.unit_of_work import unit_of_work

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXAMPLE_KEY = "0b6f4f0e-2f36-4a53-9d4b-3d1c5b2a7e91"


class MalformedKey(AppError):
    status_code, code = 400, "invalid_idempotency_key"


def accepts_key(handler: HTTPRouteHandler, method: str, path: str) -> bool:
    """Signed-in writes only: a route without guards (login) answers anyone, and keys
    are kept per account."""
    return method in WRITE_METHODS and path.startswith("/api/") and bool(handler.resolve_guards())


def parse_key(raw: str) -> str:
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        raise MalformedKey(
            f"The {HEADER} header must be a UUID such as {EXAMPLE_KEY}: make a new one for each write "
            "and send the same one again only when retrying that write",
            details={"header": HEADER},
        ) from None


class _HeldAnswer:
    """The handler's answer, held back until the transaction has committed: a device must
    never be told "done" about a write that then rolls back."""

    def __init__(self) -> None:
        self.start: HTTPResponseStartEvent | None = None
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def status(self) -> int:
        return self.start["status"] if self.start else 500

    def answer(self) -> idempotency.Answer:
        headers = dict(self.start["headers"]) if self.start else {}
        content_type = headers.get(b"content-type", b"application/json").decode("latin-1")
        return idempotency.Answer(status=self.status, body=b"".join(self.chunks), content_type=content_type)

    async def release(self, send: Send) -> None:
        assert self.start is not None
        await send(self.start)
        await send({"type": "http.response.body", "body": b"".join(self.chunks), "more_body": False})


async def _replay(answer: idempotency.Answer, send: Send) -> None:
    # Only the status, body and content type are kept. The body is an answer about
    # people (a subject, an account), so it is never to be cached on the way.
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": [
                (b"content-type", answer.content_type.encode("latin-1")),
                (b"content-length", str(len(answer.body)).encode()),
                (b"cache-control", b"no-store"),
                (REPLAYED_HEADER.lower().encode(), b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer.body, "more_body": False})


def _key_header(scope: HTTPScope, handler: HTTPRouteHandler) -> bytes | None:
    if not accepts_key(handler, scope["method"], scope["path"]):
        return None
    return dict(scope["headers"]).get(HEADER.lower().encode())


def _target(scope: HTTPScope) -> str:
    query = scope.get("query_string", b"")
    return scope["path"] + (f"?{query.decode('latin-1')}" if query else "")


def _refuse_reuse(earlier: idempotency.Submission, now: idempotency.Submission) -> None:
    if earlier.method != now.method or earlier.path != now.path:
        where = f"{earlier.method} {earlier.path}"
    elif earlier.body_hash != now.body_hash:
        where = f"{earlier.method} {earlier.path} with another body"
    else:
        return
    raise Invalid(
        f"This {HEADER} was already used for {where}: send a new key for a new write "
        "(the same key is only for retrying the very same request)",
        details={"header": HEADER, "reason": "key_reused"},
    )


def idempotency_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if scope["type"] == "http" and isinstance(handler, HTTPRouteHandler):
            http = cast("HTTPScope", scope)
            raw_key = _key_header(http, handler)
            if raw_key is not None:
                await _write_once(app, http, receive, send, handler, parse_key(raw_key.decode("latin-1")))
                return
        await app(scope, receive, send)

    return middleware


async def _write_once(
    app: ASGIApp, scope: HTTPScope, receive: Receive, send: Send, handler: HTTPRouteHandler, key: str
) -> None:
    request: Request[Any, Any, Any] = Request(scope, receive)
    # The route's own guards first (sign-in, role, CSRF): a replay answers only a
    # caller who may still make this request.
    await handler.authorize_connection(request)
    principal = scope["user"]
    assert isinstance(principal, Principal)  # every guard requires a signed-in caller
    # Read here (and cached on the request for the handler), within the route's size limit.
    body = await request.body()
    submission = idempotency.Submission(
        method=scope["method"], path=_target(scope), body_hash=hashlib.sha256(body).hexdigest()
    )
    held = _HeldAnswer()
    async with unit_of_work():
        earlier = await idempotency.claim(principal.account_id, key, submission, now=clock.current().now())
        if earlier is None:
            await app(scope, receive, held.send)
            if 200 <= held.status < 300:
                await idempotency.store(principal.account_id, key, held.answer())
            else:
                # A refused request leaves the key free for the corrected one; what
                # the handler committed before refusing (a counted wrong code) stays.
                await idempotency.release(principal.account_id, key)
    if earlier is None:
        await held.release(send)
        return
    _refuse_reuse(earlier.submission, submission)
    await _replay(earlier.answer, send)


def document_header(app: Litestar) -> None:
    """List the header on every operation that accepts it, in the app's OpenAPI schema."""
    schema = app.openapi_schema
    if schema.components.parameters is None:
        schema.components.parameters = {}
    schema.components.parameters[HEADER] = Parameter(
        name=HEADER,
        param_in="header",
        required=False,
        schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID),
        example=EXAMPLE_KEY,
        description=(
            "A UUID the client makes for this write and sends again, unchanged, with every retry of it. "
            "A retry with the same key, method, path and body answers the first answer again "
            f"(with `{REPLAYED_HEADER}: true`) and writes nothing; the same key with another body or "
            "on another route is refused (422). Only successful (2xx) answers are kept, for at least "
            "30 days, per account: after a refusal the key may be used for the corrected request."
        ),
    )
    reference = Reference(ref=f"#/components/parameters/{HEADER}")
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path_item = (schema.paths or {}).get(route.path_format or "/")
        if path_item is None:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation = getattr(path_item, method.lower(), None)
            if operation is not None and accepts_key(handler, method, route.path):
                operation.parameters = [*(operation.parameters or []), reference]

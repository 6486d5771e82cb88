"""A batch item run through the app as the single request it stands for: the same
middleware (sign-in, idempotency key), guards, validation and handler, inside the
batch's unit of work (docs/records.md, "Offline sync": why not a second code path)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.types import HTTPReceiveMessage, Message

from api.idempotency import HEADER, REPLAYED_HEADER
from api.sync.schemas import SyncItemIn
from api.sync.services import Reply

# The batch's own headers that do not describe an item's request.
_FROM_THE_BATCH = {"type", "asgi", "http_version", "scheme", "server", "client"}
_NOT_PASSED = {b"content-length", b"content-type", b"content-encoding", HEADER.lower().encode()}


async def dispatch(request: Request[Any, Any, Any], item: SyncItemIn, body: bytes | None) -> Reply:
    payload = body or b""
    headers = [(name, value) for name, value in request.scope["headers"] if name not in _NOT_PASSED]
    headers += [(HEADER.lower().encode(), item.key.encode()), (b"content-length", str(len(payload)).encode())]
    if body is not None:
        headers.append((b"content-type", b"application/json"))
    path, _, query = item.path.partition("?")
    scope: dict[str, Any] = {
        **{k: v for k, v in request.scope.items() if k in _FROM_THE_BATCH},
        "method": item.method,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": headers,
        "state": {},
        "extensions": {},
    }
    sent = False

    async def receive() -> HTTPReceiveMessage:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    status = 500
    replayed = False
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, replayed
        if message["type"] == "http.response.start":
            status = message["status"]
            replayed = any(name == REPLAYED_HEADER.lower().encode() for name, _ in message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await request.app(scope, receive, send)  # type: ignore[arg-type]
    return Reply(status=status, body=b"".join(chunks), replayed=replayed)

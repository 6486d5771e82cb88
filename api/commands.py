"""Each HTTP request runs on the app's clock; each write request is one unit of work.

A write request (POST, PUT, PATCH, DELETE) is a command: every service it calls joins
its unit of work, which commits when the handler answered with a success and rolls
back when it answered with an error (4xx or 5xx), so a route that calls two services
never keeps the first one's writes after the second refused; unless the command said
it keeps them (``UnitOfWork.keep_if_refused``: a wrong one-time code still counts). The response is held
until the commit: a client never sees a 200 for a write that then failed to commit.
"""

from __future__ import annotations

from typing import cast

from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from api import clock
from db.unit_of_work import running, unit_of_work

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def command_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        with clock.using(scope["app"].state.get("clock", clock.SYSTEM_CLOCK)):
            if cast("HTTPScope", scope)["method"] in SAFE_METHODS:
                await app(scope, receive, send)
                return
            if running() is not None:
                # An item of a batch (POST /api/sync): it is part of the batch's command,
                # whose savepoint per item keeps or undoes it (api/sync/services.py).
                await app(scope, receive, send)
                return
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            async with unit_of_work(begin=False) as unit:
                await app(scope, receive, hold)
                status = next((m["status"] for m in held if m["type"] == "http.response.start"), 500)
                if status >= 400 and not unit.keeps_refused_writes:
                    unit.fail()
            for message in held:
                await send(message)

    return middleware

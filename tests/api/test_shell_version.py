"""What the field app asks before it sends its outbox: the oldest shell this API serves."""

from __future__ import annotations

import httpx

from api.app import VERSION
from api.shell import MIN_SHELL


async def test_the_api_tells_any_caller_the_oldest_shell_it_serves(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/version")  # no sign-in: a shell asks before it has a session
    assert answer.status_code == 200
    assert answer.json() == {"api": VERSION, "min_shell": MIN_SHELL}
    assert answer.headers["cache-control"] == "no-store"  # a cached answer would hide a raise

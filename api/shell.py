"""What the field app's shell (``pwa/``) needs to know of this API before it talks to it.

The app caches its shell and may run an old one for days. ``min_shell`` is the oldest
shell version (``SHELL_VERSION`` in ``pwa/js/shell.js``) whose requests this API still
takes: a shell below it stops sending its outbox and asks the person to update
(docs/pwa.md, "Never stranded on an old shell"). Raise it with the release that changes
a request shape the old shell sends.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get

MIN_SHELL = 1


class VersionOut(msgspec.Struct):
    api: str
    min_shell: int


@get("/api/version", tags=["health"])
async def version(request: Request[Any, Any, Any]) -> VersionOut:
    """The API's version and the oldest app shell it still serves (no sign-in needed)."""
    config = request.app.openapi_config
    return VersionOut(api=config.version if config else "", min_shell=MIN_SHELL)

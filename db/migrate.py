"""Run the migrations forwards on the engine in use."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards


class MigrationFailed(RuntimeError):
    """A migration did not apply; the database is left as the failed one found it."""


async def migrate(*, quiet: bool = True) -> None:
    """Apply every migration not yet applied (idempotent)."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="niis")
    if not result.success:
        raise MigrationFailed(f"{result.message}\n{output.getvalue()}")

"""``POST /api/duplicates/{id}/reopen``: undo a dismissal. An officer who tapped "not
the same person" by mistake gets the pair back in the open list, exactly as it was found
(score and reasons kept); the nightly check never re-lists a dismissed pair by itself."""

from __future__ import annotations

import msgspec
from litestar import Controller, post

from api.auth.guards import requires
from api.auth.roles import Permission
from api.context import Actor
from api.registry.duplicates import job
from api.registry.duplicates.controllers import PairOut, _visible
from api.scope import Scope


class ReopenController(Controller):
    path = "/api/duplicates"
    tags = ["registry"]

    @post("/{pair_id:int}/reopen", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=200)
    async def reopen_duplicate(self, area: Scope, actor: Actor, pair_id: int) -> PairOut:
        """Undo "not a duplicate": the dismissed pair is open again (409 if it is not
        dismissed; a merged pair is undone with ``POST /api/merges/{id}/undo``)."""
        row = await job.decide(
            actor, pair_id, before="dismissed", after="open", action="duplicates.reopen", visible=_visible(area)
        )
        return msgspec.convert(row, PairOut)

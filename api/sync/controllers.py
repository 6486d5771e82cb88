"""The batch sync and the double-dose reviews over HTTP."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

import msgspec
from litestar import Controller, Request, get, post

from api.auth.guards import requires, signed_in
from api.auth.principal import Principal
from api.auth.roles import Permission
from api.context import Actor
from api.errors import AppError, Invalid
from api.scope import Scope
from api.sync import reviews, services, subrequest
from api.sync.schemas import MAX_ITEMS, DoseReviewOut, ResolveIn, SyncIn, SyncOut


class TooManyItems(AppError):
    status_code, code = 413, "too_large"


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]

    @post("/", status_code=200, guards=[signed_in])
    async def sync(self, request: Request[Any, Any, Any], caller: Principal, data: SyncIn) -> SyncOut:
        """Apply a device's queued writes in order, each as its single request would be
        (its ``key`` is that request's ``Idempotency-Key``), and say for each whether it
        was applied, already applied, refused (with the reason) or applied with a
        conflict to look at. ``confirmed`` lists the keys the device may drop."""
        if len(data.items) > MAX_ITEMS:
            raise TooManyItems(
                f"A batch holds at most {MAX_ITEMS} writes ({len(data.items)} sent): send the first "
                f"{MAX_ITEMS}, then the rest after their answer",
                details={"max_items": MAX_ITEMS},
            )
        if data.last_synced_at is not None and data.last_synced_at.tzinfo is None:
            raise Invalid(
                "last_synced_at needs a time zone offset: send back the synced_at answered", field="last_synced_at"
            )
        return await services.apply_batch(
            caller.account_id, data.items, partial(subrequest.dispatch, request), last_synced_at=data.last_synced_at
        )


class DoseReviewController(Controller):
    path = "/api/dose-reviews"
    tags = ["sync"]

    @get("/", guards=[requires(Permission.SUBJECTS_READ)])
    async def list_reviews(
        self, area: Scope, status: Literal["open", "resolved", "all"] = "open"
    ) -> list[DoseReviewOut]:
        """The double-dose reviews of the caller's facility or area, newest first."""
        chosen = None if status == "all" else status
        return msgspec.convert(await reviews.listed(area, status=chosen), list[DoseReviewOut])

    @post("/{review_id:int}/resolve", status_code=200, guards=[requires(Permission.DOSES_WRITE)])
    async def resolve(self, actor: Actor, area: Scope, review_id: int, data: ResolveIn) -> DoseReviewOut:
        """Close a review with what was decided; both doses stay as they are."""
        return msgspec.convert(await reviews.resolve(actor, area, review_id, note=data.note), DoseReviewOut)

"""Duplicates and merges over HTTP: list likely pairs, run the check on demand, dismiss
a pair, merge two records, undo a merge. Both records must be in the caller's scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import Parameter

from api.auth.guards import requires
from api.auth.roles import Permission
from api.errors import NotFound
from api.registry import access, duplicate_job, merge
from api.registry.schemas import SubjectOut
from api.requests import actor, principal
from api.schemas import Id, Input
from api.scope import Scope, scope_of
from db.tables import Subject


class MergeBody(Input):
    survivor_id: Id
    merged_id: Id


class RunBody(Input):
    place_id: Id | None = None  # a unit inside the caller's area (default: the whole area)
    full: bool = False  # country-wide: every subject, not only those changed since the last run


class MovedRows(msgspec.Struct):
    table: str
    column: str
    ids: list[int]


class Moved(msgspec.Struct):
    rows: list[MovedRows] = []
    candidates: list[dict[str, Any]] = []
    filled: dict[str, Any] = {}
    merged_before: dict[str, Any] = {}


class MergeOut(msgspec.Struct):
    id: int
    survivor: int
    survivor_code: str
    survivor_name: str
    merged: int
    merged_code: str
    merged_name: str
    merged_at: datetime
    moved: Moved
    merged_by: int | None = None
    merged_by_name: str | None = None
    undone_at: datetime | None = None


class Reason(msgspec.Struct):
    code: str
    vi: str
    en: str


class PairOut(msgspec.Struct):
    id: int
    place: int
    score: float
    status: str
    found_at: datetime
    reasons: list[Reason]
    subjects: list[SubjectOut]  # without pregnancies
    decided_at: datetime | None = None


class PairPage(msgspec.Struct):
    items: list[PairOut]
    page: int
    page_size: int
    has_more: bool


class RunOut(msgspec.Struct):
    checked: int
    new: int
    refreshed: int
    dropped: int
    already_decided: int
    started_at: datetime
    since: datetime | None = None  # a country-wide run checks what changed since the previous one


def _visible(scope: Scope) -> merge.Visible:
    async def visible(row: dict[str, Any]) -> bool:
        return await access.can_see(scope, row)

    return visible


async def _scope(request: Request[Any, Any, Any]) -> Scope:
    return await scope_of(principal(request))


class MergeController(Controller):
    path = "/api"
    tags = ["registry"]

    @get("/duplicates", guards=[requires(Permission.SUBJECTS_MERGE)])
    async def list_duplicates(
        self,
        request: Request[Any, Any, Any],
        status: Literal["open", "dismissed", "merged"] = "open",
        page: Annotated[int, Parameter(ge=1, le=1000)] = 1,
        page_size: Annotated[int, Parameter(ge=1, le=100)] = 50,
    ) -> PairPage:
        """Likely duplicate pairs where either record is in the caller's area, best first,
        with both records' summaries and the evidence (in Vietnamese and English)."""
        scope = await _scope(request)
        where = await access.subject_filter(scope, include_merged=True)
        page_data = await duplicate_job.pairs(where, status=status, page=page, page_size=page_size)
        return msgspec.convert(page_data, PairPage)

    @post("/duplicates/run", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=200)
    async def run_duplicates(self, request: Request[Any, Any, Any], data: RunBody | None = None) -> RunOut:
        """Run the duplicate check now for the caller's area (or a unit inside it)."""
        scope = await _scope(request)
        place_id = data.place_id if data is not None else None
        if place_id is not None:
            scope.require_place(place_id)
            places: frozenset[int] | None = scope.tree.all_within(place_id, scope.day)
        else:
            place_id = scope.root_place_id
            places = scope.place_ids()
        full = data is not None and data.full
        counts = await duplicate_job.run(actor(request), places, place_id=place_id, full=full)
        return msgspec.convert(counts, RunOut)

    @post("/duplicates/{pair_id:int}/dismiss", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=200)
    async def dismiss_duplicate(self, request: Request[Any, Any, Any], pair_id: int) -> PairOut:
        """ "Not a duplicate": the two records are two people; the pair is not listed again."""
        scope = await _scope(request)
        row = await duplicate_job.dismiss(actor(request), pair_id, visible=_visible(scope))
        return msgspec.convert(row, PairOut)

    @post("/subjects/merge", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=201)
    async def merge_subjects(self, request: Request[Any, Any, Any], data: MergeBody) -> MergeOut:
        """Merge ``merged_id`` into ``survivor_id``: its guardians, pregnancies, moves,
        parent links, messages and open duplicate pairs move to the survivor, which fills
        its empty fields from it; its code then leads to the survivor. Undo with
        ``POST /api/merges/{id}/undo``."""
        scope = await _scope(request)
        row = await merge.merge(actor(request), data.survivor_id, data.merged_id, visible=_visible(scope))
        return msgspec.convert(row, MergeOut)

    @post("/merges/{merge_id:int}/undo", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=200)
    async def undo_merge(self, request: Request[Any, Any, Any], merge_id: int) -> MergeOut:
        """Put back exactly what the merge moved; 409 if already undone."""
        scope = await _scope(request)
        return msgspec.convert(await merge.undo(actor(request), merge_id, visible=_visible(scope)), MergeOut)

    @get("/subjects/{subject_id:int}/merges", guards=[requires(Permission.SUBJECTS_WRITE)])
    async def subject_merges(self, request: Request[Any, Any, Any], subject_id: int) -> list[MergeOut]:
        """Merges a subject took part in, as survivor or as merged record, newest first."""
        scope = await _scope(request)
        row = await Subject.select().where(Subject.id == subject_id).first()
        if row is None:
            raise NotFound(f"Subject {subject_id} not found")
        await access.require_visible(scope, row)
        return msgspec.convert(await merge.merges_of(subject_id), list[MergeOut])

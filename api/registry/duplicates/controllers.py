"""Duplicates and merges over HTTP: list likely pairs, run the check on demand, dismiss
a pair, merge two records, undo a merge. Both records must be in the caller's scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get, post
from litestar.params import Parameter

from api.auth.guards import requires
from api.auth.roles import Permission
from api.context import Actor
from api.registry.duplicates import job as duplicate_job
from api.registry.duplicates import merge
from api.registry.subjects import deps as access
from api.registry.subjects.schemas import SubjectOut
from api.schemas import Id, Input
from api.scope import Scope


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


class MergeController(Controller):
    path = "/api"
    tags = ["registry"]

    @get("/duplicates", guards=[requires(Permission.SUBJECTS_MERGE)])
    async def list_duplicates(
        self,
        area: Scope,
        status: Literal["open", "dismissed", "merged"] = "open",
        page: Annotated[int, Parameter(ge=1, le=1000)] = 1,
        page_size: Annotated[int, Parameter(ge=1, le=100)] = 50,
    ) -> PairPage:
        """Likely duplicate pairs where either record is in the caller's area, best first,
        with both records' summaries and the evidence (in Vietnamese and English)."""
        where = await access.subject_filter(area, include_merged=True)
        page_data = await duplicate_job.pairs(where, status=status, page=page, page_size=page_size)
        return msgspec.convert(page_data, PairPage)

    @post("/duplicates/run", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=200)
    async def run_duplicates(self, area: Scope, actor: Actor, data: RunBody | None = None) -> RunOut:
        """Run the duplicate check now for the caller's area (or a unit inside it)."""
        place_id = data.place_id if data is not None else None
        if place_id is not None:
            area.require_place(place_id)
            places: frozenset[int] | None = area.tree.all_within(place_id, area.day)
        else:
            place_id = area.root_place_id
            places = area.place_ids()
        full = data is not None and data.full
        counts = await duplicate_job.run(actor, places, place_id=place_id, full=full)
        return msgspec.convert(counts, RunOut)

    @post("/duplicates/{pair_id:int}/dismiss", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=200)
    async def dismiss_duplicate(self, area: Scope, actor: Actor, pair_id: int) -> PairOut:
        """ "Not a duplicate": the two records are two people; the pair is not listed again."""
        row = await duplicate_job.dismiss(actor, pair_id, visible=_visible(area))
        return msgspec.convert(row, PairOut)

    @post("/subjects/merge", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=201)
    async def merge_subjects(self, area: Scope, actor: Actor, data: MergeBody) -> MergeOut:
        """Merge ``merged_id`` into ``survivor_id``: its guardians, pregnancies, moves,
        parent links, messages and open duplicate pairs move to the survivor, which fills
        its empty fields from it; its code then leads to the survivor. Undo with
        ``POST /api/merges/{id}/undo``."""
        row = await merge.merge(actor, data.survivor_id, data.merged_id, visible=_visible(area))
        return msgspec.convert(row, MergeOut)

    @post("/merges/{merge_id:int}/undo", guards=[requires(Permission.SUBJECTS_MERGE)], status_code=200)
    async def undo_merge(self, area: Scope, actor: Actor, merge_id: int) -> MergeOut:
        """Put back exactly what the merge moved; 409 if already undone."""
        return msgspec.convert(await merge.undo(actor, merge_id, visible=_visible(area)), MergeOut)

    @get(
        "/subjects/{subject_id:int}/merges",
        guards=[requires(Permission.SUBJECTS_WRITE)],
        dependencies=access.SUBJECT_DEPENDENCIES,
    )
    async def subject_merges(self, subject_record: dict[str, Any], subject_id: int) -> list[MergeOut]:
        """Merges a subject took part in, as survivor or as merged record, newest first."""
        return msgspec.convert(await merge.merges_of(subject_id), list[MergeOut])

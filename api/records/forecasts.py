"""Keeping every subject's stored forecast right (docs/records.md, "Stored forecast and
recompute"): after a registry change (the hook registered by ``install``) and, for
everyone, after a schedule version change (``recompute_all``, ``niis recompute-forecasts``).

The forecast is computed as ``GET /api/subjects/{id}/forecast`` computes it
(``services.assess``), so the record screen and the due lists agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api import clock
from api.immunization import services as immunization
from api.records import services
from api.registry import changes
from db.tables import JobProgress, Pregnancy, Subject, SubjectForecast
from db.unit_of_work import own_unit_of_work

JOB = "recompute-forecasts"
BATCH = 500
# No one is due anything any more: a merged record (its doses are the survivor's) or a
# person who died. Their rows are removed, so due lists and reminders skip them.
NO_FORECAST = ("merged", "deceased")


async def _subjects(subject_ids: list[int]) -> list[dict[str, Any]]:
    """The subjects as the engine needs them: birth date, sex, status, where they are
    managed (copied onto the forecast) and their pregnancies."""
    rows = await Subject.select(
        Subject.id, Subject.birth_date, Subject.sex, Subject.status, Subject.facility, Subject.place
    ).where(Subject.id.is_in(subject_ids))
    pregnancies: dict[int, list[dict[str, Any]]] = {}
    for p in await Pregnancy.select(Pregnancy.subject, Pregnancy.expected_delivery, Pregnancy.ended_on).where(
        Pregnancy.subject.is_in(subject_ids)
    ):
        pregnancies.setdefault(p["subject"], []).append(p)
    return sorted(({**r, "pregnancies": pregnancies.get(r["id"], [])} for r in rows), key=lambda r: r["id"])


async def recompute(*subject_ids: int) -> None:
    """Rewrite these subjects' stored forecasts (inside the caller's unit of work)."""
    if not subject_ids:
        return
    found = await _subjects(list(subject_ids))
    gone = set(subject_ids) - {s["id"] for s in found if s["status"] not in NO_FORECAST}
    if gone:
        await SubjectForecast.delete().where(SubjectForecast.subject.is_in(sorted(gone)))
    kept = [subject for subject in found if subject["id"] not in gone]
    doses = await services.doses_of_each([subject["id"] for subject in kept])
    for subject in kept:
        await services.store_forecast(subject, services.assess(subject, doses[subject["id"]]))


def install() -> None:
    """Listen to the registry's changes (at start-up: the app, the CLI)."""
    changes.listen("records.forecast", recompute)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    last_id: int
    resumed_after: int


async def recompute_all(
    *, batch: int = BATCH, restart: bool = False, report: Callable[[Progress], None] = lambda _: None
) -> Progress:
    """Recompute everyone's stored forecast in batches of ``batch`` subjects by id, each
    batch its own unit of work; a run that stopped resumes after the last subject it
    wrote (``job_progress``), unless ``restart`` or the schedule changed meanwhile."""
    if batch < 1:
        raise ValueError("the batch size is at least 1")
    schedule = immunization.current_schedule().timeline.name
    async with own_unit_of_work():
        row = await JobProgress.select().where(JobProgress.name == JOB).first()
        now = clock.current().now()
        resume = row is not None and not restart and row["finished_at"] is None and row["label"] == schedule
        after, done = (row["last_id"], row["done"]) if resume and row else (0, 0)
        if row is None:
            await JobProgress.insert(JobProgress(name=JOB, label=schedule, started_at=now, updated_at=now))
        elif not resume:
            await JobProgress.update(
                {
                    JobProgress.label: schedule,
                    JobProgress.last_id: 0,
                    JobProgress.done: 0,
                    JobProgress.started_at: now,
                    JobProgress.updated_at: now,
                    JobProgress.finished_at: None,
                }
            ).where(JobProgress.name == JOB)
    total = await Subject.count()
    resumed_after = after
    while True:
        async with own_unit_of_work():
            ids = [
                r["id"]
                for r in await Subject.select(Subject.id).where(Subject.id > after).order_by(Subject.id).limit(batch)
            ]
            finished = len(ids) < batch
            if ids:
                await recompute(*ids)
                after, done = ids[-1], done + len(ids)
            await JobProgress.update(
                {
                    JobProgress.last_id: after,
                    JobProgress.done: done,
                    JobProgress.updated_at: clock.current().now(),
                    JobProgress.finished_at: clock.current().now() if finished else None,
                }
            ).where(JobProgress.name == JOB)
        progress = Progress(done, total, after, resumed_after)
        report(progress)
        if finished:
            return progress

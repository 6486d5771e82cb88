"""The stored forecast is always the one the record screen shows: a pregnancy, a
birth-date correction, a move, a death and a merge each rewrite ``subject_forecast`` in
the same unit of work (the registry calls the hook the records package registers), and
``niis recompute-forecasts`` rewrites everyone's in resumable batches."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from api import clock
from api.records import forecasts
from db.tables import JobProgress, SubjectForecast
from tests.world import World

PREGNANCY_DAYS = 280  # as pwa/js/registry-view.js observationsOf counts a pregnancy


async def _stored(subject_id: int) -> dict[str, dict[str, Any]]:
    rows = await SubjectForecast.select().where(SubjectForecast.subject == subject_id)
    return {row["vaccine_group"]: row for row in rows}


def _as_stored(groups: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {
        g["vaccine_group"]: (g["status"], g["dose_number"], g["earliest"], g["recommended"], g["past_due"])
        for g in groups
    }


def _rows(stored: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {
        group: (
            r["status"],
            r["dose_number"],
            *(d.isoformat() if d else None for d in (r["earliest"], r["due"], r["overdue"])),
        )
        for group, r in stored.items()
    }


async def test_a_pregnancy_rewrites_the_stored_forecast_and_all_three_forecasts_agree(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    woman = world.subjects["W1"]
    vac = await token_for("vac1")
    before = _rows(await _stored(woman))
    expected = clock.current().today() + timedelta(days=120)

    added = await client.post(
        f"/api/subjects/{woman}/pregnancies", json={"expected_delivery": expected.isoformat()}, headers=vac
    )

    assert added.status_code in (200, 201), added.text
    stored = _rows(await _stored(woman))
    assert stored != before, "the pregnancy did not change the stored forecast"
    served = (await client.get(f"/api/subjects/{woman}/forecast", headers=vac)).json()
    assert _as_stored(served["vaccine_groups"]) == stored
    # What the browser sends for the same woman (observationsOf) gives the same forecast.
    start = (expected - timedelta(days=PREGNANCY_DAYS)).isoformat()
    posted = await client.post(
        "/api/forecast",
        json={
            "birth_date": "1998-05-20",
            "sex": "F",
            "observations": [{"code": "VN-PREGNANT", "start": start, "end": expected.isoformat()}],
        },
        headers=vac,
    )
    assert _as_stored(posted.json()["vaccine_groups"]) == stored


async def test_a_birth_date_correction_moves_the_stored_due_dates(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    child = world.subjects["S1"]
    before = await _stored(child)
    earlier = date(2025, 2, 14)  # a month before the birth date on record

    corrected = await client.patch(
        f"/api/subjects/{child}", json={"birth_date": earlier.isoformat()}, headers=await token_for("vac1")
    )

    assert corrected.status_code == 200, corrected.text
    after = await _stored(child)
    assert after["MMR"]["due"] is not None and after["MMR"]["due"] < before["MMR"]["due"]


async def test_a_move_carries_the_new_facility_and_commune_onto_the_stored_rows(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    child = world.subjects["S1"]
    moved = await client.post(
        f"/api/subjects/{child}/move",
        json={
            "place_id": world.places["C1b"],
            "facility_id": world.facilities["F1b"],
            "moved_on": clock.current().today().isoformat(),
            "reason": "the family moved",
        },
        headers=await token_for("com1"),
    )

    assert moved.status_code == 200, moved.text
    rows = (await _stored(child)).values()
    assert rows and {(r["facility"], r["place"]) for r in rows} == {(world.facilities["F1b"], world.places["C1b"])}


async def test_a_death_removes_the_stored_forecast(client: httpx.AsyncClient, token_for: Any, world: World) -> None:
    child = world.subjects["S1"]
    assert await _stored(child)
    died = await client.post(
        f"/api/subjects/{child}/death",
        json={"died_on": clock.current().today().isoformat()},
        headers=await token_for("vac1"),
    )
    assert died.status_code == 200, died.text
    assert await _stored(child) == {}


async def test_a_merge_recomputes_the_survivor_with_both_histories_and_removes_the_merged_rows(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    survivor, merged = world.subjects["S1"], world.subjects["S1x"]
    officer = await token_for("prov1")
    # The duplicate record holds the first DTP-HepB-Hib dose, read from the card.
    card = await client.post(
        "/api/doses",
        json={
            "subject_id": merged,
            "vaccine_code": "198",
            "source": "historical",
            "administered_on": "2025-05-14",
            "given_elsewhere": "Bệnh viện Phụ sản",
        },
        headers={**officer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert card.status_code == 201, card.text
    assert (await _stored(survivor))["DTP"]["dose_number"] == 1

    done = await client.post(
        "/api/subjects/merge", json={"survivor_id": survivor, "merged_id": merged}, headers=officer
    )

    assert done.status_code == 201, done.text
    assert (await _stored(survivor))["DTP"]["dose_number"] == 2
    assert await _stored(merged) == {}
    undone = await client.post(f"/api/merges/{done.json()['id']}/undo", headers=officer)
    assert undone.status_code == 200, undone.text
    assert (await _stored(survivor))["DTP"]["dose_number"] == 1
    assert (await _stored(merged))["DTP"]["dose_number"] == 2


class Interrupted(Exception):
    pass


async def _snapshot() -> set[tuple[Any, ...]]:
    rows = await SubjectForecast.select().output(load_json=True)
    return {tuple(v for k, v in r.items() if k not in {"id", "computed_at"}) for r in rows}


async def test_the_recompute_resumes_after_the_last_batch_written(
    client: httpx.AsyncClient, token_for: Any, world: World
) -> None:
    everyone = sorted(world.subjects.values())
    # Two children with a card dose each, in one batch: each gets back its own forecast.
    officer = await token_for("prov1")
    for name, on in (("S1", "2025-05-14"), ("S1x", "2023-08-10")):
        card = {"subject_id": world.subjects[name], "vaccine_code": "198", "source": "historical"}
        card |= {"administered_on": on, "given_elsewhere": "Bệnh viện Phụ sản"}
        given = await client.post("/api/doses", json=card, headers={**officer, "Idempotency-Key": str(uuid.uuid4())})
        assert given.status_code == 201, given.text
    stored = await _snapshot()
    await SubjectForecast.delete(force=True)
    seen: list[forecasts.Progress] = []

    def stop_after_the_first_batch(progress: forecasts.Progress) -> None:
        seen.append(progress)
        raise Interrupted

    with pytest.raises(Interrupted):
        await forecasts.recompute_all(batch=2, report=stop_after_the_first_batch)

    written = {r["subject"] for r in await SubjectForecast.select(SubjectForecast.subject)}
    assert written == set(everyone[:2])
    job = await JobProgress.select().where(JobProgress.name == forecasts.JOB).first()
    assert job is not None and job["last_id"] == everyone[1] and job["finished_at"] is None

    finished = await forecasts.recompute_all(batch=2, report=seen.append)

    assert finished.resumed_after == everyone[1] and finished.done == len(everyone)
    # Progress after each batch: 2 done when interrupted, then 4, 6 … to everyone.
    assert seen[0].done == 2 and seen[1].done == 4 and seen[-1].done == len(everyone) == seen[-1].total
    written = {r["subject"] for r in await SubjectForecast.select(SubjectForecast.subject)}
    assert written == set(everyone)
    assert await _snapshot() == stored
    # Finished: the next run starts again from the first subject.
    again = await forecasts.recompute_all(batch=500)
    assert again.resumed_after == 0 and again.done == len(everyone)

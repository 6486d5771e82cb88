"""The duplicate check: planted duplicates are found, twins are listed but never merged
by themselves, dismissed pairs stay dismissed, and every pair is seen by whoever answers
for either record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from db.tables import DuplicateCandidate, Subject, SubjectMerge

REPO = Path(__file__).resolve().parents[2]


def person(
    world: Any,
    name: str,
    born: str,
    sex: str,
    commune: str,
    *,
    guardians: tuple[tuple[str, str, str], ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A registration body; guardians as (name, relationship, phone)."""
    facility = {"C1": "F1", "C1b": "F1b", "C2": "F2"}[commune]
    return {
        "full_name": name,
        "birth_date": born,
        "sex": sex,
        "place_id": world.places[commune],
        "facility_id": world.facilities[facility],
        "guardians": [{"full_name": g, "relationship": r, "phone": p} for g, r, p in guardians],
        **extra,
    }


async def plant(client: Any, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    """Register a record as a hurried registrar might: confirming whatever candidates the
    registry shows, so a duplicate gets in."""
    response = await client.post("/api/subjects", json=body, headers=headers)
    if response.status_code == 409:
        shown = [c["subject_id"] for c in response.json()["error"]["details"]["candidates"]]
        response = await client.post("/api/subjects", json={**body, "not_duplicate_of": shown}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def pairs_of(page: dict[str, Any]) -> dict[frozenset[int], dict[str, Any]]:
    return {frozenset(s["id"] for s in item["subjects"]): item for item in page["items"]}


async def listed(client: Any, headers: dict[str, str], status: str = "open") -> dict[frozenset[int], dict[str, Any]]:
    response = await client.get("/api/duplicates", params={"status": status}, headers=headers)
    assert response.status_code == 200, response.text
    return pairs_of(response.json())


async def run_check(client: Any, headers: dict[str, str], place_id: int | None = None) -> dict[str, int]:
    body = {"place_id": place_id} if place_id else None
    response = await client.post("/api/duplicates/run", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_planted_duplicates_are_found_across_communes(client: Any, world: Any, token_for: Any) -> None:
    prov1, admin = await token_for("prov1"), await token_for("admin")
    s = world.subjects
    # Same name without accents, same birth date.
    plain = await plant(client, prov1, person(world, "Nguyen Van An", "2025-03-14", "M", "C1"))
    # Day and month swapped.
    swapped = await plant(client, prov1, person(world, "Le Thi Hong", "2024-02-11", "F", "C1b"))
    # One typo, a birth date ten days off, and the mother's phone: registered in another province.
    typo = await plant(
        client,
        prov1,
        person(world, "Võ Minh Khao", "2025-08-20", "M", "C1", guardians=(("Đỗ Thị Lan", "mother", "0903111222"),)),
    )
    counts = await run_check(client, await token_for("com1"))  # commune C1 only
    assert counts["checked"] == 5 and counts["new"] == 2  # W1, S1, S1x, plain, typo
    found = await listed(client, await token_for("com1"))
    assert set(found) == {frozenset({s["S1"], plain["id"]}), frozenset({s["S2"], typo["id"]})}
    # The other province sees the pair that involves its own child.
    assert set(await listed(client, await token_for("prov2"))) == {frozenset({s["S2"], typo["id"]})}

    counts = await run_check(client, admin)  # the whole country
    assert counts["new"] == 1 and counts["refreshed"] == 2
    found = await listed(client, admin)
    assert set(found) == {
        frozenset({s["S1"], plain["id"]}),
        frozenset({s["S1b"], swapped["id"]}),
        frozenset({s["S2"], typo["id"]}),
    }
    reasons = {key: {r["code"] for r in item["reasons"]} for key, item in found.items()}
    assert {"same_name", "same_birth_date"} <= reasons[frozenset({s["S1"], plain["id"]})]
    assert "swapped_birth_date" in reasons[frozenset({s["S1b"], swapped["id"]})]
    assert {"similar_name", "same_phone", "same_mother"} <= reasons[frozenset({s["S2"], typo["id"]})]
    item = found[frozenset({s["S2"], typo["id"]})]
    assert all(r["vi"] and r["en"] for r in item["reasons"])
    assert 0.5 <= item["score"] <= 1
    assert {p["full_name"] for p in item["subjects"]} == {"Võ Minh Khoa", "Võ Minh Khao"}
    assert item["subjects"][0]["guardians"][0]["phone"] == "+84903111222"
    # Running again lists nothing twice; country-wide, only what changed since is checked.
    assert (await run_check(client, admin))["checked"] == 0
    response = await client.post("/api/duplicates/run", json={"full": True}, headers=admin)
    # the world's 6 subjects (tests/world.py) and the 3 planted ones
    assert response.json()["checked"] == 9 and response.json()["refreshed"] == 3
    assert await DuplicateCandidate.count() == 3


async def test_a_candidate_exactly_at_the_threshold_is_shown_and_one_below_is_not(
    client: Any, world: Any, token_for: Any
) -> None:
    """S1 is Nguyễn Văn An, born 14 March 2025. The same name born 32 days later scores
    0.45 (no candidate); born 31 days later, 0.45 + 0.05 = 0.5 (a candidate)."""
    vac1b = await token_for("vac1b")
    mother = (("Lý Thị Mơ", "mother", "0988111222"),)
    below = await client.post(
        "/api/subjects", json=person(world, "Nguyễn Văn An", "2025-04-15", "M", "C1b", guardians=mother), headers=vac1b
    )
    assert below.status_code == 201, below.text
    at = person(world, "Nguyễn Văn An", "2025-04-14", "M", "C1b", guardians=mother)
    stopped = await client.post("/api/subjects", json=at, headers=vac1b)
    assert stopped.status_code == 409, stopped.text
    candidates = stopped.json()["error"]["details"]["candidates"]
    shown = {c["subject_id"]: c["score"] for c in candidates}
    # Best first: the one born a day apart with the same mother and phone (0.45 + 0.15 +
    # 0.15 + 0.2), then S1.
    assert [(c["subject_id"], c["score"]) for c in candidates] == [
        (below.json()["id"], 0.95),
        (world.subjects["S1"], 0.5),
    ]
    s1 = (await client.get(f"/api/subjects/{world.subjects['S1']}", headers=await token_for("admin"))).json()
    assert {k: v for k, v in candidates[1].items() if k != "reasons"} == {
        "subject_id": world.subjects["S1"],
        "score": 0.5,
        "code": s1["code"],
        "full_name": "Nguyễn Văn An",
        "birth_date": "2025-03-14",
        "sex": "M",
        "place": world.places["C1"],
    }
    assert [r["code"] for r in candidates[1]["reasons"]] == ["same_name", "near_birth_date"]
    at_id = (await client.post("/api/subjects", json={**at, "not_duplicate_of": list(shown)}, headers=vac1b)).json()[
        "id"
    ]

    await run_check(client, await token_for("admin"))
    found = await listed(client, await token_for("admin"))
    # Stored as a 4-byte real on PostgreSQL (0.95 reads back as 0.94999999): to 3 places.
    assert {key: round(item["score"], 3) for key, item in found.items()} == {
        frozenset({world.subjects["S1"], at_id}): 0.5,
        frozenset({below.json()["id"], at_id}): 0.95,
    }


async def test_two_personal_id_numbers_are_two_people(client: Any, world: Any, token_for: Any) -> None:
    """Same name and birth date as S1 (who has no personal ID number): each is S1's
    candidate, but with different numbers the two are never each other's."""
    prov1, admin = await token_for("prov1"), await token_for("admin")
    first = await plant(
        client, prov1, person(world, "Nguyễn Văn An", "2025-03-14", "M", "C1b", personal_id="001225000123")
    )
    body = person(world, "Nguyễn Văn An", "2025-03-14", "M", "C1b", personal_id="001225000456")
    stopped = await client.post("/api/subjects", json=body, headers=prov1)
    assert [c["subject_id"] for c in stopped.json()["error"]["details"]["candidates"]] == [world.subjects["S1"]]
    second = await plant(client, prov1, body)
    await run_check(client, admin)
    assert set(await listed(client, admin)) == {
        frozenset({world.subjects["S1"], first["id"]}),
        frozenset({world.subjects["S1"], second["id"]}),
    }


async def test_day_and_month_swapped_counts_only_within_one_year(client: Any, world: Any, token_for: Any) -> None:
    """S1b, Lê Thị Hồng, was born on 2 November 2024: 11 February 2024 is that date with
    day and month swapped, 11 February 2025 is not (another year, 101 days later)."""
    prov1, admin = await token_for("prov1"), await token_for("admin")
    other_year = await client.post(
        "/api/subjects", json=person(world, "Lê Thị Hồng", "2025-02-11", "F", "C1"), headers=prov1
    )
    assert other_year.status_code == 201, other_year.text  # 0.45: nothing to confirm
    swapped = person(world, "Lê Thị Hồng", "2024-02-11", "F", "C1")
    stopped = await client.post("/api/subjects", json=swapped, headers=prov1)
    assert stopped.status_code == 409
    (candidate,) = [
        c for c in stopped.json()["error"]["details"]["candidates"] if c["subject_id"] == world.subjects["S1b"]
    ]
    assert (candidate["score"], [r["code"] for r in candidate["reasons"]]) == (
        0.65,
        ["same_name", "swapped_birth_date"],
    )
    await run_check(client, admin)
    assert frozenset({world.subjects["S1b"], other_year.json()["id"]}) not in await listed(client, admin)


async def test_twins_need_confirmation_and_are_listed_but_never_merged(client: Any, world: Any, token_for: Any) -> None:
    vac1 = await token_for("vac1")
    twin = person(
        world, "Nguyễn Văn Bình", "2025-03-14", "M", "C1", guardians=(("Trần Thị Bích", "mother", "0912345678"),)
    )
    stopped = await client.post("/api/subjects", json=twin, headers=vac1)
    assert stopped.status_code == 409
    assert stopped.json()["error"]["code"] == "possible_duplicates"
    assert [c["subject_id"] for c in stopped.json()["error"]["details"]["candidates"]] == [world.subjects["S1"]]
    confirmed = await client.post(
        "/api/subjects", json={**twin, "not_duplicate_of": [world.subjects["S1"]]}, headers=vac1
    )
    assert confirmed.status_code == 201
    twin_id = confirmed.json()["id"]

    com1 = await token_for("com1")
    for _ in range(2):
        await run_check(client, com1)
    pair = (await listed(client, com1))[frozenset({world.subjects["S1"], twin_id})]
    assert {"same_birth_date", "same_mother", "same_phone"} <= {r["code"] for r in pair["reasons"]}
    rows = await Subject.select(Subject.status, Subject.merged_into).where(
        Subject.id.is_in([world.subjects["S1"], twin_id])
    )
    assert rows == [{"status": "active", "merged_into": None}] * 2
    assert await SubjectMerge.count() == 0


async def test_a_dismissed_pair_is_not_listed_again(client: Any, world: Any, token_for: Any) -> None:
    com1 = await token_for("com1")
    plain = await plant(client, com1, person(world, "Nguyen Van An", "2025-03-14", "M", "C1"))
    await run_check(client, com1)
    key = frozenset({world.subjects["S1"], plain["id"]})
    pair_id = (await listed(client, com1))[key]["id"]

    dismissed = await client.post(f"/api/duplicates/{pair_id}/dismiss", headers=com1)
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["status"] == "dismissed" and dismissed.json()["decided_at"]
    again = await client.post(f"/api/duplicates/{pair_id}/dismiss", headers=com1)
    assert again.status_code == 409

    counts = await run_check(client, com1)
    assert counts["new"] == 0 and counts["already_decided"] == 1
    assert key not in await listed(client, com1)
    assert key in await listed(client, com1, "dismissed")
    assert await DuplicateCandidate.count() == 1
    audit = (await client.get("/api/audit", params={"action": "duplicates.dismiss"}, headers=com1)).json()
    assert [(e["entity_id"], e["after"]["status"]) for e in audit] == [(str(pair_id), "dismissed")]


async def test_dismissing_needs_both_records_in_scope(client: Any, world: Any, token_for: Any) -> None:
    prov1 = await token_for("prov1")
    typo = await plant(
        client,
        prov1,
        person(world, "Võ Minh Khao", "2025-08-30", "M", "C1", guardians=(("Đỗ Thị Lan", "mother", "0903111222"),)),
    )
    await run_check(client, prov1)
    pair_id = (await listed(client, prov1))[frozenset({world.subjects["S2"], typo["id"]})]["id"]
    for user in ("com1", "prov1", "prov2"):  # each sees only one of the two records
        response = await client.post(f"/api/duplicates/{pair_id}/dismiss", headers=await token_for(user))
        assert response.status_code == 404, user
    assert (await client.post(f"/api/duplicates/{pair_id}/dismiss", headers=await token_for("vac1"))).status_code == 403
    response = await client.post(f"/api/duplicates/{pair_id}/dismiss", headers=await token_for("admin"))
    assert response.status_code == 200


async def test_open_pairs_follow_corrections(client: Any, world: Any, token_for: Any) -> None:
    com1 = await token_for("com1")
    plain = await plant(client, com1, person(world, "Nguyen Van An", "2025-03-14", "M", "C1"))
    await run_check(client, com1)
    assert len(await listed(client, com1)) == 1
    corrected = await client.patch(
        f"/api/subjects/{plain['id']}", json={"full_name": "Hoàng Thị Mai", "sex": "F"}, headers=com1
    )
    assert corrected.status_code == 200, corrected.text
    counts = await run_check(client, com1)
    assert counts["dropped"] == 1
    assert await listed(client, com1) == {}


async def test_running_the_check_outside_ones_area_is_refused(client: Any, world: Any, token_for: Any) -> None:
    com1 = await token_for("com1")
    assert (
        await client.post("/api/duplicates/run", json={"place_id": world.places["C2"]}, headers=com1)
    ).status_code == 404
    assert (
        await client.post("/api/duplicates/run", json={"place_id": world.places["P1"]}, headers=com1)
    ).status_code == 403
    assert (await client.post("/api/duplicates/run", headers=await token_for("vac1"))).status_code == 403
    assert await DuplicateCandidate.count() == 0


def _niis(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIIS_DATABASE_URL": f"sqlite:///{tmp_path / 'niis.sqlite3'}", "NIIS_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_the_nightly_command_runs_for_the_country_or_one_area(tmp_path: Path) -> None:
    assert _niis(tmp_path, "migrate").returncode == 0
    result = _niis(tmp_path, "find-duplicates")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert {k: counts[k] for k in ("checked", "new", "refreshed", "dropped", "already_decided")} == dict.fromkeys(
        ("checked", "new", "refreshed", "dropped", "already_decided"), 0
    )
    assert counts["since"] is None  # the first country-wide run checks everyone
    again = json.loads(_niis(tmp_path, "find-duplicates").stdout)
    assert again["since"] == counts["started_at"]  # later ones, what changed since
    assert json.loads(_niis(tmp_path, "find-duplicates", "--full").stdout)["since"] is None
    assert _niis(tmp_path, "find-duplicates", "--place", "01").returncode == 0
    unknown = _niis(tmp_path, "find-duplicates", "--place", "NOPE")
    assert unknown.returncode != 0 and "No place with code NOPE" in unknown.stderr

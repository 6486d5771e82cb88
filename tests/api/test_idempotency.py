"""A tablet that loses the answer sends the same write again with the same
Idempotency-Key: it gets the first answer back and nothing is written twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.idempotency import HEADER
from db import idempotency
from db.tables import AuditEvent, IdempotencyKey, Subject
from tests.api.test_parent_linking import S1B_MOTHER, request_code, sent_code, verify, wrong
from tests.api.test_registry import child
from tests.world import PASSWORD


async def counts() -> tuple[int, int, int]:
    """Subjects, audit rows and kept keys: what a write leaves behind."""
    return await Subject.count(), await AuditEvent.count(), await IdempotencyKey.count()


def another_child(world: Any) -> dict[str, Any]:
    """A child nobody could take for ``child(world)``'s twin."""
    mother = {"full_name": "Đặng Thị Mai", "relationship": "mother", "phone": "0912 777 888", "is_primary": True}
    return child(world, full_name="Lê Văn Tám", sex="M", birth_date="2025-12-10", guardians=[mother])


async def keyed(token_for: Any, username: str, key: str) -> dict[str, str]:
    return {**await token_for(username), HEADER: key}


async def test_a_resubmitted_registration_answers_the_same_subject_and_creates_nothing(
    client: Any, world: Any, token_for: Any
) -> None:
    headers = await keyed(token_for, "vac1", str(uuid.uuid4()))
    first = await client.post("/api/subjects", json=child(world), headers=headers)
    assert first.status_code == 201, first.text
    after_first = await counts()
    again = await client.post("/api/subjects", json=child(world), headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert again.headers["cache-control"] == "no-store"  # it holds guardians' phones
    assert await counts() == after_first


@pytest.mark.usefixtures("english")  # checks the words as raised
async def test_the_same_key_with_another_body_or_route_is_refused_and_writes_nothing(
    client: Any, world: Any, token_for: Any
) -> None:
    headers = await keyed(token_for, "vac1", str(uuid.uuid4()))
    await client.post("/api/subjects", json=child(world), headers=headers)
    before = await counts()
    other_child = await client.post("/api/subjects", json=another_child(world), headers=headers)
    assert other_child.status_code == 422
    error = other_child.json()["error"]
    assert error["code"] == "invalid" and error["details"] == {"header": HEADER, "reason": "key_reused"}
    assert "another body" in error["message"] and "new key" in error["message"]
    other_route = await client.post(
        f"/api/subjects/{world.subjects['S1']}/death", json={"died_on": "2026-01-02"}, headers=headers
    )
    assert other_route.status_code == 422
    assert "POST /api/subjects" in other_route.json()["error"]["message"]
    assert await counts() == before
    s1 = await client.get(f"/api/subjects/{world.subjects['S1']}", headers=await token_for("vac1"))
    assert s1.json()["status"] == "active"


async def test_keys_are_per_user(client: Any, world: Any, token_for: Any) -> None:
    key = str(uuid.uuid4())
    mine = await client.post("/api/subjects", json=child(world), headers=await keyed(token_for, "vac1", key))
    theirs = await client.post("/api/subjects", json=another_child(world), headers=await keyed(token_for, "com1", key))
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    assert theirs.json()["id"] != mine.json()["id"] and theirs.json()["full_name"] == "Lê Văn Tám"


@pytest.mark.usefixtures("english")  # checks the words as raised
async def test_a_key_that_is_not_a_uuid_is_refused_with_what_is_expected(
    client: Any, world: Any, token_for: Any
) -> None:
    before = await counts()
    for malformed in ("retry-1", "", "0b6f4f0e-2f36-4a53-9d4b-3d1c5b2a7e9"):
        headers = await keyed(token_for, "vac1", malformed)
        refused = await client.post("/api/subjects", json=child(world), headers=headers)
        assert refused.status_code == 400, malformed
        error = refused.json()["error"]
        assert error["code"] == "invalid_idempotency_key" and error["details"] == {"header": HEADER}
        assert "must be a UUID such as" in error["message"]
    assert await counts() == before


async def test_two_resubmissions_racing_each_other_make_one_subject(client: Any, world: Any, token_for: Any) -> None:
    headers = await keyed(token_for, "vac1", str(uuid.uuid4()))
    subjects_before = await Subject.count()
    one, two = await asyncio.gather(
        client.post("/api/subjects", json=child(world), headers=headers),
        client.post("/api/subjects", json=child(world), headers=headers),
    )
    assert (one.status_code, one.json()) == (two.status_code, two.json())
    assert one.status_code == 201
    assert {one.headers.get("idempotent-replayed"), two.headers.get("idempotent-replayed")} == {None, "true"}
    assert await Subject.count() == subjects_before + 1


async def test_a_refused_write_leaves_the_key_free_for_the_corrected_request(
    client: Any, world: Any, token_for: Any
) -> None:
    headers = await keyed(token_for, "vac1", str(uuid.uuid4()))
    refused = await client.post("/api/subjects", json=child(world, birth_date="2099-01-01"), headers=headers)
    assert refused.status_code == 422 and refused.json()["error"]["details"]["field"] == "birth_date"
    assert await IdempotencyKey.count() == 0
    corrected = await client.post("/api/subjects", json=child(world), headers=headers)
    assert corrected.status_code == 201, corrected.text
    assert "idempotent-replayed" not in corrected.headers


async def test_what_a_refusal_commits_on_purpose_stays_committed_with_a_key(
    client: Any, world: Any, token_for: Any
) -> None:
    """A wrong one-time code is counted before it is refused; a key must not undo the
    count (or a parent could guess without limit by sending keys)."""
    parent = await token_for("parent1")
    await request_code(client, parent, S1B_MOTHER)
    code = await sent_code("+84987654321")
    for left in (4, 3):
        refused = await verify(client, {**parent, HEADER: str(uuid.uuid4())}, S1B_MOTHER, wrong(code))
        assert refused.json()["error"]["details"]["tries_left"] == left


async def test_a_replay_still_needs_the_routes_own_checks(client: Any, world: Any, token_for: Any) -> None:
    signed = (await client.post("/api/auth/login", json={"username": "vac1", "password": PASSWORD})).json()
    key = {HEADER: str(uuid.uuid4())}
    first = await client.post("/api/subjects", json=child(world), headers={**key, "X-CSRF-Token": signed["csrf_token"]})
    assert first.status_code == 201
    forged = await client.post("/api/subjects", json=child(world), headers=key)  # the cookie alone, no CSRF token
    assert forged.status_code == 403 and forged.json()["error"]["details"] == {"reason": "csrf"}


async def test_signing_in_ignores_the_header_and_keeps_no_key(client: Any, world: Any) -> None:
    headers = {HEADER: str(uuid.uuid4())}
    body = {"username": "vac1", "password": PASSWORD}
    first = await client.post("/api/auth/login", json=body, headers=headers)
    again = await client.post("/api/auth/login", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["token"] != again.json()["token"]  # a session token is never stored to replay
    assert await IdempotencyKey.count() == 0


async def test_every_signed_in_write_operation_documents_the_header(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/docs/openapi.json")).json()
    parameter = schema["components"]["parameters"][HEADER]
    assert parameter["in"] == "header" and parameter["schema"]["format"] == "uuid"
    without = set()
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch", "delete"):
            if method in item:
                refs = [p.get("$ref") for p in item[method].get("parameters", [])]
                if f"#/components/parameters/{HEADER}" not in refs:
                    without.add(f"{method.upper()} {path}")
    assert without == {"POST /api/auth/login"}  # anonymous: keys are kept per account


async def test_keys_are_kept_thirty_days_then_pruned(client: Any, world: Any, token_for: Any) -> None:
    headers = await keyed(token_for, "vac1", str(uuid.uuid4()))
    first = await client.post("/api/subjects", json=child(world), headers=headers)
    now = datetime.now(UTC)
    assert await idempotency.prune(now=now + timedelta(days=29, hours=23)) == 0
    assert (await client.post("/api/subjects", json=child(world), headers=headers)).json() == first.json()
    assert await idempotency.prune(now=now + timedelta(days=30, minutes=1)) == 1
    assert await IdempotencyKey.count() == 0

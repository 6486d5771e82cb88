"""Parents link their account to children: by a code sent to the guardian's phone, or by
the child's card and birth date; then they see those children and no others."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.accounts.linking import services as linking
from api.accounts.users import services as users
from api.auth.roles import Role
from api.auth.sessions import create_session
from api.context import Actor
from api.registry.cards import services as card
from db.tables import AuditEvent, OneTimeCode, Outbox, Subject
from tests.world import PASSWORD

S1B_MOTHER = "0987654321"  # the mother of S1b (in the world), not linked to parent1
UNKNOWN_PHONE = "0977000999"  # nobody's phone


async def request_code(client: Any, headers: dict[str, str], phone: str) -> Any:
    return await client.post("/api/me/links/phone", json={"phone": phone}, headers=headers)


async def verify(client: Any, headers: dict[str, str], phone: str, code: str) -> Any:
    return await client.post("/api/me/links/phone/verify", json={"phone": phone, "code": code}, headers=headers)


async def sent_code(phone_e164: str) -> str:
    """The code in the newest SMS queued for the phone (the outbox body holds it)."""
    row = (
        await Outbox.select(Outbox.body, Outbox.template, Outbox.channel)
        .where(Outbox.recipient == phone_e164)
        .order_by(Outbox.id, ascending=False)
        .first()
    )
    assert row is not None and row["channel"] == "sms" and row["template"] == linking.SMS_TEMPLATE
    found = re.search(r"\b(\d{6})\b", row["body"])
    assert found, row["body"]
    return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def actions(action: str) -> list[dict[str, Any]]:
    return list(await AuditEvent.select().where(AuditEvent.action == action))


async def card_text(app: Any, subject_id: int) -> str:
    row = await Subject.select(Subject.code).where(Subject.id == subject_id).first()
    assert row is not None
    return card.qr_text(app.state.settings.secret_key, row["code"])


async def test_linking_by_phone_links_the_guardians_children(
    client: Any, world: Any, token_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    headers = await token_for("parent1")
    assert (await client.get(f"/api/subjects/{world.subjects['S1b']}", headers=headers)).status_code == 404
    with caplog.at_level(logging.INFO, logger="niis.push"):
        response = await request_code(client, headers, S1B_MOTHER)
    assert response.status_code == 202, response.text
    code = await sent_code("+84987654321")
    assert code in caplog.text  # the embedded set-up logs the SMS (no gateway yet)
    queued = await Outbox.select(Outbox.reference).where(Outbox.recipient == "+84987654321").first()
    assert queued == {"reference": f"account:{world.users['parent1']}"}  # for the account that asked
    stored = await OneTimeCode.select().where(OneTimeCode.phone == "+84987654321").first()
    assert stored is not None and code not in stored["code_hash"] and len(stored["code_hash"]) == 64
    linked = await verify(client, headers, "0987 654 321", code)
    assert linked.status_code == 200, linked.text
    assert {s["id"] for s in linked.json()} == {world.subjects["S1"], world.subjects["S1b"]}
    child = await client.get(f"/api/subjects/{world.subjects['S1b']}", headers=headers)
    assert child.status_code == 200 and child.json()["full_name"] == "Lê Thị Hồng"
    mine = (await client.get("/api/me/subjects", headers=headers)).json()
    assert [(s["id"], s["method"]) for s in mine] == [(world.subjects["S1"], "phone"), (world.subjects["S1b"], "phone")]
    created = await actions("parent_link.create")
    assert [(e["entity_id"], e["actor_name"]) for e in created] == [(str(world.subjects["S1b"]), "parent1")]
    assert created[0]["place"] == world.places["C1b"]  # the commune's officers see it in their log
    assert len(await actions("parent_link.code_requested")) == 1
    # A used code does not work twice.
    again = await verify(client, headers, S1B_MOTHER, code)
    assert again.status_code == 422 and again.json()["error"]["details"]["reason"] == "expired"


async def test_an_unknown_phone_gets_the_same_answer_and_no_sms(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    known = await request_code(client, headers, S1B_MOTHER)
    unknown = await request_code(client, headers, UNKNOWN_PHONE)
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json()) == (202, known.json())
    assert not await Outbox.exists().where(Outbox.recipient == "+84977000999")
    # Trying a code behaves as for a known phone: wrong, with tries left.
    refused = await verify(client, headers, UNKNOWN_PHONE, "123456")
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {"field": "code", "reason": "wrong_code", "tries_left": 4}


async def test_a_wrong_code_counts_and_five_wrong_end_the_code(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    await request_code(client, headers, S1B_MOTHER)
    code = await sent_code("+84987654321")
    for left in (4, 3, 2, 1, 0):
        refused = await verify(client, headers, S1B_MOTHER, wrong(code))
        assert refused.status_code == 422
        details = refused.json()["error"]["details"]
        assert details["field"] == "code" and details["tries_left"] == left
    assert details["reason"] == "too_many_tries"
    # Even the right code is refused now, and nothing was linked.
    late = await verify(client, headers, S1B_MOTHER, code)
    assert late.status_code == 422 and late.json()["error"]["details"]["reason"] == "too_many_tries"
    assert (await client.get(f"/api/subjects/{world.subjects['S1b']}", headers=headers)).status_code == 404
    assert len(await actions("parent_link.code_wrong")) == 5


async def test_an_expired_code_is_refused(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    await request_code(client, headers, S1B_MOTHER)
    code = await sent_code("+84987654321")
    await OneTimeCode.update({OneTimeCode.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        OneTimeCode.phone == "+84987654321"
    )
    refused = await verify(client, headers, S1B_MOTHER, code)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {"field": "code", "reason": "expired"}
    assert (await client.get(f"/api/subjects/{world.subjects['S1b']}", headers=headers)).status_code == 404


async def test_a_new_code_replaces_the_previous_one(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    await request_code(client, headers, S1B_MOTHER)
    first = await sent_code("+84987654321")
    await request_code(client, headers, S1B_MOTHER)
    second = await sent_code("+84987654321")
    if first != second:
        assert (await verify(client, headers, S1B_MOTHER, first)).status_code == 422
    assert (await verify(client, headers, S1B_MOTHER, second)).status_code == 200


async def test_linking_by_card_needs_the_birth_date(client: Any, app: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    text = await card_text(app, world.subjects["S1b"])
    mismatch = await client.post("/api/me/links/card", json={"card": text, "birth_date": "2024-11-03"}, headers=headers)
    assert mismatch.status_code == 422 and mismatch.json()["error"]["details"]["field"] == "birth_date"
    linked = await client.post("/api/me/links/card", json={"card": text, "birth_date": "2024-11-02"}, headers=headers)
    assert linked.status_code == 200, linked.text
    assert linked.json()["id"] == world.subjects["S1b"] and linked.json()["method"] == "card"
    assert (await client.get(f"/api/subjects/{world.subjects['S1b']}", headers=headers)).status_code == 200
    # Linking twice changes nothing.
    again = await client.post("/api/me/links/card", json={"card": text, "birth_date": "2024-11-02"}, headers=headers)
    assert again.status_code == 200
    assert len(await actions("parent_link.create")) == 1


@pytest.mark.parametrize(
    "forgery",
    ["signature", "code", "format"],
)
async def test_a_forged_card_does_not_link(client: Any, app: Any, world: Any, token_for: Any, forgery: str) -> None:
    prefix, code, signature = (await card_text(app, world.subjects["S1b"])).split("|")
    other = await card_text(app, world.subjects["S2"])
    text = {
        "signature": f"{prefix}|{code}|{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
        "code": f"{prefix}|{other.split('|')[1]}|{signature}",
        "format": f"{prefix}|{code}",
    }[forgery]
    response = await client.post(
        "/api/me/links/card", json={"card": text, "birth_date": "2024-11-02"}, headers=await token_for("parent1")
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == "card"
    assert not await actions("parent_link.create")


async def test_a_parent_sees_only_linked_children(client: Any, app: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    await client.post(
        "/api/me/links/card",
        json={"card": await card_text(app, world.subjects["S1b"]), "birth_date": "2024-11-02"},
        headers=headers,
    )
    mine = {s["id"] for s in (await client.get("/api/me/subjects", headers=headers)).json()}
    assert mine == {world.subjects["S1"], world.subjects["S1b"]}
    for key in ("S2", "W1"):
        assert (await client.get(f"/api/subjects/{world.subjects[key]}", headers=headers)).status_code == 404
        assert (await client.get(f"/api/subjects/{world.subjects[key]}/card", headers=headers)).status_code == 404
    found = (await client.get("/api/subjects", params={"q": "Võ Minh Khoa"}, headers=headers)).json()
    assert found["items"] == []


async def test_linking_attempts_are_limited_per_account(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    for _ in range(linking.PER_ACCOUNT.attempts):
        assert (await verify(client, headers, UNKNOWN_PHONE, "000000")).status_code == 422
    limited = await verify(client, headers, UNKNOWN_PHONE, "000000")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json()["error"]["code"] == "too_many_requests"
    card_try = await client.post(
        "/api/me/links/card", json={"card": "NIIS1|X|Y", "birth_date": "2024-11-02"}, headers=headers
    )
    assert card_try.status_code == 429


async def test_codes_sent_to_a_phone_are_limited(client: Any, world: Any, token_for: Any) -> None:
    headers = await token_for("parent1")
    for _ in range(linking.SMS_PER_PHONE.attempts):
        assert (await request_code(client, headers, S1B_MOTHER)).status_code == 202
    limited = await request_code(client, headers, "+84 987 654 321")  # the same phone, written otherwise
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    # Another phone is still fine for this account (its own limit is not reached).
    assert (await request_code(client, headers, UNKNOWN_PHONE)).status_code == 202


async def test_codes_tried_for_a_phone_are_limited_across_accounts(client: Any, world: Any, token_for: Any) -> None:
    other = await users.create(
        Actor.system("test"), username="parent2", full_name="Parent2", password=PASSWORD, role=Role.PARENT
    )
    token, _, _ = await create_session(other["id"], hours=1, client_address=None, user_agent=None)
    parent2 = {"Authorization": f"Bearer {token}"}
    for headers in [await token_for("parent1")] * 5 + [parent2] * 5:
        assert (await verify(client, headers, UNKNOWN_PHONE, "000000")).status_code == 422
    limited = await verify(client, parent2, UNKNOWN_PHONE, "000000")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


ROUTES = [
    ("POST", "/api/me/links/phone", {"phone": S1B_MOTHER}),
    ("POST", "/api/me/links/phone/verify", {"phone": S1B_MOTHER, "code": "123456"}),
    ("POST", "/api/me/links/card", {"card": "NIIS1|X|Y", "birth_date": "2024-11-02"}),
    ("GET", "/api/me/subjects", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("user", ["admin", "prov1", "com1", "vac1", "clerk1", None])
async def test_linking_is_for_parents_only(
    client: Any, world: Any, token_for: Any, method: str, path: str, body: Any, user: str | None
) -> None:
    headers = await token_for(user) if user else {}
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == (403 if user else 401), response.text
    assert set(response.json()["error"]) >= {"code", "message", "details"}


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/api/me/links/phone", {"phone": "12"}, 422, "phone"),
        ("/api/me/links/phone", {}, 400, "phone"),
        ("/api/me/links/phone", {"phone": S1B_MOTHER, "name": "x"}, 400, "name"),
        ("/api/me/links/phone/verify", {"phone": S1B_MOTHER, "code": "12ab56"}, 400, "code"),
        ("/api/me/links/phone/verify", {"phone": S1B_MOTHER, "code": "1234567"}, 400, "code"),
        ("/api/me/links/phone/verify", {"phone": "abc", "code": "123456"}, 422, "phone"),
        ("/api/me/links/card", {"card": "NIIS1|X|Y"}, 400, "birth_date"),
        ("/api/me/links/card", {"card": "NIIS1|X|Y", "birth_date": "2024-13-01"}, 400, "birth_date"),
        ("/api/me/links/card", {"card": "hello", "birth_date": "2024-11-02"}, 422, "card"),
        ("/api/me/links/card", {"card": "", "birth_date": "2024-11-02"}, 400, "card"),
    ],
)
async def test_bad_input_names_the_field(
    client: Any, world: Any, token_for: Any, path: str, body: Any, status: int, field: str
) -> None:
    response = await client.post(path, json=body, headers=await token_for("parent1"))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert field in error["message"] or (error["details"] or {}).get("field") == field

"""Signing in and out: cookie sessions with CSRF for the app, bearer tokens for API
clients, and password change (sign-in limits: test_signin_limits.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.world import PASSWORD


async def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_login_sets_an_httponly_samesite_cookie_and_returns_a_bearer_token(client: Any) -> None:
    response = await login(client, "com1")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "niis_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http in development; production sets it
    body = response.json()
    assert body["user"]["username"] == "com1" and body["user"]["role"] == "commune_officer"
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["username"] == "com1"


async def test_wrong_password_and_unknown_user_get_the_same_answer(client: Any) -> None:
    wrong = await login(client, "com1", "not the password")
    unknown = await login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


async def test_cookie_writes_need_the_csrf_token(client: Any, world: Any) -> None:
    signed = (await login(client, "prov1")).json()
    body = {"name": "Trạm Y tế Ba Đình mới"}
    path = f"/api/facilities/{world.facilities['F1']}"
    refused = await client.patch(path, json=body)
    assert refused.status_code == 403 and refused.json()["error"]["details"] == {"reason": "csrf"}
    wrong = await client.patch(path, json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    accepted = await client.patch(path, json=body, headers={"X-CSRF-Token": signed["csrf_token"]})
    assert accepted.status_code == 200 and accepted.json()["name"] == body["name"]
    # Reads need no token, and the app can fetch it again after a reload.
    me = await client.get("/api/auth/me")
    assert me.json()["csrf_token"] == signed["csrf_token"]


async def test_logout_ends_the_session(client: Any) -> None:
    signed = (await login(client, "com1")).json()
    out = await client.post("/api/auth/logout", headers={"X-CSRF-Token": signed["csrf_token"]})
    assert out.status_code == 200
    assert (await client.get("/api/auth/me")).status_code == 401
    bearer = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {signed['token']}"})
    assert bearer.status_code == 401


async def test_password_change_ends_other_sessions_and_the_new_password_works(client: Any) -> None:
    first = (await login(client, "vac1")).json()
    second = (await login(client, "vac1")).json()
    headers = {"Authorization": f"Bearer {second['token']}"}
    weak = await client.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=headers
    )
    assert weak.status_code == 422 and weak.json()["error"]["details"]["field"] == "new_password"
    bad = await client.post(
        "/api/auth/password", json={"current_password": "nope", "new_password": "a new long one 42"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "current_password"
    ok = await client.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "a new long one 42"}, headers=headers
    )
    assert ok.status_code == 200
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    old = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {first['token']}"})
    assert old.status_code == 401
    assert (await login(client, "vac1")).status_code == 401
    assert (await login(client, "vac1", "a new long one 42")).status_code == 200


async def test_disabled_account_cannot_sign_in_and_loses_its_sessions(client: Any, world: Any, token_for: Any) -> None:
    session = (await login(client, "vac1")).json()
    disabled = await client.patch(
        f"/api/users/{world.users['vac1']}", json={"active": False}, headers=await token_for("com1")
    )
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert (
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {session['token']}"})
    ).status_code == 401
    assert (await login(client, "vac1")).status_code == 401


async def change_password(client: Any, headers: dict[str, str], current: str, new: str = "a new long one 42") -> Any:
    return await client.post(
        "/api/auth/password", json={"current_password": current, "new_password": new}, headers=headers
    )


async def test_wrong_current_passwords_are_limited_like_sign_in(client: Any, counter: Any, token_for: Any) -> None:
    """A stolen session gets no more guesses of the password than a stranger at the login."""
    headers = await token_for("vac1")
    for _ in range(5):
        wrong = await change_password(client, headers, "a guess at it")
        assert wrong.status_code == 422 and wrong.json()["error"]["details"]["field"] == "current_password"
    limited = await change_password(client, headers, PASSWORD)
    assert limited.status_code == 429
    retry_after = int(limited.headers["Retry-After"])
    assert 0 < retry_after <= 900 and limited.json()["error"]["details"]["retry_after"] == retry_after
    assert "hãy thử lại sau" in limited.json()["error"]["message"]  # vac1 reads Vietnamese
    # One budget per account: the guesses made through the session count at the login too.
    assert (await login(client, "vac1")).status_code == 429
    assert (await change_password(client, await token_for("com1"), PASSWORD)).status_code == 200


async def test_a_successful_change_clears_the_wrong_guesses(client: Any, counter: Any, token_for: Any) -> None:
    headers = await token_for("vac1")
    for _ in range(4):
        assert (await change_password(client, headers, "a guess at it")).status_code == 422
    assert (await change_password(client, headers, PASSWORD)).status_code == 200
    for _ in range(4):
        assert (await change_password(client, headers, "a guess at it")).status_code == 422
    assert (await change_password(client, headers, "a new long one 42", "another long one 43")).status_code == 200


@pytest.mark.usefixtures("english")  # checks the words as raised
@pytest.mark.parametrize("common", ["password1234", "qwertyuiop123", "iloveyou2024", "tiemchung123"])
async def test_a_common_or_guessable_new_password_is_refused_in_plain_words(
    client: Any, token_for: Any, common: str
) -> None:
    refused = await change_password(client, await token_for("vac1"), PASSWORD, common)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["details"]["field"] == "new_password"
    assert error["message"].startswith("This password is too easy to guess")
    assert (await login(client, "vac1")).status_code == 200  # the old password still works

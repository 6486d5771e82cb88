"""HTTP hardening as a careless client or an attacker meets it: JSON only, no bodies
nested a thousand deep, no control or bidi characters in text, no cached personal data,
security headers on every answer. The walks go over every write route of the OpenAPI
schema, so a route added later is covered without a new test."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from tests.api.test_bad_input import assert_error_shape
from tests.world import PASSWORD

# Who tries a route: the first of these whose role may call it at all.
CALLERS = ("admin", "vac1", "clerk1", "parent1")


def json_write_routes(app: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path with ids filled in, request body schema) of every route taking JSON."""
    schema = app.openapi_schema.to_schema()
    components = schema["components"]["schemas"]
    for path, item in sorted(schema["paths"].items()):
        for method, operation in sorted(item.items()):
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body_schema = content["application/json"]["schema"]
            refs = [body_schema, *body_schema.get("oneOf", [])]
            ref = next(r["$ref"] for r in refs if "$ref" in r)
            yield method.upper(), re.sub(r"\{[a-z_]+\}", "1", path), components[ref.rsplit("/", 1)[-1]]


def text_fields(body_schema: dict[str, Any]) -> list[str]:
    fields = []
    for name, prop in body_schema.get("properties", {}).items():
        kinds = [prop, *prop.get("oneOf", [])]
        if any(kind.get("type") == "string" for kind in kinds):
            fields.append(name)
    return fields


@pytest.fixture
async def call(client: httpx.AsyncClient, token_for: Any) -> Any:
    """Send a request as the first caller the route lets in (the checks run after the
    guards, as a signed-out attacker meets them only on the routes open to everyone)."""
    tokens: dict[str, dict[str, str]] = {}

    async def send(method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        for username in CALLERS:
            tokens.setdefault(username, await token_for(username))
            response = await client.request(method, path, headers={**(headers or {}), **tokens[username]}, **kwargs)
            if response.status_code not in (401, 403):
                break
        return response

    return send


async def test_routes_the_walk_covers(app: Any) -> None:
    covered = {(method, path) for method, path, _ in json_write_routes(app)}
    # The routes the findings name are among them; a walk over nothing would pass too.
    assert {("POST", "/api/auth/login"), ("POST", "/api/auth/password"), ("POST", "/api/subjects")} <= covered
    assert {("PATCH", "/api/subjects/1"), ("POST", "/api/users"), ("POST", "/api/places")} <= covered
    assert len(covered) >= 20


DEEP = b"[" * 1000 + b"]" * 1000  # 2 kB


@pytest.mark.usefixtures("english")  # checks the words as raised
async def test_deeply_nested_json_is_400_on_every_json_route_and_logs_no_traceback(
    app: Any, call: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        for method, path, _ in json_write_routes(app):
            response = await call(method, path, content=DEEP, headers={"content-type": "application/json"})
            error = assert_error_shape(response, 400, "invalid_json")
            assert "nests deeper than 20 levels" in error["message"], (method, path)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_anonymous_login_refuses_deep_json(client: httpx.AsyncClient) -> None:
    nested: Any = "x"
    for _ in range(25):
        nested = {"a": [nested]}
    body = json.dumps({"username": "admin", "password": nested}).encode()
    response = await client.post("/api/auth/login", content=body, headers={"content-type": "application/json"})
    assert_error_shape(response, 400, "invalid_json")


async def test_brackets_inside_text_are_not_nesting(client: httpx.AsyncClient) -> None:
    """A password full of brackets is just a (wrong) password, not a deep body."""
    response = await client.post("/api/auth/login", json={"username": "vac1", "password": "[{" * 40 + '\\"'})
    assert_error_shape(response, 401, "not_authenticated")


REFUSED = ["\x00", "\x1b[31m", "\r\n", "\u202e", "\u202a", "\u2066", "\u2069", "\x85", "\t"]


async def test_every_text_field_of_every_json_route_refuses_control_and_bidi_characters(app: Any, call: Any) -> None:
    walked = 0
    for method, path, body_schema in json_write_routes(app):
        for index, field in enumerate(text_fields(body_schema)):
            bad = REFUSED[(walked + index) % len(REFUSED)]
            response = await call(method, path, json={field: f"Nguyễn{bad}Văn"})
            error = assert_error_shape(response, 422, "invalid")
            assert error["details"]["field"] == field, (method, path, error)
            assert f"U+{ord(bad[0]):04X}" in error["message"]
        walked += 1
    assert walked >= 20


@pytest.mark.parametrize(
    ("where", "bad"),
    [
        ("full_name", "Phạm\x00 Minh Châu"),
        ("full_name", "\u202euâhC hniM mạhP"),
        ("address_detail", "Số 3\r\nngõ 7"),
        ("guardians[0].full_name", "Phạm Thị \x1b[2JNga"),
    ],
    ids=["nul", "right-to-left-override", "crlf", "escape-in-a-guardian"],
)
async def test_registration_refuses_bad_text_and_creates_nothing(
    client: httpx.AsyncClient, world: Any, token_for: Any, where: str, bad: str
) -> None:
    from tests.api.test_registry import child

    body = child(world)
    if where.startswith("guardians"):
        body["guardians"][0]["full_name"] = bad
    else:
        body[where] = bad
    headers = await token_for("vac1")
    before = (await client.get("/api/subjects", params={"q": "Phạm"}, headers=headers)).json()["items"]
    error = assert_error_shape(await client.post("/api/subjects", json=body, headers=headers), 422, "invalid")
    assert error["details"]["field"] == where
    after = (await client.get("/api/subjects", params={"q": "Phạm"}, headers=headers)).json()["items"]
    assert after == before


async def test_correction_login_user_creation_and_places_refuse_bad_text(
    client: httpx.AsyncClient, world: Any, token_for: Any
) -> None:
    com1 = await token_for("com1")
    subject = (await client.get(f"/api/subjects/{world.subjects['S1']}", headers=com1)).json()
    corrected = await client.patch(
        f"/api/subjects/{subject['id']}", json={"version": subject["version"], "full_name": "An\u202e"}, headers=com1
    )
    assert assert_error_shape(corrected, 422)["details"]["field"] == "full_name"
    login = await client.post("/api/auth/login", json={"username": "vac1\x00", "password": PASSWORD})
    assert assert_error_shape(login, 422)["details"]["field"] == "username"
    user = {"username": "new.user", "full_name": "Người\nMới", "password": "a long password 1", "role": "vaccinator"}
    created = await client.post("/api/users", json={**user, "scope_facility_id": world.facilities["F1"]}, headers=com1)
    assert assert_error_shape(created, 422)["details"]["field"] == "full_name"
    renamed = await client.post(
        f"/api/places/{world.places['C1']}/rename",
        json={"name": "Phường\u2066 Ba Đình", "effective_date": "2026-06-01"},
        headers=await token_for("prov1"),
    )
    assert assert_error_shape(renamed, 422)["details"]["field"] == "name"
    unchanged = (await client.get(f"/api/subjects/{subject['id']}", headers=com1)).json()
    assert unchanged["full_name"] == subject["full_name"] and unchanged["version"] == subject["version"]


async def test_query_strings_follow_the_text_rule(client: httpx.AsyncClient, token_for: Any) -> None:
    response = await client.get("/api/subjects", params={"q": "An\x00"}, headers=await token_for("vac1"))
    assert assert_error_shape(response, 422)["details"]["field"] == "q"


async def test_ordinary_vietnamese_text_passes(client: httpx.AsyncClient, token_for: Any) -> None:
    """Diacritics, typographic quotes and dashes, escaped quotes and backslashes are text."""
    response = await client.get("/api/subjects", params={"q": 'Đỗ Thị “Lan” – \\ "x"'}, headers=await token_for("vac1"))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
async def test_login_accepts_json_only(client: httpx.AsyncClient, content_type: str | None) -> None:
    """A cross-site form can post text/plain or form fields without asking the browser:
    refusing them stops a login CSRF (signing a victim into the attacker's account)."""
    body = json.dumps({"username": "vac1", "password": PASSWORD}).encode()
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/api/auth/login", content=body, headers=headers)
    error = assert_error_shape(response, 415, "unsupported_media_type")
    assert "application/json" in error["message"]
    assert "set-cookie" not in response.headers


async def test_json_with_a_charset_is_json(client: httpx.AsyncClient) -> None:
    body = json.dumps({"username": "vac1", "password": PASSWORD}).encode()
    response = await client.post(
        "/api/auth/login", content=body, headers={"content-type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 200, response.text


async def test_every_json_route_refuses_text_plain(app: Any, call: Any) -> None:
    for method, path, _ in json_write_routes(app):
        response = await call(method, path, content=b"{}", headers={"content-type": "text/plain"})
        assert_error_shape(response, 415, "unsupported_media_type")


async def test_a_route_with_an_optional_body_still_takes_none(client: httpx.AsyncClient, token_for: Any) -> None:
    response = await client.post("/api/duplicates/run", headers=await token_for("admin"))
    assert response.status_code == 200, response.text


def assert_security_headers(response: httpx.Response) -> str:
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers  # not in development
    return policy


async def test_security_headers_on_the_pwa_and_the_api(client: httpx.AsyncClient, world: Any, token_for: Any) -> None:
    for path in ("/", "/js/app.js", "/card.css"):
        page = await client.get(path)
        assert page.status_code == 200
        assert_security_headers(page)
        assert page.headers.get("cache-control") != "no-store"  # the shell may be cached
    headers = await token_for("vac1")
    for path in ("/api/auth/me", f"/api/subjects/{world.subjects['S1']}", "/api/no-such-thing"):
        response = await client.get(path, headers=headers)
        assert_security_headers(response)
        assert response.headers["cache-control"] == "no-store", path
    failed = await client.post("/api/auth/login", json={"username": "vac1", "password": "wrong password"})
    assert failed.status_code == 401 and failed.headers["cache-control"] == "no-store"
    assert_security_headers(failed)


async def test_the_card_page_has_the_strict_policy_and_no_inline_style_or_script(
    client: httpx.AsyncClient, world: Any, token_for: Any
) -> None:
    card = await client.get(f"/api/subjects/{world.subjects['S1']}/card", headers=await token_for("vac1"))
    assert card.status_code == 200
    assert_security_headers(card)
    assert card.headers["cache-control"] == "no-store"
    page = card.text
    assert "<style" not in page and " style=" not in page and " onclick=" not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/js/card.js" defer>']
    assert '<link rel="stylesheet" href="/card.css">' in page


async def test_the_schema_is_cacheable_and_its_viewer_may_use_its_cdn(client: httpx.AsyncClient) -> None:
    schema = await client.get("/api/docs/openapi.json")
    assert schema.status_code == 200 and schema.headers.get("cache-control") != "no-store"
    viewer = await client.get("/api/docs")
    assert "https://cdn.jsdelivr.net" in viewer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in viewer.headers["content-security-policy"]


async def test_hsts_in_production_only(tmp_path: Any) -> None:
    for production, expected in ((True, True), (False, False)):
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'hsts.sqlite3'}",
            secret_key="t" * 40,
            var_dir=tmp_path,
            production=production,
        )
        app = create_app(settings, configure_logs=False)
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="https://niis.example") as client:
                response = await client.get("/api/no-such-thing")
        finally:
            app.state.decode_pool.close()
        assert response.status_code == 404
        assert ("strict-transport-security" in response.headers) is expected
        if expected:
            assert response.headers["strict-transport-security"].startswith("max-age=31536000")

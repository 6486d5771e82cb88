"""The app as a user runs it: `niis demo`, `niis serve` in a real process (lifespan,
engine pool, Redis), then a demo user signs in over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ENGINES
from tests.served import REDIS_URL, call, demo_environment, served_app

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_demo_user_signs_in_on_the_served_app(engine: str, tmp_path: Path) -> None:
    with served_app(await demo_environment(engine, tmp_path), tmp_path) as base:
        status, ready = call(f"{base}/ready")
        assert status == 200 and ready["checks"]["database"] == "ok"
        if REDIS_URL:
            assert ready["checks"]["redis"] == "ok"
        status, page = call(f"{base}/")
        assert status == 200 and "<html" in page.lower()
        status, signed = call(
            f"{base}/api/auth/login", {"username": "tinh.tuyenquang", "password": "niis-demo-province"}
        )
        assert status == 200
        headers = {"Authorization": f"Bearer {signed['token']}"}
        status, places = call(f"{base}/api/places", headers=headers)
        assert status == 200
        assert {"Tỉnh Tuyên Quang", "Phường Minh Xuân"} <= {p["name"] for p in places}
        status, facilities = call(f"{base}/api/facilities", headers=headers)
        assert status == 200 and len(facilities) >= 6
        status, parent = call(f"{base}/api/auth/login", {"username": "phuhuynh", "password": "niis-demo-parent"})
        status, children = call(f"{base}/api/me/subjects", headers={"Authorization": f"Bearer {parent['token']}"})
        assert status == 200 and len(children) == 2
        status, schema = call(f"{base}/api/docs/openapi.json")
        assert status == 200 and "/api/places" in schema["paths"]

"""Redis stopped under a running niis: sign-in, registration and search keep working, and
the shared sign-in limits come back when Redis does, without restarting niis.

The served app gets a Redis of its own (a real ``redis-server`` this test starts, stops
and starts again on the same port), so stopping it disturbs no other test.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from redis.exceptions import RedisError

from tests.served import call, demo_environment, free_port, served_app

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="redis-server not installed: run `bash scripts/test`"
    ),
]


@contextmanager
def redis_server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = Redis(port=port, socket_connect_timeout=0.2)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except RedisError:
                time.sleep(0.05)
        else:
            pytest.fail(f"redis-server did not start on port {port}")
        yield process
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


def sign_in(base: str, username: str, password: str) -> tuple[int, Any]:
    return call(f"{base}/api/auth/login", {"username": username, "password": password})


def register_and_find(base: str, token: str, name: str, day: int) -> None:
    """Register a child (distinct per call, so no duplicate warning) and find it by code."""
    headers = {"Authorization": f"Bearer {token}"}
    status, places = call(f"{base}/api/places", headers=headers)
    assert status == 200, places
    commune = next(p for p in places if p["name"] == "Phường Minh Xuân")
    status, facilities = call(f"{base}/api/facilities", headers=headers)
    assert status == 200, facilities
    facility = next(f for f in facilities if f["place_id"] == commune["id"])
    child = {
        "full_name": name,
        "birth_date": f"2026-11-{day:02d}",
        "sex": "M",
        "place_id": commune["id"],
        "facility_id": facility["id"],
        "guardians": [{"full_name": "Hoàng Thị Mai", "relationship": "mother", "phone": f"0912 777 1{day:02d}"}],
    }
    status, created = call(f"{base}/api/subjects", child, headers=headers)
    assert status == 201, created
    status, found = call(f"{base}/api/subjects?q={created['code']}", headers=headers)
    assert status == 200, found
    assert [s["id"] for s in found["items"]] == [created["id"]]


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
async def test_niis_keeps_working_while_redis_is_down_and_shares_limits_again_when_it_returns(
    engine: str, tmp_path: Path
) -> None:
    if engine == "postgres":
        from tests.conftest import POSTGRES_URL

        if not POSTGRES_URL:
            pytest.skip("NIIS_TEST_POSTGRES_URL not set: run `bash scripts/test` to test on PostgreSQL")
    port = free_port()
    env = {**await demo_environment(engine, tmp_path), "NIIS_REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    with served_app(env, tmp_path) as base:
        with redis_server(port):
            status, signed = sign_in(base, "tiem.minhxuan", "niis-demo-vaccinator")
            assert status == 200
            register_and_find(base, signed["token"], "Trần Văn Một", 3)
            with Redis(port=port) as shared:
                assert sign_in(base, "xa.minhxuan", "wrong password")[0] == 401
                assert any(shared.scan_iter("niis:attempts:*")), "a failed sign-in is counted in Redis"
                shared.flushall()

        # Redis stopped under the running process.
        status, ready = call(f"{base}/ready")
        assert status == 503 and ready["checks"]["redis"].startswith("error")
        status, signed = sign_in(base, "tiem.minhxuan", "niis-demo-vaccinator")
        assert status == 200, signed
        register_and_find(base, signed["token"], "Lý Thị Hai", 11)
        # Limits still hold, per process: wrong passwords end in 429, never a 500.
        answers = [sign_in(base, "xa.minhxuan", "wrong password")[0] for _ in range(6)]
        assert set(answers) <= {401, 429} and answers[-1] == 429, answers

        # Redis back on the same address: the same process shares its counts again.
        with redis_server(port), Redis(port=port) as shared:
            assert call(f"{base}/ready")[0] == 200
            assert sign_in(base, "tinh.tuyenquang", "wrong password")[0] == 401
            assert any(shared.scan_iter("niis:attempts:*")), "counts go to Redis again without a restart"
            status, signed = sign_in(base, "tiem.minhxuan", "niis-demo-vaccinator")
            assert status == 200
            register_and_find(base, signed["token"], "Đỗ Minh Ba", 19)

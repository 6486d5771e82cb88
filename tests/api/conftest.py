from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from redis.asyncio import Redis

from api.auth.ratelimit import MemoryAttemptCounter, RedisAttemptCounter, ResilientAttemptCounter
from api.auth.sessions import create_session
from tests.api.test_stock import stock  # noqa: F401  (the stock world, shared with tests/api/test_records.py)
from tests.conftest import REDIS_URL, Database


@pytest.fixture(scope="session")
def created_apps() -> Iterator[dict[str, Litestar]]:
    """The app on each engine's database, made once a session (see `database`)."""
    made: dict[str, Litestar] = {}
    yield made
    for application in made.values():
        application.state.decode_pool.close()


@pytest.fixture(scope="session")
def app(database: Database, tmp_session_dir: Any, created_apps: dict[str, Litestar]) -> Litestar:
    from api.app import create_app
    from api.settings import Settings

    if database.kind not in created_apps:
        settings = Settings(database_url=database.url, secret_key="t" * 40, var_dir=tmp_session_dir)
        created_apps[database.kind] = create_app(settings, configure_logs=False)
    return created_apps[database.kind]


@pytest.fixture
async def client(app: Litestar, world: Any, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in the test's own event loop, on the test
    database's engine (the app's lifespan is exercised by the served-app tests)."""
    from db.engine import use

    use(database.engine)
    app.state.attempts = MemoryAttemptCounter()
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def token_for(world: Any) -> Any:
    """A bearer token for one of the world's users (no password hashing: fast)."""

    async def issue(username: str) -> dict[str, str]:
        token, _, _ = await create_session(world.users[username], hours=1, client_address=None, user_agent=None)
        return {"Authorization": f"Bearer {token}"}

    return issue


needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="NIIS_TEST_REDIS_URL not set: run `bash scripts/test` to test with Redis"
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["memory", "redis down", pytest.param("redis", marks=needs_redis)])
async def counter(request: pytest.FixtureRequest, app: Any, client: httpx.AsyncClient) -> AsyncIterator[Any]:
    """The app's attempt counts in each place they can live, as production wires them
    (after ``client``, which puts fresh memory counts in place)."""
    if request.param == "memory":
        app.state.attempts = MemoryAttemptCounter()
        yield app.state.attempts
        return
    if request.param == "redis down":
        # Redis configured but not answering: sign-in keeps working and limits hold per process.
        redis = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=1)
        prefix = "niis:attempts:"
    else:
        redis = Redis.from_url(REDIS_URL)  # type: ignore[arg-type]
        prefix = f"test:{uuid.uuid4().hex}:"
    app.state.attempts = ResilientAttemptCounter(RedisAttemptCounter(redis, prefix=prefix))
    yield app.state.attempts
    await redis.aclose()


@pytest.fixture
def client_at(app: Litestar, client: httpx.AsyncClient) -> Any:
    """``async with client_at("198.51.100.9") as c``: a client calling from another address
    (on ``client``'s world and database)."""

    def open_client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    return open_client


async def _all_in_english() -> None:
    from db.tables import Account

    await Account.update({Account.language: "en"}, force=True)


@pytest.fixture
async def english(world: Any) -> None:
    """Every account of the test's world reads English: for a test that checks the words
    of a refusal as the code raises them (an account reads Vietnamese unless it chose;
    tests/api/test_wording.py checks the wording)."""
    await _all_in_english()


@pytest.fixture
async def english_stock(stock: Any) -> None:  # noqa: F811  (``stock`` is the imported fixture)
    """``english``, the stock world's clerks included."""
    await _all_in_english()

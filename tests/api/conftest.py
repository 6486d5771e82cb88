from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api.auth.ratelimit import MemoryAttemptCounter
from api.auth.sessions import create_session
from tests.conftest import Database


@pytest.fixture(scope="session")
async def app(database: Database, tmp_session_dir: Any) -> AsyncIterator[Litestar]:
    from api.app import create_app
    from api.settings import Settings

    settings = Settings(database_url=database.url, secret_key="t" * 40, var_dir=tmp_session_dir)
    application = create_app(settings, configure_logs=False)
    yield application
    application.state.decode_pool.close()


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

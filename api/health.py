"""Liveness and readiness, for load balancers and monitoring."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from db.tables import Place


@get("/health", tags=["health"], include_in_schema=True)
async def health() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@get("/ready", tags=["health"])
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The database and, when configured, Redis answer: ready for traffic (else 503)."""
    checks: dict[str, str] = {}
    try:
        await Place.count()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; say which
        checks["database"] = f"error: {type(exc).__name__}"
    redis = request.app.state.redis
    if redis is not None:
        try:
            await redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return Response(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status_code=200 if healthy else 503
    )

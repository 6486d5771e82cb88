"""Fixed-window attempt counters: in Redis when configured, in memory otherwise."""

from __future__ import annotations

import logging
import math
import re
import time
from typing import Protocol, runtime_checkable

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("niis.ratelimit")


@runtime_checkable
class AttemptCounter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        """Count one attempt; return (attempts in the current window, seconds left in it)."""
        ...

    async def peek(self, key: str) -> tuple[int, int]:
        """(attempts in the current window, seconds left) without counting one."""
        ...

    async def reset(self, key: str) -> None: ...

    async def hold(self, key: str, seconds: int) -> None:
        """Set ``key`` to one attempt in a window ending ``seconds`` from now, whatever it held."""
        ...

    async def forget(self, prefix: str) -> int:
        """Drop every key starting with ``prefix``; return how many were live."""
        ...


class MemoryAttemptCounter:
    """For the single-process embedded set-up."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}

    def _current(self, key: str) -> tuple[int, float]:
        count, ends = self._windows.get(key, (0, 0.0))
        if ends <= time.monotonic():
            return 0, 0.0
        return count, ends

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        count, ends = self._current(key)
        if count == 0:
            ends = time.monotonic() + window_seconds
        self._windows[key] = (count + 1, ends)
        if len(self._windows) > 100_000:
            self._forget_expired()
        return count + 1, math.ceil(ends - time.monotonic())

    async def peek(self, key: str) -> tuple[int, int]:
        count, ends = self._current(key)
        return count, max(0, math.ceil(ends - time.monotonic()))

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def hold(self, key: str, seconds: int) -> None:
        self._windows[key] = (1, time.monotonic() + seconds)

    async def forget(self, prefix: str) -> int:
        live = [key for key in self._windows if key.startswith(prefix) and self._current(key)[0]]
        for key in [key for key in self._windows if key.startswith(prefix)]:
            del self._windows[key]
        return len(live)

    def _forget_expired(self) -> None:
        now = time.monotonic()
        self._windows = {k: v for k, v in self._windows.items() if v[1] > now}


class RedisAttemptCounter:
    """Shared by every app process, so limits hold behind a load balancer."""

    def __init__(self, redis: Redis, prefix: str = "niis:attempts:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            pipe.ttl(name)
            count, _, ttl = await pipe.execute()
        return int(count), max(1, int(ttl))

    async def peek(self, key: str) -> tuple[int, int]:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(name)
            pipe.ttl(name)
            count, ttl = await pipe.execute()
        return int(count or 0), max(0, int(ttl))

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def hold(self, key: str, seconds: int) -> None:
        await self._redis.set(self._prefix + key, 1, ex=seconds)

    async def forget(self, prefix: str) -> int:
        pattern = _GLOB_SPECIAL.sub(r"\\\g<0>", self._prefix + prefix) + "*"
        names = [name async for name in self._redis.scan_iter(match=pattern, count=1000)]
        return int(await self._redis.delete(*names)) if names else 0


_GLOB_SPECIAL = re.compile(r"[*?\[\]\\]")  # taken literally in a SCAN pattern once escaped


class ResilientAttemptCounter:
    """Redis's counts while Redis answers; this process's own counts while it does not.

    Limits must never turn a sign-in into a 500: when Redis is away the limits still hold,
    per process instead of shared (``/ready`` reports Redis as down meanwhile), and the
    shared counts take over again as soon as it answers.
    """

    def __init__(self, shared: RedisAttemptCounter, local: MemoryAttemptCounter | None = None) -> None:
        self._shared = shared
        self._local = local or MemoryAttemptCounter()
        self._warned_at = -math.inf

    def _fall_back(self, exc: Exception) -> MemoryAttemptCounter:
        now = time.monotonic()
        if now - self._warned_at > 60:  # once a minute, not once a request
            self._warned_at = now
            log.warning("Redis unavailable (%s): rate limits count per process until it answers", exc)
        return self._local

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        try:
            return await self._shared.hit(key, window_seconds)
        except (RedisError, OSError) as exc:
            return await self._fall_back(exc).hit(key, window_seconds)

    async def peek(self, key: str) -> tuple[int, int]:
        try:
            return await self._shared.peek(key)
        except (RedisError, OSError) as exc:
            return await self._fall_back(exc).peek(key)

    async def reset(self, key: str) -> None:
        await self._local.reset(key)
        try:
            await self._shared.reset(key)
        except (RedisError, OSError) as exc:
            self._fall_back(exc)

    async def hold(self, key: str, seconds: int) -> None:
        try:
            await self._shared.hold(key, seconds)
        except (RedisError, OSError) as exc:
            await self._fall_back(exc).hold(key, seconds)

    async def forget(self, prefix: str) -> int:
        forgotten = await self._local.forget(prefix)
        try:
            return forgotten + await self._shared.forget(prefix)
        except (RedisError, OSError) as exc:
            self._fall_back(exc)
            return forgotten

"""Decoding photos off the event loop, in a bounded pool of worker processes.

Barcode decoding is CPU work in C libraries that may hold the GIL; in threads it
would still steal time from the event loop. Worker processes keep the loop free, so
a burst of scans never delays other requests.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import scanning


def _decode_in_worker(image: bytes, max_pixels: int, time_budget: float) -> dict[str, Any]:
    # Runs in a worker process; returns plain data (exceptions are reported as data,
    # since not every exception type survives the trip back).
    try:
        result = scanning.decode(image, max_pixels=max_pixels, time_budget=time_budget)
    except scanning.ImageTooLargeError as exc:
        return {"error": "too_large", "message": str(exc)}
    except scanning.NotAnImageError as exc:
        return {"error": "not_an_image", "message": str(exc)}
    except scanning.CorruptImageError as exc:
        return {"error": "corrupt_image", "message": str(exc)}
    return {"result": scanning.result_to_dict(result)}


def _ready() -> bool:
    return True


def _lower_priority() -> None:
    """Workers yield the CPU to the app process, so API requests stay quick while
    photos decode (on a 2-core machine the workers would otherwise crowd it out)."""
    os.nice(10)


def _start_worker(setup: Sequence[Callable[[], None]]) -> None:
    _lower_priority()
    for step in setup:  # e.g. registering the subject card's parser with ``scanning``
        step()


class DecodePool:
    """At most ``workers`` photos decode at once; up to ``queue`` more wait their turn."""

    def __init__(self, workers: int, queue: int, *, worker_setup: Sequence[Callable[[], None]] = ()) -> None:
        """``worker_setup``: module-level functions each worker process runs once at start
        (parsers that domains register with :mod:`scanning`)."""
        self.workers = workers
        self._worker_setup = tuple(worker_setup)
        self._slots = asyncio.Semaphore(workers + queue)
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: never fork the running app (its event loop, pools and sockets).
            context = multiprocessing.get_context("forkserver")
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_start_worker, initargs=(self._worker_setup,)
            )
        return self._executor

    async def warm(self) -> None:
        """Start every worker now (interpreter, decoders, parsers), so the first photo of
        the day is read as fast as the next instead of waiting a second or more for it."""
        loop = asyncio.get_running_loop()
        # Submitted together, before any is idle: the executor starts one process each.
        await asyncio.gather(*(loop.run_in_executor(self._pool(), _ready) for _ in range(self.workers)))

    def busy(self) -> bool:
        return self._slots.locked()

    async def decode(self, image: bytes, *, max_pixels: int, time_budget: float) -> dict[str, Any]:
        async with self._slots:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool(), _decode_in_worker, image, max_pixels, time_budget)

    def close(self) -> None:
        if self._executor is not None:
            # Waiting for the workers to exit lets them release their queues' semaphores:
            # without it Python's resource tracker warns of leaked ones on stderr at exit.
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

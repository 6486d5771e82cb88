"""The photo decoders start with `niis serve`, not on the day's first photo: that photo
would otherwise wait for interpreters and decoders to load (seconds on a loaded tablet
server) while the vaccinator holds the child."""

from __future__ import annotations

import os

from api.scan.pool import DecodePool


async def test_warming_starts_every_worker_before_any_photo() -> None:
    pool = DecodePool(workers=2, queue=4)
    try:
        assert pool.worker_pids() == []  # nothing runs until asked
        await pool.warm()
        pids = pool.worker_pids()
        assert len(pids) == 2
        for pid in pids:
            os.kill(pid, 0)  # alive (raises if not)
    finally:
        pool.close()

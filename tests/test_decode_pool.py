"""The photo decoders start with `niis serve`, not on the day's first photo: that photo
would otherwise wait for interpreters and decoders to load (seconds on a loaded tablet
server) while the vaccinator holds the child."""

from __future__ import annotations

import multiprocessing

from api.scan.pool import DecodePool


async def test_warming_starts_every_worker_before_any_photo() -> None:
    # The processes this one started, as multiprocessing counts them (other tests' pools
    # in this process may have theirs).
    before = set(multiprocessing.active_children())
    pool = DecodePool(workers=2, queue=4)
    try:
        assert set(multiprocessing.active_children()) == before  # nothing runs until asked
        await pool.warm()
        workers = set(multiprocessing.active_children()) - before
        assert len(workers) == 2
        assert all(worker.is_alive() for worker in workers)
    finally:
        pool.close()
    assert not any(worker.is_alive() for worker in workers)  # closing waits for them to exit

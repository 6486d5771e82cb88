"""Does a burst of scans stall the server? Health-check latency while 20 photos are
decoded at once, beside the same health checks on an idle server (same run).

    .venv/bin/python bench/scan_load.py [--scans 20] [--photo hard|clean]

Starts `niis serve` on a temporary SQLite database with the demo data, signs in, then
fires the scans concurrently while pinging /health every 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanning.testing import corpus
from tests.served import app_environment, served_app


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):6.2f} ms  p95 {p95:6.2f} ms  max {ordered[-1]:6.2f} ms  (n={len(ordered)})"


async def ping(client: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/health")
        assert response.status_code == 200
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.01)
    return latencies


async def measure(base: str, photos: list[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        signed = (
            await client.post("/api/auth/login", json={"username": "tiem.minhxuan", "password": "niis-demo-vaccinator"})
        ).json()
        headers = {"Authorization": f"Bearer {signed['token']}", "content-type": "image/jpeg"}
        # Warm up: start the decoder workers.
        await client.post("/api/scan", content=photos[0], headers=headers)

        stop = asyncio.Event()
        idle_task = asyncio.create_task(ping(client, stop))
        await asyncio.sleep(2.0)
        stop.set()
        idle = await idle_task

        stop = asyncio.Event()
        busy_task = asyncio.create_task(ping(client, stop))
        started = time.perf_counter()
        results = await asyncio.gather(*(client.post("/api/scan", content=p, headers=headers) for p in photos))
        burst = time.perf_counter() - started
        stop.set()
        busy = await busy_task

    found = sum(bool(r.json()["codes"]) for r in results if r.status_code == 200)
    print(
        f"{len(photos)} concurrent scans: {found} decoded, all answered in {burst:.2f} s "
        f"({len(photos) / burst:.1f} photos/s)"
    )
    print(f"/health idle (baseline): {summary(idle)}")
    print(f"/health during burst:    {summary(busy)}")
    print(
        f"ratio p50 {statistics.median(busy) / statistics.median(idle):.2f}×, "
        f"extra p95 {sorted(busy)[round(0.95 * len(busy)) - 1] - sorted(idle)[round(0.95 * len(idle)) - 1]:+.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--photo", choices=["hard", "clean"], default="hard")
    args = parser.parse_args()
    rng = random.Random(11)
    recipe = corpus.blurred_vial if args.photo == "hard" else corpus.clean_vial
    photos = [recipe(rng).data for _ in range(args.scans)]
    with tempfile.TemporaryDirectory() as tmp, served_app(app_environment(Path(tmp)), Path(tmp)) as base:
        asyncio.run(measure(base, photos))


if __name__ == "__main__":
    main()

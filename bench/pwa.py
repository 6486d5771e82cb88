"""The sign-in page under emulated slow 3G: bytes transferred (compressed) and time to
interactive, first load and repeat load, beside the issue's budget and beside baselines
measured in the same run.

    .venv/bin/python bench/pwa.py [--runs 3]

Starts `niis serve` on a temporary SQLite database with the demo data and, in front of
it, a small gzip proxy: `niis serve` does not compress static files (a reverse proxy does
in production), so the bytes the browser receives here are what such a proxy sends
(text types gzipped at level 6, as nginx's `gzip on`; images as they are). Chromium
headless (Debian's, through Playwright) gets DevTools' network emulation (400 kbit/s
down and up, 400 ms round-trip latency) and a 4x CPU slowdown.

Time to interactive: the app's start-up promise has resolved (app.js sets the
`performance.mark` "niis:interactive" after the router rendered the first screen) and the
sign-in form's inputs are enabled; measured from navigation start. Bytes: what the
network delivered to the page (DevTools' `encodedDataLength`, headers included); the
service worker's pre-cache of the whole shell, fetched in the background after the page
is interactive, is printed on its own line.

Baselines, same run: (a) the same first and repeat loads with no throttling at all
(what is left is the machine: on a loaded one it is most of a repeat load); (b) one static
HTML page made of the same bytes (every file of the first load in one body) under the
same throttling, to its load event: the floor for those bytes in one round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.client
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.field_app import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, Server
from tests.served import app_environment, load_demo

BUDGET_BYTES = 150 * 1024
BUDGET_FIRST_S = 5.0
BUDGET_REPEAT_S = 1.0
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms, added to every request's round trip
    "downloadThroughput": 400_000 / 8,  # bytes/s
    "uploadThroughput": 400_000 / 8,
}
CPU_SLOWDOWN = 4
BASELINE_PATH = "/bench-baseline.html"
# What nginx's `gzip_types` would compress (it leaves images alone: PNGs are compressed already).
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/manifest+json", "image/svg")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
INTERACTIVE = """() => performance.getEntriesByName("niis:interactive").length > 0
    && document.querySelector("#username:enabled") !== null
    && document.querySelector("#password:enabled") !== null"""


@dataclass
class GzipProxy:
    """A reverse proxy in front of `niis serve` that gzips text as a production proxy
    does, and can also answer with one page of given bytes (baseline b)."""

    upstream_port: int
    baseline_body: bytes = b""
    # (path, body bytes sent, asked by the service worker: its script, or its pre-cache,
    # which sw.js fetches with `cache: "reload"`, hence `Cache-Control: no-cache`)
    sent: list[tuple[str, int, bool]] = field(default_factory=list)
    port: int = 0

    @contextmanager
    def running(self) -> Iterator[GzipProxy]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the browser would get

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.forward()

            def do_POST(self) -> None:
                self.forward()

            def forward(self) -> None:
                if self.path == BASELINE_PATH:
                    return self.answer(200, [("Content-Type", "text/html; charset=utf-8")], proxy.baseline_body)
                length = int(self.headers.get("Content-Length") or 0)
                request_body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"accept-encoding"}}
                upstream.request(self.command, self.path, body=request_body, headers=headers)
                response = upstream.getresponse()
                body = response.read()
                upstream.close()
                kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
                self.answer(response.status, kept, body)

            def answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                kind = next((v for k, v in headers if k.lower() == "content-type"), "")
                if body and "gzip" in self.headers.get("Accept-Encoding", "") and kind.startswith(COMPRESSED_TYPES):
                    body = gzip.compress(body, compresslevel=6)
                    headers = [*headers, ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the browser gave up on it (a reload, a superseded update check)
                worker = "Service-Worker" in self.headers or "no-cache" in self.headers.get("Cache-Control", "")
                proxy.sent.append((self.path, len(body), worker))

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Load:
    seconds: float  # to interactive (or to the load event, for the one-page baseline)
    network_bytes: int  # delivered by the network to the page, headers included
    requests: int  # answered by the network (not the service worker)
    round_trips: int  # requests in the longest chain of requests that waited on each other
    timeline: list[str] = field(default_factory=list)  # one line a request, for --timeline
    not_api: list[str] = field(default_factory=list)  # fetched from the network, not an API call


async def throttled_page(context: Any, throttle: bool) -> tuple[Any, dict[str, Any]]:
    page = await context.new_page()
    devtools = await context.new_cdp_session(page)
    # Request times in seconds since the epoch (DevTools' wallTime, and its monotonic
    # timestamps moved by the same offset), to compare with the page's timeOrigin.
    seen: dict[str, Any] = {"bytes": {}, "from_worker": set(), "start": {}, "end": {}, "url": {}, "offset": []}

    def sent(event: dict[str, Any]) -> None:
        seen["start"][event["requestId"]] = event["wallTime"]
        seen["url"][event["requestId"]] = event["request"]["url"]
        seen["offset"].append(event["wallTime"] - event["timestamp"])

    devtools.on("Network.requestWillBeSent", sent)
    devtools.on(
        "Network.responseReceived",
        lambda e: seen["from_worker"].add(e["requestId"]) if e["response"].get("fromServiceWorker") else None,
    )

    def finished(event: dict[str, Any]) -> None:
        seen["bytes"][event["requestId"]] = event["encodedDataLength"]
        seen["end"][event["requestId"]] = event["timestamp"] + (seen["offset"][0] if seen["offset"] else 0)

    devtools.on("Network.loadingFinished", finished)
    await devtools.send("Network.enable")
    if throttle:
        await devtools.send("Network.emulateNetworkConditions", SLOW_3G)
        await devtools.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return page, seen


def chain_length(seen: dict[str, Any], until: float) -> int:
    """Requests that each started only after the one before had finished, among those
    done by `until`: the number of sequential round trips the page waited for, the
    figure that decides a load on a 400 ms link."""
    spans = sorted(
        (seen["start"][r], seen["end"][r])
        for r in seen["end"]
        if r in seen["start"] and r not in seen["from_worker"] and seen["end"][r] <= until
    )
    longest: dict[int, int] = {}
    for i, (start, _) in enumerate(spans):
        longest[i] = 1 + max((longest[j] for j, (_, end) in enumerate(spans[:i]) if end <= start), default=0)
    return max(longest.values(), default=0)


async def interactive_after(page: Any) -> tuple[float, float]:
    """Seconds from navigation start to interactive, and that moment since the epoch."""
    await page.wait_for_function(INTERACTIVE, timeout=60_000)
    origin, mark = await page.evaluate(
        "[performance.timeOrigin, performance.getEntriesByName('niis:interactive')[0].startTime]"
    )
    return mark / 1000, (origin + mark) / 1000


def page_load(seen: dict[str, Any], seconds: float, at: float) -> Load:
    """What the network delivered to the page (not the service worker's cache) until the
    network went quiet; the round trips counted are those before interactive (`at`)."""
    mine = [r for r in seen["bytes"] if r not in seen["from_worker"]]
    origin = at - seconds
    timeline = [
        f"{seen['start'][r] - origin:6.2f} → {seen['end'][r] - origin:6.2f} s {seen['bytes'][r]:7.0f} B"
        f"{' (service worker)' if r in seen['from_worker'] else ''}  {seen['url'][r]}"
        for r in sorted(seen["end"], key=lambda r: seen["start"].get(r, 0))
        if r in seen["start"]
    ]
    return Load(seconds, sum(int(seen["bytes"][r]) for r in mine), len(mine), chain_length(seen, at), timeline)


def shell_from_network(seen: dict[str, Any]) -> list[str]:
    """The files of the app (not API calls) the network, not the service worker, gave."""
    return [seen["url"][r] for r in seen["bytes"] if r not in seen["from_worker"] and "/api/" not in seen["url"][r]]


async def first_and_repeat(browser: Any, base: str, throttle: bool) -> tuple[Load, Load, list[str]]:
    """A fresh browser context (no cache, no service worker): the first load; then, once
    the service worker controls the page and has cached the shell, a repeat load."""
    context = await browser.new_context(base_url=base, viewport=VIEWPORTS["phone"])
    try:
        page, seen = await throttled_page(context, throttle)
        await page.goto("/", wait_until="commit")
        interactive = await interactive_after(page)
        await page.wait_for_load_state("networkidle")
        first = page_load(seen, *interactive)
        fetched = shell_from_network(seen)
        await page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
        await page.evaluate("navigator.serviceWorker.ready")
        await page.wait_for_load_state("networkidle")
        for key in seen:
            seen[key].clear()
        await page.reload(wait_until="commit")
        interactive = await interactive_after(page)
        await page.wait_for_load_state("networkidle")
        repeat = page_load(seen, *interactive)
        repeat.not_api = shell_from_network(seen)
        return first, repeat, fetched
    finally:
        await context.close()


async def one_page(browser: Any, base: str) -> Load:
    context = await browser.new_context(base_url=base, viewport=VIEWPORTS["phone"])
    try:
        page, seen = await throttled_page(context, throttle=True)
        await page.goto(BASELINE_PATH, wait_until="load")
        origin, loaded = await page.evaluate(
            "[performance.timeOrigin, performance.getEntriesByType('navigation')[0].loadEventEnd]"
        )
        return page_load(seen, loaded / 1000, (origin + loaded) / 1000)
    finally:
        await context.close()


def first_load_bodies(proxy: GzipProxy, urls: list[str]) -> bytes:
    """Every body the first load fetched, uncompressed, as one HTML page (baseline b)."""
    from urllib.parse import urlsplit
    from urllib.request import urlopen

    parts = []
    for url in urls:
        with urlopen(f"http://127.0.0.1:{proxy.upstream_port}{urlsplit(url).path}") as answer:
            parts.append(answer.read().decode("utf-8", "replace").replace("</", "<\\/"))
    return (
        "<!doctype html><title>baseline</title><script type='text/plain'>" + "\n".join(parts) + "</script>"
    ).encode()


def ratio(value: float, budget: float) -> str:
    verdict = "met" if value <= budget else "NOT MET"
    return f"{value / budget:.2f}x of budget ({verdict})"


def median_load(loads: list[Load]) -> Load:
    return sorted(loads, key=lambda load: load.seconds)[len(loads) // 2]


async def measure(proxy: GzipProxy, runs: int, timeline: bool) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            firsts, repeats, fasts, fast_repeats = [], [], [], []
            fetched: list[str] = []
            worker_bytes = 0
            for run in range(runs):
                proxy.sent.clear()
                first, repeat, fetched = await first_and_repeat(browser, proxy.base, throttle=True)
                worker_bytes = sum(size for _, size, worker in proxy.sent if worker)
                firsts.append(first)
                repeats.append(repeat)
                fast, fast_repeat, _ = await first_and_repeat(browser, proxy.base, throttle=False)
                fasts.append(fast)
                fast_repeats.append(fast_repeat)
                print(
                    f"run {run + 1}: first {first.seconds:.2f} s, repeat {repeat.seconds:.2f} s,"
                    f" unthrottled first {fast.seconds:.2f} s",
                    flush=True,
                )
            proxy.baseline_body = first_load_bodies(proxy, fetched)
            floor = median_load([await one_page(browser, proxy.base) for _ in range(runs)])
        finally:
            await browser.close()

    first, repeat, fast, fast_repeat = map(median_load, (firsts, repeats, fasts, fast_repeats))
    if timeline:
        for name, load in (("first load", first), ("repeat load", repeat)):
            print(f"\n{name} (interactive at {load.seconds:.2f} s):", *load.timeline, sep="\n  ")
    print()
    print("Sign-in page, Chromium headless, slow 3G (400 kbit/s, 400 ms RTT), CPU 4x slower;")
    print(f"bytes: as a gzip proxy sends them (text gzipped in the path, level 6); median of {runs} runs")
    print()
    print(f"{'':34} {'figure':>10}  {'budget':>8}  ratio")
    for name, figure, unit, budget in (
        ("first load, bytes transferred", first.network_bytes / 1024, "KB", BUDGET_BYTES / 1024),
        ("first load, time to interactive", first.seconds, "s", BUDGET_FIRST_S),
        ("repeat load, time to interactive", repeat.seconds, "s", BUDGET_REPEAT_S),
    ):
        print(f"{name:34} {figure:8.2f} {unit:2} {budget:5g} {unit:2}  {ratio(figure, budget)}")
    shell = (
        f"and {repeat.not_api} from the network" if repeat.not_api else "none of the shell: all from the service worker"
    )
    print(
        f"{'repeat load, bytes transferred':34} {repeat.network_bytes / 1024:8.2f} KB"
        f"  ({repeat.requests} API calls, {shell})"
    )
    print()
    print(
        f"first load: {first.requests} requests, {first.round_trips} sequential round trips before interactive;"
        f" repeat load: {repeat.round_trips}"
    )
    print(f"service worker pre-cache after interactive (whole shell, background): {worker_bytes / 1024:.1f} KB")
    print()
    print(f"machine: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print()
    print("baselines, same run:")
    print(
        f"  (a) the same first load, no throttling:           {fast.seconds:6.2f} s  "
        f"(first load throttled = {first.seconds / fast.seconds:.1f}x)"
    )
    print(
        f"  (a) the same repeat load, no throttling:          {fast_repeat.seconds:6.2f} s  "
        f"(repeat load throttled = {repeat.seconds / fast_repeat.seconds:.1f}x)"
    )
    print(
        f"  (b) the same bytes as one static page, throttled: {floor.seconds:6.2f} s  "
        f"({floor.network_bytes / 1024:.1f} KB; first load = {first.seconds / floor.seconds:.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="loads of each kind; the median is printed")
    parser.add_argument("--timeline", action="store_true", help="print each request of the median loads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = app_environment(Path(tmp))
        load_demo(env)
        server = Server(env, Path(tmp))
        server.start()
        try:
            with GzipProxy(server.port).running() as proxy:
                asyncio.run(measure(proxy, args.runs, args.timeline))
        finally:
            server.stop()


if __name__ == "__main__":
    main()

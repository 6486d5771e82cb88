"""What the field app's browser tests share: a server that can be stopped and started
again on the same port (the browser keeps its service worker and IndexedDB per origin),
on SQLite or PostgreSQL, asked what its database holds the same way on either; signing
in, queueing a real write, axe-core, screenshots."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.served import free_port, niis_serve, serving

CHROMIUM = os.environ.get("NIIS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network, as root, in a container (see the machine notes in docs/testing.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "test-artifacts" / "screens"
VIEWPORTS = {"phone": {"width": 360, "height": 640}, "tablet": {"width": 1280, "height": 800}}
VACCINATOR = ("tiem.minhxuan", "niis-demo-vaccinator")
# A browser-test module (`pytestmark = [pytest.mark.slow, ON_BOTH_ENGINES]`) or one test
# (`@ON_BOTH_ENGINES`) whose `server` runs once on SQLite and once on PostgreSQL, each
# with a fresh demo database (tests/e2e/conftest.py). Without it: SQLite only.
ON_BOTH_ENGINES = pytest.mark.server_engines("sqlite", "postgres")


def run_apart(work: Coroutine[Any, Any, Any]) -> Any:
    """Runs `work` to its end in an event loop of its own thread, for the synchronous
    helpers below: they are called from async tests, whose loop is running."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(work)
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


async def _postgres_rows(url: str, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await connection.fetch(sql, *args)]
    finally:
        await connection.close()


def _as_sqlite_gives(value: Any) -> Any:
    # A datetime is a date too, but SQLite's text for it depends on the column: left alone.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


@dataclass
class Server:
    env: dict[str, str]
    cwd: Path
    port: int = field(default_factory=free_port)
    _running: ExitStack | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def engine(self) -> str:
        """What this server's database runs on: "sqlite" or "postgres"."""
        return "postgres" if self.env["NIIS_DATABASE_URL"].startswith("postgres") else "sqlite"

    @property
    def database(self) -> Path:
        """The SQLite file (SQLite only; `rows` and `fetch_value` work on either engine)."""
        assert self.engine == "sqlite", "a PostgreSQL server has no file: use server.rows() or fetch_value()"
        return Path(self.env["NIIS_DATABASE_URL"].removeprefix("sqlite:///"))

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """What `sql` reads from this server's database, on either engine. Placeholders are
        written `?` (SQLite's); on PostgreSQL they become `$1`, `$2`…. A date is given as
        a `date` (asyncpg takes no text for a date) and comes back as SQLite stores it,
        ISO text ("2024-03-01"), on either engine, so a test compares and types it the
        same way; other values come as each driver gives them (a boolean: 0/1 or
        False/True, which compare equal)."""
        if self.engine == "sqlite":
            with sqlite3.connect(self.database) as db:
                return list(db.execute(sql, tuple(_as_sqlite_gives(arg) for arg in args)).fetchall())
        numbered = iter(range(1, sql.count("?") + 1))
        sql = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)
        rows = run_apart(_postgres_rows(self.env["NIIS_DATABASE_URL"], sql, args))
        return [tuple(_as_sqlite_gives(value) for value in row) for row in rows]

    def fetch_value(self, sql: str, *args: Any) -> Any:
        """The first column of the one row `sql` reads (a count, a status)."""
        [row] = self.rows(sql, *args)
        return row[0]

    def start(self) -> None:
        assert self._running is None
        stack = ExitStack()
        stack.enter_context(serving(niis_serve(self.port), self.env, self.cwd, self.port))
        self._running = stack

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None

    def subjects_named(self, full_name: str) -> int:
        return int(self.fetch_value("SELECT count(*) FROM subject WHERE full_name = ?", full_name))


@asynccontextmanager
async def persistent_browser(profile: Path, base: str) -> AsyncIterator[Any]:
    """A browser with a profile on disk, as a phone's: not incognito (where Chromium
    refuses to install apps), and one that can be closed and started again on the same
    profile (a browser restart)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=base, viewport=VIEWPORTS["phone"]
        )
        try:
            yield context.pages[0] if context.pages else await context.new_page()
        finally:
            await context.close()


async def sign_in(page: Any, username: str, password: str) -> None:
    await page.goto("/")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.locator("#greeting").wait_for()
    # Controlled by the service worker from here on: the shell is cached.
    await page.wait_for_function("() => navigator.serviceWorker.controller !== null")


async def registration(page: Any, full_name: str, birth_date: str) -> dict[str, Any]:
    """A real registration body for the signed-in vaccinator's facility."""
    me = await (await page.request.get("/api/auth/me")).json()
    facility = await (await page.request.get(f"/api/facilities/{me['scope_facility_id']}")).json()
    return {
        "full_name": full_name,
        "birth_date": birth_date,
        "sex": "F",
        "place_id": facility["place_id"],
        "facility_id": facility["id"],
        "guardians": [{"full_name": "Trần Thị Hoa", "relationship": "mother", "phone": "0912345678"}],
    }


async def queue(page: Any, body: dict[str, Any]) -> None:
    """What a screen does to write: hand the write to the outbox."""
    await page.evaluate(
        """async (body) => {
            const outbox = await import("/js/outbox.js");
            await outbox.submit({ path: "/api/subjects", body,
                                  label: { key: "write.register", values: { name: body.full_name } } });
        }""",
        body,
    )


async def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: `bash scripts/test` installs it with npm ci")
    # Evaluated through the DevTools protocol, so the page's CSP does not apply to it.
    if not await page.evaluate("Boolean(window.axe)"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def screenshot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


# --- The camera's screens (tests/e2e/test_camera_screens.py) ---------------------------------


def card_text(server: Server, code: str) -> str:
    """The QR text printed on a subject's card, signed with the served app's own key."""
    from api.registry.cards import services as card
    from api.settings import stored_secret_key

    return card.qr_text(stored_secret_key(Path(server.env["NIIS_VAR_DIR"])), code)


def id_card_photo(text: str, seed: int) -> bytes:
    """A citizen ID card (portrait left, QR top right) held in a hand, photographed (JPEG)."""
    import random

    from PIL import Image, ImageDraw

    from scanning.testing import corpus, photo, render

    rng = random.Random(seed)
    qr = render.qr_utf8(text, module=4)
    width, height = round(qr.size[0] * 2.6), round(qr.size[0] * 1.64)
    card = Image.new("L", (width, height), 225)
    ImageDraw.Draw(card).rectangle((20, height // 3, width // 4, height - 30), fill=140)
    card.paste(render.ink_on_paper(qr, 225, 30), (width - qr.size[0] - 15, 15))
    scene = photo.background(corpus.HD, rng)
    quad = photo.frame(corpus.HD, card.size, rng, fill=0.7, angle=rng.uniform(-6, 6), tilt=0.03)
    picture = photo.hand(photo.place(scene, card, quad), quad, rng)
    return photo.jpeg(photo.colour(photo.add_noise(picture, rng, sigma=3), rng), quality=88)


# The mother whose citizen ID card the camera and speed tests photograph.
MOTHER = "Đặng Thị Thu Hà"
MOTHER_BORN = dt.date(1996, 7, 21)
MOTHER_ADDRESS = "Thôn Nà Héc, xã Minh Xuân, huyện Hàm Yên, Tuyên Quang"


def mothers_id_card(photos: Path) -> tuple[str, str]:
    """A photo of the mother's citizen ID card (a file in `photos`) and the personal ID it carries."""
    import random

    from scanning.testing import payloads

    number = payloads.personal_id(random.Random(7), MOTHER_BORN, True)
    text = "|".join([number, "", MOTHER, MOTHER_BORN.strftime("%d%m%Y"), "Nữ", MOTHER_ADDRESS, "12032022"])
    path = photos / "cccd.jpg"
    path.write_bytes(id_card_photo(text, seed=7))
    return str(path), number


# --- Transfers and resolving at sync (tests/e2e/test_transfer_and_resolve_screens.py) -------------


def create_user(server: Server, username: str, password: str, role: str, *where: str) -> None:
    """An account made as an operator makes one (`niis createuser`), e.g. a second
    vaccinator at another facility: `where` is ("--facility", code) or ("--place", code)."""
    import subprocess

    from tests.served import NIIS

    made = subprocess.run(
        [*NIIS, "createuser", username, "--role", role, *where, "--password-stdin"],
        input=password + "\n",
        env=server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr


# The controls a finger must hit, each at least 44 px high when shown: a tick box or a
# radio button counts by its label's row (`.choice`), a file input by its label
# (`.camera-button`); the camera's notices sit under the status bar, outside <main>.
TARGETS = (
    "main button, main a, main select, main input:not([type=radio]):not([type=checkbox]):not([type=file]),"
    " main .choice, .camera-button, #camera-notices button"
)


async def small_controls(page: Any) -> list[str]:
    """The visible controls of the screen under 44 px high."""
    return list(
        await page.evaluate(
            """selector => [...document.querySelectorAll(selector)]
                 .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
                 .map(e => e.outerHTML.slice(0, 80))""",
            TARGETS,
        )
    )


async def check_screen(page: Any, name: str, *, targets: bool = True) -> None:
    """At 360×640 and at 1280×800: no serious or critical axe finding, every control at
    least 44 px high (unless ``targets`` is off), nothing wider than the screen (no
    sideways scrolling on a phone), and a screenshot ``name-phone`` / ``name-tablet``."""
    for size, viewport in VIEWPORTS.items():
        await page.set_viewport_size(viewport)
        assert await serious_violations(page) == [], f"{name} at {size}"
        if targets:
            assert await small_controls(page) == [], f"{name} at {size}"
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} at {size}"
        await screenshot(page, f"{name}-{size}")
    await page.set_viewport_size(VIEWPORTS["phone"])


def write_screens_index() -> Path | None:
    """test-artifacts/screens/INDEX.md: every screenshot kept, one row a screen with its
    phone (360×640) and tablet (1280×800) pictures and their pixel sizes (full-page
    pictures are as tall as the screen's content), for the issue's note to cite."""
    from PIL import Image

    if not SCREENS.is_dir():
        return None
    screens: dict[str, dict[str, str]] = {}
    for picture in sorted(SCREENS.glob("*.png")):
        name, _, size = picture.stem.rpartition("-")
        if size not in VIEWPORTS:
            name, size = picture.stem, "other"
        with Image.open(picture) as image:
            width, height = image.size
        screens.setdefault(name, {})[size] = f"[{picture.name}]({picture.name}) {width}×{height}"
    sizes = [*VIEWPORTS, "other"] if any("other" in s for s in screens.values()) else list(VIEWPORTS)
    heads = [
        f"{size} {VIEWPORTS[size]['width']}×{VIEWPORTS[size]['height']}" if size in VIEWPORTS else size
        for size in sizes
    ]
    lines = [
        "# Screenshots of the field app",
        "",
        f"{len(screens)} screens, written by the browser tests (tests/e2e); a missing size is marked —.",
        "",
        "| screen | " + " | ".join(heads) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    lines += [
        f"| {name} | " + " | ".join(cells.get(size, "—") for size in sizes) + " |" for name, cells in screens.items()
    ]
    index = SCREENS / "INDEX.md"
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index


# --- Stock reports and open vials (tests/e2e/test_stock_reports.py) ----------------------------


@asynccontextmanager
async def signed_in_page(
    browser: Any, server: Server, who: tuple[str, str] = VACCINATOR, viewport: str = "phone"
) -> AsyncIterator[Any]:
    """A page of a fresh browser context signed in as `who` (user name, password; the demo
    vaccinator by default), its context closed after."""
    context = await browser.new_context(base_url=server.base, viewport=VIEWPORTS[viewport])
    try:
        page = await context.new_page()
        await sign_in(page, *who)
        yield page
    finally:
        await context.close()


# --- What the device keeps (IndexedDB "niis": outbox, reading, photos) --------------------------


async def stored_count(page: Any, store: str) -> int:
    """How many records the app's IndexedDB store `store` holds on this device."""
    return int(
        await page.evaluate(
            """(store) => new Promise((resolve) => {
                const request = indexedDB.open("niis");
                request.onsuccess = () => {
                    const read = request.result.transaction(store).objectStore(store).count();
                    read.onsuccess = () => { request.result.close(); resolve(read.result); };
                };
            })""",
            store,
        )
    )

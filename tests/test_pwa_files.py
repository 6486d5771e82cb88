"""The field app's files agree with each other: both languages have every string, the
service worker caches every file the app loads, the manifest's icons are real PNGs of
the sizes it says. A mismatch here is a blank label, a screen that does not open
offline, or an app that cannot be installed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image

PWA = Path(__file__).resolve().parents[1] / "pwa"
# Files of the printable card (a server page, online only) and of the icon script.
NOT_IN_SHELL = {"card.css", "js/card.js", "sw.js"}


def strings(lang: str) -> dict[str, str]:
    return json.loads((PWA / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_vietnamese_and_english_have_the_same_strings_and_placeholders() -> None:
    vi, en = strings("vi"), strings("en")
    assert sorted(vi) == sorted(en)
    assert {key: placeholders(text) for key, text in vi.items()} == {
        key: placeholders(text) for key, text in en.items()
    }
    assert all(text.strip() for text in [*vi.values(), *en.values()])


def test_every_string_the_app_asks_for_exists() -> None:
    used = set(re.findall(r'data-i18n(?:-label)?="([\w.-]+)"', (PWA / "index.html").read_text()))
    for script in (PWA / "js").rglob("*.js"):
        # Keys are dotted words in quotes ("login.wrong"); file names and the device's
        # storage keys ("niis.lang") are not.
        literals = re.findall(r"""["']([a-z]+(?:\.[a-z_-]+)+)["']""", script.read_text())
        used |= {
            key
            for key in literals
            if not key.startswith("niis.") and not re.search(r"\.(js|json|css|png|svg|webmanifest)$", key)
        }
    roles = {
        f"role.{role}"
        for role in ("national_admin", "province_officer", "commune_officer", "vaccinator", "stock_clerk", "parent")
    }
    states = {f"outbox.state.{state}" for state in ("pending", "sending", "refused", "confirmed")}
    storage = {f"storage.{kind}" for kind in ("persisted", "best-effort", "unsupported")}
    transfers = {f"move.status.{status}" for status in ("pending", "approved", "declined", "cancelled")} | {
        f"move.{kind}.{action}" for kind in ("write", "decided") for action in ("approve", "decline", "cancel")
    }
    assert len(used) > 20
    assert used | roles | states | storage | transfers <= set(strings("vi"))


def test_every_duplicate_reason_the_server_gives_is_worded_in_both_languages() -> None:
    """The app words a duplicate's reasons from their codes (pwa/js/review-view.js), so
    an English screen never shows the server's Vietnamese."""
    from api.registry.duplicates.services import REASONS

    for lang in ("vi", "en"):
        assert {f"review.reason.{code}" for code in REASONS} <= set(strings(lang))


def test_every_certificate_refusal_the_server_gives_is_worded_in_both_languages() -> None:
    """The verify screen says why a card is not valid from the reason's code."""
    from api.certificates.shc import REASONS

    for lang in ("vi", "en"):
        assert {f"cert.reason.{code}" for code in REASONS} <= set(strings(lang))


def shell() -> tuple[int, list[str]]:
    text = (PWA / "js" / "shell.js").read_text()
    version = re.search(r"version:\s*(\d+)", text)
    assert version
    return int(version.group(1)), re.findall(r'"(/[^"]+)"', text)


def test_the_service_worker_caches_every_file_the_app_is_made_of() -> None:
    _, files = shell()
    on_disk = {
        path.relative_to(PWA).as_posix()
        for path in PWA.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    } - NOT_IN_SHELL
    assert sorted(file.removeprefix("/") for file in files) == sorted(on_disk)


def test_the_shell_version_is_one_the_api_serves() -> None:
    from api.shell import MIN_SHELL

    version, _ = shell()
    assert version >= MIN_SHELL


def test_the_manifest_icons_are_pngs_of_the_sizes_it_names() -> None:
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["lang"] == "vi" and manifest["display"] == "standalone"
    purposes = set()
    for icon in manifest["icons"]:
        if icon["type"] != "image/png":
            continue
        with Image.open(PWA / icon["src"].removeprefix("/")) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
        purposes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


def static_imports(module: str) -> set[str]:
    """The modules `module` (a path under pwa/, e.g. "/js/app.js") imports, and theirs."""
    found: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        text = (PWA / current.removeprefix("/")).read_text(encoding="utf-8")
        for target in re.findall(r'^import\s(?:[^"\']*\sfrom\s)?["\'](\.{1,2}/[^"\']+)["\']', text, re.MULTILINE):
            path = "/" + (PWA / current.removeprefix("/")).parent.joinpath(target).resolve().relative_to(PWA).as_posix()
            if path not in found:
                found.add(path)
                todo.append(path)
    return found


def test_the_sign_in_page_asks_for_all_its_modules_at_once() -> None:
    """Each module the sign-in page runs is preloaded by index.html, so the browser asks
    for all of them in one round trip instead of one round trip per level of imports
    (slow 3G: ~0.4 s each). Nothing else is preloaded (it would cost first-load bytes)."""
    html = (PWA / "index.html").read_text(encoding="utf-8")
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
    needed = (static_imports("/js/app.js") | static_imports("/js/screens/login.js") | {"/js/screens/login.js"}) - {
        "/js/app.js"
    }
    assert preloaded == needed
    assert '<link rel="preload" href="/i18n/vi.json" as="fetch" crossorigin>' in html

"""The strict Content-Security-Policy in a real browser: the PWA and the printable
card load, work and print with nothing blocked."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.field_app import ON_BOTH_ENGINES

# A sign-in (a session written) and the card read from the registry: on both engines.
pytestmark = [pytest.mark.slow, ON_BOTH_ENGINES]

# Before any page script: record what the policy blocks, and catch window.print().
WATCH = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__blocked.push(e.violatedDirective + " " + e.blockedURI);
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


def _is_blocked_or_broken(message: Any) -> bool:
    # An HTTP error status is logged too (the signed-out app's 401 from /api/auth/me):
    # that is the API answering, not the page failing.
    return message.type == "error" and not message.text.startswith("Failed to load resource: the server responded")


async def watched(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if _is_blocked_or_broken(message) else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.add_init_script(WATCH)
    return errors


async def test_the_app_loads_and_signs_in_with_no_policy_violation(page: Any) -> None:
    errors = await watched(page)
    response = await page.goto("/")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    await page.get_by_label("Tên đăng nhập").fill("xa.minhxuan")
    await page.get_by_label("Mật khẩu").fill("niis-demo-commune")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_text("Xin chào, Lê Văn Nam").wait_for()
    assert await page.evaluate("navigator.serviceWorker.ready.then(r => Boolean(r.active))") is True
    assert await page.evaluate("window.__blocked") == []
    assert errors == []


async def test_the_card_renders_and_prints_as_an_a6_page_under_the_policy(page: Any) -> None:
    errors = await watched(page)
    signed = await page.request.post(
        "/api/auth/login", data={"username": "tiem.minhxuan", "password": "niis-demo-vaccinator"}
    )
    assert signed.ok
    found = await page.request.get("/api/subjects", params={"q": "Nguyễn"})
    subject = (await found.json())["items"][0]
    response = await page.goto(f"/api/subjects/{subject['id']}/card")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    await page.get_by_text("THẺ TIÊM CHỦNG").wait_for()
    await page.locator("svg.qr").wait_for()
    # The stylesheet applies: the card is 105 mm wide (at 96 px per inch), not the window.
    width = await page.evaluate("getComputedStyle(document.querySelector('.card')).width")
    assert abs(float(width.removesuffix("px")) - 105 / 25.4 * 96) < 1
    await page.get_by_role("button", name="In thẻ").click()
    assert await page.evaluate("window.__printed") == 1
    await page.emulate_media(media="print")
    assert await page.locator(".actions").is_hidden()  # the button is not printed
    pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1, boxes  # one page
    width_pt, height_pt = (float(n) for n in boxes[0])
    assert abs(width_pt - 105 / 25.4 * 72) < 2 and abs(height_pt - 148 / 25.4 * 72) < 2  # A6
    assert await page.evaluate("window.__blocked") == []
    assert errors == []

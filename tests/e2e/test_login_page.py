"""A person opens the app on a phone-sized screen and signs in."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.field_app import ON_BOTH_ENGINES

# Signing in and out writes and deletes the session's row: on both engines.
pytestmark = [pytest.mark.slow, ON_BOTH_ENGINES]


async def test_sign_in_in_vietnamese_then_sign_out(page: Any) -> None:
    await page.goto("/")
    assert await page.locator("html").get_attribute("lang") == "vi"
    await page.get_by_label("Tên đăng nhập").fill("xa.minhxuan")
    await page.get_by_label("Mật khẩu").fill("niis-demo-commune")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_text("Xin chào, Lê Văn Nam").wait_for()
    await expect(page.get_by_text("Cán bộ xã")).to_be_visible()
    # A reload keeps the session (HttpOnly cookie), and sign-out works with its CSRF token,
    # even tapped before the server's answer to the app's opening has come (home is shown
    # from the account kept on the device; the token comes with that answer).
    answer_held = asyncio.Event()

    async def slow_answer(route: Any) -> None:
        await answer_held.wait()
        await route.continue_()

    await page.context.route("**/api/auth/me", slow_answer)
    await page.reload()
    await page.get_by_text("Xin chào, Lê Văn Nam").wait_for()
    session = "; ".join(f"{c['name']}={c['value']}" for c in await page.context.cookies())
    async with page.expect_response("**/api/auth/logout") as signed_out:
        await page.get_by_role("button", name="Đăng xuất").click()
        await asyncio.sleep(0.5)
        answer_held.set()
    answer = await signed_out.value
    assert answer.status == 200, await answer.text()
    await page.get_by_role("button", name="Đăng nhập").wait_for()
    # Ended on the server: the old cookie, kept by someone, opens nothing any more.
    assert (await page.request.get("/api/auth/me", headers={"Cookie": session})).status == 401


async def test_wrong_password_says_so_in_the_chosen_language(page: Any) -> None:
    await page.goto("/")
    await page.get_by_label("Tên đăng nhập").fill("xa.minhxuan")
    await page.get_by_label("Mật khẩu").fill("sai mật khẩu")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    await page.locator("#lang").select_option("en")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")


async def test_the_shell_is_an_installable_pwa(page: Any) -> None:
    await page.goto("/")
    manifest = await page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["lang"] == "vi" and manifest["display"] == "standalone"
    registered = await page.evaluate("navigator.serviceWorker.ready.then(r => Boolean(r.active))")
    assert registered is True

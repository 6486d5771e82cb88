"""A person opens the app on a phone-sized screen and signs in."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.slow


async def test_sign_in_in_vietnamese_then_sign_out(page: Any) -> None:
    await page.goto("/")
    assert await page.locator("html").get_attribute("lang") == "vi"
    await page.get_by_label("Tên đăng nhập").fill("xa.minhxuan")
    await page.get_by_label("Mật khẩu").fill("niis-demo-commune")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_text("Xin chào, Lê Văn Nam").wait_for()
    await expect(page.get_by_text("Cán bộ xã")).to_be_visible()
    # A reload keeps the session (HttpOnly cookie), and sign-out works with its CSRF token.
    await page.reload()
    await page.get_by_text("Xin chào, Lê Văn Nam").wait_for()
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.get_by_role("button", name="Đăng nhập").wait_for()


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

"""Offline sync in a real browser on a real server with the demo data: a child registered
and dosed with the server stopped reaches the server in one batch, each write once, and
the bar says when; a double dose from two facilities is read side by side and resolved
by the province officer (docs/records.md, "Offline sync")."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from api.clock import SystemClock
from tests.e2e.field_app import (
    Server,
    check_screen,
    create_user,
    registration,
    signed_in_page,
)


def today() -> date:
    """Today in Vietnam, as the server counts it (the UTC date is a day behind from 17:00 UTC)."""
    return SystemClock().today()


pytestmark = pytest.mark.slow

PROVINCE_OFFICER = ("tinh.tuyenquang", "niis-demo-province")
PENTAVALENT = "198"


def _store_and_lot(server: Server, facility: int) -> tuple[int, int]:
    """A store of ``facility`` holding pentavalent, and the lot it holds."""
    [(store, lot)] = server.rows(
        "SELECT s.id, b.lot FROM store s JOIN stock_balance b ON b.store = s.id "
        "JOIN stock_lot l ON l.id = b.lot JOIN stock_product p ON p.id = l.product "
        "WHERE s.facility = ? AND p.code = 'DTP-HepB-Hib' AND b.doses > 0 ORDER BY b.lot LIMIT 1",
        facility,
    )
    return int(store), int(lot)


def _dose(store: int, lot: int, given: datetime, **subject: Any) -> dict[str, Any]:
    return {
        **subject,
        "vaccine_code": PENTAVALENT,
        "source": "synced",
        "administered_at": given.isoformat(),
        "store_id": store,
        "lot_id": lot,
        "route": "IM",
        "site": "left_thigh",
    }


async def _facility(page: Any) -> int:
    return int((await (await page.request.get("/api/auth/me")).json())["scope_facility_id"])


async def test_a_child_registered_and_dosed_offline_is_sent_in_one_batch_and_applied_once(
    browser: Any, server: Server
) -> None:
    name = "Hà Thị Đồng Bộ"
    async with signed_in_page(browser, server) as app:
        store, lot = _store_and_lot(server, await _facility(app))
        on_hand = server.fetch_value("SELECT doses FROM stock_balance WHERE store = ? AND lot = ?", store, lot)
        body = await registration(app, name, (today() - timedelta(days=70)).isoformat())
        sent: list[str] = []
        app.on(
            "request", lambda r: sent.append(f"{r.method} {r.url.split(server.base)[-1]}") if "/api/" in r.url else None
        )
        status = app.locator("#sync-status")
        server.stop()
        try:
            # What the screens do: a registration, then the dose naming it by its key.
            await app.evaluate(
                """async ([registration, dose]) => {
                    const outbox = await import("/js/outbox.js");
                    const registered = await outbox.submit({ path: "/api/subjects", body: registration,
                        label: { key: "write.register", values: { name: registration.full_name } } });
                    await outbox.submit({ path: "/api/doses", body: { ...dose, subject_key: registered.key } });
                }""",
                [body, _dose(store, lot, datetime.now(UTC) - timedelta(minutes=5))],
            )
            await expect(status).to_contain_text("2 mục chờ gửi")
        finally:
            server.start()
        assert server.subjects_named(name) == 0
        sent.clear()
        await status.click()
        await app.get_by_role("button", name="Gửi ngay").click()
        await expect(status).to_have_text("Đã đồng bộ", timeout=15000)
        await expect(app.locator("#synced-at")).to_contain_text("Đồng bộ lúc")
        await expect(app.locator("#last-synced")).to_contain_text("Đồng bộ lúc")
        await check_screen(app, "outbox-synced")
        # Sent as batches (a trigger may race "Send now"), no write on its own; each once.
        posts = [s for s in sent if s.startswith("POST")]
        assert posts and set(posts) == {"POST /api/sync"}
        assert server.subjects_named(name) == 1
        [(subject,)] = server.rows("SELECT id FROM subject WHERE full_name = ?", name)
        assert server.rows("SELECT source, status FROM dose WHERE subject = ?", subject) == [("synced", "administered")]
        assert (
            server.fetch_value("SELECT doses FROM stock_balance WHERE store = ? AND lot = ?", store, lot) == on_hand - 1
        )
        # Every trigger again: nothing more is written.
        await app.get_by_role("button", name="Gửi ngay").click()
        await app.reload()
        await expect(app.locator("#sync-status")).to_have_text("Đã đồng bộ")
        assert server.fetch_value("SELECT COUNT(*) FROM dose WHERE subject = ?", subject) == 1


async def test_the_province_officer_reads_a_double_dose_side_by_side_and_resolves_it(
    browser: Any, server: Server
) -> None:
    other = ("tiem.dongbo", "niis-demo-dongbo-2026")
    async with signed_in_page(browser, server) as first:
        here = await _facility(first)
        [(elsewhere, place)] = server.rows(
            "SELECT f.id, f.place FROM facility f JOIN store s ON s.facility = f.id "
            "JOIN stock_balance b ON b.store = s.id JOIN stock_lot l ON l.id = b.lot "
            "JOIN stock_product p ON p.id = l.product "
            "WHERE f.id <> ? AND p.code = 'DTP-HepB-Hib' AND b.doses > 0 ORDER BY f.id LIMIT 1",
            here,
        )
        code = server.fetch_value("SELECT code FROM facility WHERE id = ?", elsewhere)
        create_user(server, *other, "vaccinator", "--facility", code)
        [(child, child_name)] = server.rows(
            "SELECT id, full_name FROM subject WHERE facility = ? AND status = 'active' "
            "AND birth_date > ? AND id NOT IN (SELECT subject FROM dose) ORDER BY id LIMIT 1",  # no demo history
            here,
            (today() - timedelta(days=300)).isoformat(),
        )
        yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        csrf = await first.evaluate("async () => (await import('/js/api.js')).csrf()")

        async def sync(page: Any, token: str, dose: dict[str, Any]) -> Any:
            item = {"key": str(uuid.uuid4()), "path": "/api/doses", "body": json.dumps(dose)}
            answer = await page.request.post(
                "/api/sync", data={"items": [item], "last_synced_at": yesterday}, headers={"X-CSRF-Token": token}
            )
            assert answer.ok, await answer.text()
            return await answer.json()

        store, lot = _store_and_lot(server, here)
        given = datetime.now(UTC) - timedelta(hours=3)
        assert (await sync(first, csrf, _dose(store, lot, given, subject_id=child)))["items"][0]["outcome"] == "applied"
        # The family moved; the other station, offline since yesterday, gave the same vaccine.
        moved = await first.request.post(
            f"/api/subjects/{child}/move",
            data={
                "place_id": place,
                "facility_id": elsewhere,
                "moved_on": today().isoformat(),
                "reason": "Gia đình chuyển nhà",
            },
            headers={"X-CSRF-Token": csrf, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert moved.ok, await moved.text()
    async with signed_in_page(browser, server, other) as second:
        token = await second.evaluate("async () => (await import('/js/api.js')).csrf()")
        store, lot = _store_and_lot(server, elsewhere)
        answer = await sync(second, token, _dose(store, lot, given + timedelta(hours=1), subject_id=child))
        assert answer["items"][0]["outcome"] == "conflict", answer
    assert server.rows("SELECT status FROM dose WHERE subject = ?", child) == [("administered",), ("administered",)]

    async with signed_in_page(browser, server, PROVINCE_OFFICER) as officer:
        tile = officer.locator("#dose-reviews-waiting")
        await expect(tile).to_have_text("Mũi tiêm trùng cần xem xét: 1")
        await tile.click()
        card = officer.locator(".review", has_text=child_name)
        await expect(card.locator(".dose-side")).to_have_count(2)
        await expect(card.locator(".dose-side").first).to_contain_text("DTP-HepB-Hib")
        await check_screen(officer, "dose-reviews")
        await card.get_by_role("button", name="Đã xử lý").click()
        await expect(card.get_by_role("alert")).to_have_text("Hãy ghi quyết định xử lý (ít nhất 3 ký tự).")
        await card.get_by_label("Quyết định xử lý").fill("Mũi thứ hai không hợp lệ; hẹn tiêm lại sau 4 tuần")
        await card.get_by_role("button", name="Đã xử lý").click()
        await expect(card.get_by_role("status")).to_have_text("Đã xử lý xong.")
    assert server.rows("SELECT status, note FROM dose_review") == [
        ("resolved", "Mũi thứ hai không hợp lệ; hẹn tiêm lại sau 4 tuần")
    ]

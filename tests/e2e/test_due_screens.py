"""The due list in a real browser on a real demo server: the vaccinator opens it from
home and sees their facility's children due or overdue this week, with the guardian's
phone as a link to call; once every dose due is recorded (through the API, as another
device would) the child leaves the list; offline, the last list downloaded is shown
with its date. Checked at 360×640 and 1280×800 (axe, 44 px targets)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.field_app import VACCINATOR, Server, check_screen, signed_in_page

pytestmark = [pytest.mark.slow]


def _vietnam_today() -> str:
    return (datetime.now(UTC) + timedelta(hours=7)).date().isoformat()


def _client(server: Server) -> httpx.Client:
    client = httpx.Client(base_url=server.base, timeout=30)
    signed = client.post("/api/auth/login", json={"username": VACCINATOR[0], "password": VACCINATOR[1]}).json()
    client.headers["Authorization"] = f"Bearer {signed['token']}"
    return client


def _give_everything_due(client: httpx.Client, child: dict[str, Any]) -> None:
    """A dose today of each group the child is due for (historical: read from a card)."""
    forecast = client.get(f"/api/subjects/{child['id']}/forecast").json()
    vaccines = {g["vaccine_group"]: g["vaccines"] for g in forecast["vaccine_groups"]}
    for group in child["groups"]:
        given = client.post(
            "/api/doses",
            json={
                "subject_id": child["id"],
                "vaccine_code": vaccines[group["vaccine_group"]][0],
                "source": "historical",
                "administered_on": _vietnam_today(),
                "given_elsewhere": "Trạm Y tế (thẻ)",
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert given.status_code == 201, given.text


async def test_the_vaccinators_due_list_shrinks_when_a_childs_doses_are_recorded_and_reads_offline(
    browser: Any, server: Server
) -> None:
    client = _client(server)
    listed = client.get("/api/due").json()
    assert listed["children"], "the demo facility has no one due this week"
    # The child with the fewest groups due: the fewest doses to record.
    child = min(listed["children"], key=lambda c: len(c["groups"]))

    async with signed_in_page(browser, server) as page:
        await page.get_by_role("link", name="Đến hạn và quá hạn").click()
        row = page.locator(f'li.due-child[data-subject="{child["id"]}"]')
        await row.wait_for()
        assert child["full_name"] in await row.inner_text()
        phone = row.locator("a.due-phone")
        if child["guardian_phone"]:
            assert await phone.get_attribute("href") == f"tel:{child['guardian_phone']}"
        assert await page.locator("#due-counts li").count() == len(listed["counts"])
        await check_screen(page, "due-list")

        _give_everything_due(client, child)
        await page.get_by_role("button", name="Xem").click()
        await page.locator("#due-status:not(:text('Đang tải'))").wait_for()
        await page.wait_for_function(
            'id => !document.querySelector(`li.due-child[data-subject="${id}"]`)', arg=child["id"]
        )
        in_db = server.fetch_value(
            "SELECT COUNT(*) FROM subject_forecast WHERE subject = ? AND due <= ? AND status = 'Not Complete'",
            child["id"],
            (datetime.now(UTC) + timedelta(hours=7, days=7)).date().isoformat(),
        )
        assert int(in_db) == 0

        # Offline: the list downloaded last, with when it was downloaded.
        await page.context.set_offline(True)
        await page.goto("/#/")
        await page.get_by_role("link", name="Đến hạn và quá hạn").click()
        status = page.locator("#due-status")
        await status.filter(has_text="Ngoại tuyến").wait_for()
        assert await page.locator("li.due-child").count() == len(listed["children"]) - 1
        await check_screen(page, "due-list-offline")
        await page.context.set_offline(False)
        # Tap a child: their record opens.
        await page.locator("li.due-child a.due-name").first.click()
        await page.wait_for_url("**/#/subject/*")

"""The message a parent gets when their child is vaccinated: "dose given, next due …",
queued in the outbox in the dose's own unit of work (so it exists exactly when the
dose does) for each parent account linked to the child, in that account's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from api import clock
from api.immunization import services as immunization
from api.immunization.schemas import Assessment
from api.records.checks import groups_of
from db.tables import ParentLink
from push import outbox

TEMPLATE = "dose.given"
_TEXT = {
    "vi": ("{name} đã được tiêm {vaccine} ngày {on}. Mũi tiếp theo: {next}.", "đã tiêm đủ", "%d/%m/%Y"),
    "en": ("{name} was given {vaccine} on {on}. Next dose due: {next}.", "none, the series is complete", "%Y-%m-%d"),
}


def next_due(vaccine_code: str, result: Assessment) -> date | None:
    """When the series this vaccine counts for asks for the next dose (the earliest
    due date of its groups), None when they are complete."""
    groups = set(groups_of(vaccine_code))
    due = [g.recommended for g in result.vaccine_groups if g.vaccine_group in groups and g.recommended is not None]
    return min(due, default=None)


def body(language: str, *, name: str, vaccine_code: str, on: date, due: date | None) -> str:
    template, complete, day = _TEXT["en" if language.lower().startswith("en") else "vi"]
    vaccine = immunization.current_schedule().timeline.vaccines[vaccine_code].description
    return template.format(name=name, vaccine=vaccine, on=on.strftime(day), next=due.strftime(day) if due else complete)


async def dose_given(subject: dict[str, Any], dose_id: int, vaccine_code: str, on: date, result: Assessment) -> int:
    """Queue the message to each parent linked to ``subject`` (inside the caller's unit
    of work; reference ``dose:<id>``); the number queued."""
    parents = await ParentLink.select(
        ParentLink.account.as_alias("id"), ParentLink.account.language.as_alias("language")
    ).where((ParentLink.subject == subject["id"]) & (ParentLink.account.active == True))  # noqa: E712
    due = next_due(vaccine_code, result)
    return await outbox.enqueue_to_accounts(
        parents,
        template=TEMPLATE,
        body=lambda language: body(language, name=subject["full_name"], vaccine_code=vaccine_code, on=on, due=due),
        reference=f"dose:{dose_id}",
        now=clock.current().now(),
        data={"subject": subject["id"], "dose": dose_id, "next_due": due.isoformat() if due else None},
    )

"""The demo children's vaccination histories (issue 14, item 11): doses read from their
paper cards, entered through the records service as a clerk would (``historical``, no
stock), so each child's stored forecast, evaluation and due dates come from the engine.

Four kinds of history, in turn: on time (each dose a few days after it was due), late
(weeks after), incomplete (stopped after the first visits), and with one invalid dose
(the second pentavalent a fortnight after the first: too soon, so the engine asks for
it again, and the card entry carries the clerk's reason).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from api import clock
from api.auth.principal import Principal
from api.auth.roles import Role
from api.context import Actor
from api.immunization.schemas import Assessment
from api.records import services as records
from api.registry.subjects import services as registry
from api.scope import Scope, scope_of

HISTORIES = 24
# The EPI groups the cards record (service vaccines stay as the forecast has them).
EPI_GROUPS = frozenset({"BCG", "HepB", "DTP", "Hib", "Polio", "Measles/MR", "JE"})
PROFILES = ("on_time", "late", "incomplete", "invalid")
CARD = "Sổ tiêm chủng cá nhân"
MOST_DOSES = 20


def _delay(profile: str, rng: random.Random) -> timedelta:
    return timedelta(days=rng.randint(20, 60) if profile == "late" else rng.randint(0, 4))


async def _card_entry(
    actor: Actor, area: Scope, subject: dict[str, Any], code: str, on: date, why: str = ""
) -> Assessment:
    """Enter one dose from the card; the subject's assessment after it."""
    data = records.DoseIn(
        vaccine_code=code, source="historical", administered_on=on, given_elsewhere=CARD, override_reason=why
    )
    _, after = await records.record(actor, area, subject, data, key=f"demo-{subject['id']}-{code}-{on.isoformat()}")
    return after


async def _history(actor: Actor, area: Scope, subject: dict[str, Any], profile: str, rng: random.Random) -> int:
    """Give each EPI dose the forecast asks for, in date order, as the profile says; the
    number of doses entered."""
    today = clock.current().today()
    stop = subject["birth_date"] + timedelta(days=100) if profile == "incomplete" else today
    entered = 0
    last_dtp: date | None = None
    visit = subject["birth_date"]  # a card is written in date order
    result = records.assess(subject, await records.doses_of(subject["id"]))
    while entered < MOST_DOSES:
        due = [
            g
            for g in result.vaccine_groups
            if g.vaccine_group in EPI_GROUPS and g.status.value == "Not Complete" and g.recommended and g.vaccines
        ]
        if not due:
            return entered
        group = min(due, key=lambda g: (g.recommended or today, g.vaccine_group))
        assert group.recommended is not None
        on = max(group.recommended + _delay(profile, rng), visit)
        why = ""
        if profile == "invalid" and group.vaccine_group == "DTP" and group.dose_number == 2 and last_dtp:
            # A fortnight after the first (too soon): the card says so, the clerk enters it as it is.
            on, why, profile = last_dtp + timedelta(days=14), "Ghi đúng theo sổ tiêm chủng", "on_time"
        if on > stop or on > today:
            return entered
        result = await _card_entry(actor, area, subject, group.vaccines[0], on, why)
        visit = on
        if group.vaccine_group == "DTP":
            last_dtp = on
        entered += 1
    return entered


async def load_histories(actor: Actor, vaccinator_id: int, children: list[int]) -> int:
    """Histories for the first demo children, each entered at its own health station;
    the number of doses entered. Call inside the demo's unit of work."""
    rng = random.Random(14)
    areas: dict[int, Scope] = {}
    entered = 0
    for number, subject_id in enumerate(children[:HISTORIES]):
        subject = await registry.get(subject_id)
        facility = int(subject["facility"])
        if facility not in areas:
            clerk = Principal(vaccinator_id, "demo", "Demo", Role.VACCINATOR, None, facility, 0, "", "bearer")
            areas[facility] = await scope_of(clerk)
        entered += await _history(actor, areas[facility], subject, PROFILES[number % len(PROFILES)], rng)
    return entered

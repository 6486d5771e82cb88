"""The observations the engine reads for a stored subject, derived on the server from
what the registry and the doses hold, so the record screen, ``POST /api/forecast`` and
the stored forecast (due lists) all see the same person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from api.immunization.services import Observation

PREGNANT = "VN-PREGNANT"
# A pregnancy is recorded by its expected delivery; it began about 40 weeks before.
PREGNANCY = timedelta(days=280)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def of_pregnancies(pregnancies: Sequence[Mapping[str, Any]]) -> list[Observation]:
    """Each pregnancy from 280 days before its expected delivery until it ended (or the
    expected delivery): Td in pregnancy, live vaccines held back meanwhile."""
    found: list[Observation] = []
    for pregnancy in pregnancies:
        due = _day(pregnancy["expected_delivery"])
        assert due is not None
        found.append(Observation(PREGNANT, start=due - PREGNANCY, end=_day(pregnancy.get("ended_on")) or due))
    return found


def of_screenings(doses: Sequence[Mapping[str, Any]], today: date) -> list[Observation]:
    """What the screenings of administered doses found that still holds today (an
    allergy to a vaccine, an immune deficiency), as the checklist recorded it."""
    found: list[Observation] = []
    for dose in doses:
        if dose.get("status") != "administered" or not dose.get("screening"):
            continue
        for observation in dose["screening"].get("observations", []):
            end = _day(observation.get("end"))
            if end is None or end >= today:
                found.append(Observation(observation["code"], start=_day(observation.get("start")), end=end))
    return found


def observations_of(subject: Mapping[str, Any], doses: Sequence[Mapping[str, Any]], today: date) -> list[Observation]:
    return [*of_pregnancies(subject.get("pregnancies") or []), *of_screenings(doses, today)]

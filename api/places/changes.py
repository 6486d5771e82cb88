"""Which effective dates a change of the hierarchy may carry, and the record each dated
change leaves so that one not yet in force can be revoked.

The window: a unit of the Socialist Republic of Viet Nam cannot change before the
country itself began (2 July 1976, where the country's own record starts), and a change
is scheduled at most one year ahead. A decree is published months, not years, before it
takes effect; a date further out is a typing mistake (2999 for 2026) that would block
every nearer change of the unit, since changes of a unit follow one another in time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api import clock
from api.context import Actor
from api.errors import Invalid

EARLIEST_EFFECTIVE_DATE = date(1976, 7, 2)
YEARS_AHEAD = 1


def latest_effective_date(today: date) -> date:
    """One year after ``today`` (28 February when today is 29 February)."""
    year = today.year + YEARS_AHEAD
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def outside_window(day: date, today: date) -> str | None:
    """Why ``day`` cannot be an effective date, in plain words (None: it can)."""
    latest = latest_effective_date(today)
    if EARLIEST_EFFECTIVE_DATE <= day <= latest:
        return None
    return (
        f"{day} is outside the allowed window: an effective date lies between "
        f"{EARLIEST_EFFECTIVE_DATE} (when the country's record begins) and {latest} (one year from today)"
    )


def check_effective_date(day: date, today: date, *, field: str) -> None:
    problem = outside_window(day, today)
    if problem is not None:
        raise Invalid(f"{field}: {problem}", field=field)


@dataclass
class ChangeRecord:
    """What one dated change did, noted as the service does it.

    ``below``: the units changed (an officer needs them inside, and not the root of,
    their area); ``within``: the units they go to (inside the officer's area). The same
    checks authorize revoking the change."""

    kind: str
    effective: date
    below: list[int]
    within: list[int]
    places: set[int] = field(default_factory=set)
    inserted: list[int] = field(default_factory=list)
    closed: list[dict[str, Any]] = field(default_factory=list)
    amended: list[dict[str, Any]] = field(default_factory=list)
    created_place: int | None = None

    def __post_init__(self) -> None:
        self.places.update(self.below, self.within)

    def touch(self, *place_ids: int | None) -> None:
        self.places.update(place_id for place_id in place_ids if place_id is not None)

    def touched_versions(self) -> set[int]:
        return {*self.inserted, *(c["id"] for c in self.closed), *(a["id"] for a in self.amended)}

    def as_json(self) -> dict[str, Any]:
        return {
            "places": sorted(self.places),
            "below": self.below,
            "within": self.within,
            "inserted": self.inserted,
            "closed": self.closed,
            "amended": self.amended,
            "created_place": self.created_place,
        }

    @classmethod
    def from_json(cls, kind: str, effective: date, data: dict[str, Any]) -> ChangeRecord:
        return cls(
            kind,
            effective,
            below=list(data["below"]),
            within=list(data["within"]),
            places=set(data["places"]),
            inserted=list(data["inserted"]),
            closed=list(data["closed"]),
            amended=list(data["amended"]),
            created_place=data["created_place"],
        )

    def row(self, actor: Actor, summary: str) -> dict[str, Any]:
        """The ``place_change`` row of the record (column → value), not yet written."""
        return {
            "kind": self.kind,
            "effective_date": self.effective,
            "record": self.as_json(),
            "summary": summary[:400],
            "made_at": clock.current().now(),
            "made_by": actor.username[:64],
        }

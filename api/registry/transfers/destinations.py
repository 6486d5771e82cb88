"""Where a child can go: the facilities of the whole country found by name, for the
transfer screens. A vaccinator's own lists (``/api/places``, ``/api/facilities``) hold
only their area, but a child moves out to anywhere, and a family who moved in names the
commune they came from. Facility and commune names are public, not personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.errors import Invalid
from api.places.tree import PlaceTree
from api.registry.identity.names import fold
from api.scope import Scope
from db.tables import Facility

MIN_TYPED = 2
LIMIT = 20


@dataclass(frozen=True)
class Destination:
    facility_id: int
    facility_name: str
    place_id: int
    place_name: str
    # The units above the commune, nearest first ("Tỉnh Tuyên Quang"), to tell apart
    # communes of the same name in different provinces.
    above: str


def _words_start(typed: list[str], text: str) -> bool:
    """Every typed word starts a word of ``text`` (both folded): "minh x" finds "Phường Minh Xuân"."""
    words = text.split()
    return all(any(word.startswith(part) for word in words) for part in typed)


def _describe(tree: PlaceTree, scope: Scope, facility: dict[str, Any]) -> Destination | None:
    place = tree.version(facility["place_id"], scope.day)
    if place is None:  # a facility left in a unit that no longer exists today
        return None
    above = [row.name for pid in tree.ancestors(place.place_id, scope.day) if (row := tree.version(pid, scope.day))]
    # The country is the same for everyone: naming it tells nothing.
    return Destination(facility["id"], facility["name"], place.place_id, place.name, ", ".join(above[:-1]))


async def search(scope: Scope, typed: str) -> list[Destination]:
    """Active EPI facilities whose name, commune or the units above match every typed
    word (without accents, any order), the caller's own area first."""
    parts = fold(typed).split()
    if len("".join(parts)) < MIN_TYPED:
        raise Invalid(f"Type at least {MIN_TYPED} letters of the commune or facility", field="q")
    rows = await Facility.select(Facility.id, Facility.name, Facility.place.as_alias("place_id")).where(
        (Facility.active == True) & (Facility.serves_epi == True)  # noqa: E712 (Piccolo's column comparison)
    )
    found: list[Destination] = []
    for row in rows:
        destination = _describe(scope.tree, scope, row)
        if destination is None:
            continue
        text = fold(f"{destination.facility_name} {destination.place_name} {destination.above}")
        if _words_start(parts, text):
            found.append(destination)
    found.sort(key=lambda d: (not scope.contains_facility(d.facility_id, d.place_id), d.place_name, d.facility_name))
    return found[:LIMIT]

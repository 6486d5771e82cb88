"""Which rows a caller may see and change: one mechanism for every route.

A staff user's scope is a subtree of places (officers) or one facility (vaccinators,
stock clerks). Former units count by where their records belong today (a commune
merged into one in scope is in scope). Outside the scope a row answers 404, so its
existence does not leak.

The root is the caller's unit *as it stands today*: an officer of a unit that has since
been merged or abolished answers for its successor's area (until reassigned), and for
nothing when there is none. Only a national admin whose unit is a root of today's tree
is national; no other role ever is, whatever its root.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api import clock
from api.auth.principal import Principal
from api.errors import Forbidden, NotFound
from api.places.services import load_tree
from api.places.tree import PlaceTree
from db.tables import Facility


@dataclass(frozen=True)
class Scope:
    principal: Principal
    tree: PlaceTree
    root_place_id: int | None  # a unit of today's tree; None: nothing (a parent, no scope, no successor)
    facility_id: int | None  # set for facility-scoped users
    day: date

    @property
    def national(self) -> bool:
        """The whole country, without a list of places: a national admin at a root of
        today's tree (a former unit also has no ancestors today, so the role decides too)."""
        return (
            self.principal.is_national
            and self.root_place_id is not None
            and self.root_place_id in self.tree.roots(self.day)
        )

    def contains_place(self, place_id: int) -> bool:
        """Data attached to this unit belongs to the caller's scope."""
        if self.root_place_id is None or self.facility_id is not None:
            return False
        return self.tree.within(place_id, self.root_place_id, self.day)

    def sees_place(self, place_id: int) -> bool:
        """The unit itself may be shown: inside the scope, or on the path above it."""
        if self.root_place_id is None:
            return False
        unit = self.tree.current_unit(place_id, self.day)
        if unit is None:
            return False
        if unit == self.root_place_id or unit in self.tree.ancestors(self.root_place_id, self.day):
            return True
        return self.tree.within(place_id, self.root_place_id, self.day)

    def contains_facility(self, facility_id: int, facility_place_id: int) -> bool:
        if self.facility_id is not None:
            return facility_id == self.facility_id
        return self.contains_place(facility_place_id)

    def place_ids(self) -> frozenset[int] | None:
        """Every unit (present or former) in scope; None means all (national scope)."""
        if self.root_place_id is None or self.facility_id is not None:
            return frozenset()
        if self.national:
            return None
        return self.tree.all_within(self.root_place_id, self.day)

    async def reload(self) -> Scope:
        """The same caller's scope on the hierarchy as it is now (after a change to it)."""
        return await scope_of(self.principal, self.day)

    def unit_place_ids(self) -> frozenset[int]:
        """The caller's own unit today with every former unit now part of it (for a
        facility's staff: the commune its residents live in)."""
        if self.root_place_id is None:
            return frozenset()
        return self.tree.all_within(self.root_place_id, self.day)

    def require_place(self, place_id: int) -> None:
        if not self.contains_place(place_id):
            if self.sees_place(place_id):
                raise Forbidden("This unit is above your area: ask an officer responsible for it")
            raise NotFound(f"Place {place_id} not found")


async def scope_of(principal: Principal, day: date | None = None) -> Scope:
    tree = await load_tree()
    day = day or clock.current().today()
    root = principal.scope_place_id
    facility_id = principal.scope_facility_id
    if facility_id is not None:
        row = await Facility.select(Facility.place).where(Facility.id == facility_id).first()
        root = row["place"] if row else None
    if not principal.is_staff:
        root, facility_id = None, None
    if root is not None:
        # A unit merged or abolished since the account was made: its successor today.
        root = tree.current_unit(root, day)
    return Scope(principal, tree, root, facility_id, day)

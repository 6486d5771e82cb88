"""The small world most API tests run in.

    VN ─┬─ P1 "01" Hà Nội ─┬─ C1  Phường Ba Đình   (facility F1: vac1, clerk1)
        │                  └─ C1b Phường Hoàn Kiếm (facility F1b)
        └─ P2 "79" Hồ Chí Minh ── C2 Phường Bến Thành (facility F2: vac2)

One user per role inside P1 (admin is national), plus vac2 and prov2 outside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from api.auth.roles import Role
from api.context import Actor
from api.places import facilities, service
from api.users import service as users

PASSWORD = "correct horse battery"
SINCE = date(2025, 7, 1)


@dataclass
class World:
    places: dict[str, int] = field(default_factory=dict)
    facilities: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)


async def seed_world() -> World:
    actor = Actor.system("test")
    w = World()

    async def place(key: str, code: str, name: str, level: str, parent: str | None, since: date = SINCE) -> None:
        created = await service.create_place(
            actor,
            code=code,
            name=name,
            level=level,
            parent_id=w.places[parent] if parent else None,
            valid_from=since,
        )
        w.places[key] = created["id"]

    await place("VN", "VN", "Việt Nam", "country", None, date(1976, 7, 2))
    await place("P1", "01", "Thành phố Hà Nội", "province", "VN")
    await place("P2", "79", "Thành phố Hồ Chí Minh", "province", "VN")
    await place("C1", "00004", "Phường Ba Đình", "commune", "P1")
    await place("C1b", "00070", "Phường Hoàn Kiếm", "commune", "P1")
    await place("C2", "26734", "Phường Bến Thành", "commune", "P2")
    for key, commune in (("F1", "C1"), ("F1b", "C1b"), ("F2", "C2")):
        row = await facilities.create(
            actor,
            code=f"TYT-{key}",
            name=f"Trạm Y tế {key}",
            kind="commune_health_station",
            place_id=w.places[commune],
        )
        w.facilities[key] = row["id"]
    accounts = [
        ("admin", Role.NATIONAL_ADMIN, {"scope_place_id": w.places["VN"]}),
        ("prov1", Role.PROVINCE_OFFICER, {"scope_place_id": w.places["P1"]}),
        ("prov2", Role.PROVINCE_OFFICER, {"scope_place_id": w.places["P2"]}),
        ("com1", Role.COMMUNE_OFFICER, {"scope_place_id": w.places["C1"]}),
        ("vac1", Role.VACCINATOR, {"scope_facility_id": w.facilities["F1"]}),
        ("clerk1", Role.STOCK_CLERK, {"scope_facility_id": w.facilities["F1"]}),
        ("vac2", Role.VACCINATOR, {"scope_facility_id": w.facilities["F2"]}),
        ("parent1", Role.PARENT, {}),
    ]
    for username, role, scope in accounts:
        row = await users.create(
            actor, username=username, full_name=username.title(), password=PASSWORD, role=role, **scope
        )
        w.users[username] = row["id"]
    return w

"""The small world most API tests run in.

    VN ─┬─ P1 "01" Hà Nội ─┬─ C1  Phường Ba Đình   com1 (facility F1: vac1, clerk1;
        │                  │                              facility F1c: vac1c)
        │                  │   └╌ C1m Phường Phúc Xá: merged into C1 on 2025-09-01, com1m
        │                  └─ C1b Phường Hoàn Kiếm com1b (facility F1b: vac1b)
        └─ P2 "79" Hồ Chí Minh ── C2 Phường Bến Thành (facility F2: vac2)

One user per role inside P1 (admin is national), plus vac2 and prov2 outside it, a
second commune officer (com1b), a vaccinator at each other facility of P1 (vac1b,
vac1c) and com1m, an officer still assigned to a commune that was merged away.

Subjects, by where they live / who manages them:

    S1  C1  / F1     S1b C1b / F1b    S2 C2 / F2    W1 (a woman) C1 / F1
    S1x C1  / F1b    lives in Ba Đình, managed by Hoàn Kiếm's station
    S1y C1b / F1     lives in Hoàn Kiếm, managed by Ba Đình's station

so "lives in" and "managed by" tell the scope rules apart (see
tests/api/test_visibility.py). Each has a mother and her phone; parent1 is linked to S1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from api.accounts.users import services as users
from api.auth.roles import Role
from api.context import Actor
from api.places import facilities
from api.places import services as service
from api.records import forecasts
from api.registry.subjects import services as subjects
from db.tables import ParentLink

PASSWORD = "correct horse battery"
SINCE = date(2025, 7, 1)
MERGED_ON = date(2025, 9, 1)  # C1m (Phúc Xá) merged into C1 (Ba Đình)


@dataclass
class World:
    places: dict[str, int] = field(default_factory=dict)
    facilities: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    subjects: dict[str, int] = field(default_factory=dict)


async def seed_world() -> World:
    forecasts.install()  # as the app does: the subjects below get their stored forecasts
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
    await place("C1m", "00001", "Phường Phúc Xá", "commune", "P1")
    for key, commune, kind in (
        ("F1", "C1", "commune_health_station"),
        ("F1b", "C1b", "commune_health_station"),
        ("F2", "C2", "commune_health_station"),
        ("F1c", "C1", "private_clinic"),
    ):
        row = await facilities.create(
            actor, code=f"TYT-{key}", name=f"Trạm Y tế {key}", kind=kind, place_id=w.places[commune]
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
        ("com1b", Role.COMMUNE_OFFICER, {"scope_place_id": w.places["C1b"]}),
        ("vac1b", Role.VACCINATOR, {"scope_facility_id": w.facilities["F1b"]}),
        ("vac1c", Role.VACCINATOR, {"scope_facility_id": w.facilities["F1c"]}),
        # Still assigned to Phúc Xá after it was merged into Ba Đình (what they see: api/scope.py).
        ("com1m", Role.COMMUNE_OFFICER, {"scope_place_id": w.places["C1m"]}),
    ]
    for username, role, scope in accounts:
        row = await users.create(
            actor, username=username, full_name=username.title(), password=PASSWORD, role=role, **scope
        )
        w.users[username] = row["id"]
    # After com1m was assigned to it (an account can only be assigned to a unit that exists).
    await service.merge(actor, [w.places["C1m"]], into_id=w.places["C1"], effective=MERGED_ON)
    children = [
        ("S1", "Nguyễn Văn An", date(2025, 3, 14), "M", "C1", "F1", "Trần Thị Bích", "0912345678"),
        ("S1b", "Lê Thị Hồng", date(2024, 11, 2), "F", "C1b", "F1b", "Phạm Thị Thu", "0987654321"),
        ("S2", "Võ Minh Khoa", date(2025, 8, 30), "M", "C2", "F2", "Đỗ Thị Lan", "0903111222"),
        ("W1", "Trần Thị Bích", date(1998, 5, 20), "F", "C1", "F1", "Ngô Thị Tư", "0913000111"),
        ("S1x", "Hoàng Đức Duy", date(2023, 6, 9), "M", "C1", "F1b", "Vũ Thị Mai", "0934555666"),
        ("S1y", "Đặng Ngọc Hà", date(2022, 1, 27), "F", "C1b", "F1", "Bùi Thị Nga", "0977888999"),
    ]
    for key, name, born, sex, commune, facility, mother, phone in children:
        row = await subjects.register(
            actor,
            subjects.SubjectIn(
                full_name=name,
                birth_date=born,
                sex=sex,
                place_id=w.places[commune],
                facility_id=w.facilities[facility],
                guardians=(
                    subjects.GuardianIn(mother, "mother", phone=phone, messaging_consent=True, is_primary=True),
                ),
            ),
        )
        w.subjects[key] = row["id"]
    await ParentLink.insert(
        ParentLink(account=w.users["parent1"], subject=w.subjects["S1"], method="phone", linked_at=datetime.now(UTC))
    )
    return w

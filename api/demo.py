"""Demo data: one province with communes, facilities and one user per role, made
through the same service functions the API uses. Later issues add children, doses,
stock and sessions here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.auth.roles import Role
from api.context import Actor
from api.places import facilities, service
from api.places.importer import ensure_reference_places
from api.users import service as users
from db.engine import write_transaction
from db.tables import Account

DEMO_PROVINCE = "08"  # Tỉnh Tuyên Quang
SINCE = date(2025, 7, 1)

COMMUNES = [
    ("D0801", "Phường Minh Xuân"),
    ("D0802", "Phường An Tường"),
    ("D0803", "Xã Yên Sơn"),
    ("D0804", "Xã Hàm Yên"),
    ("D0805", "Phường Hà Giang 1"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    full_name: str


DEMO_USERS = [
    DemoUser("admin", "niis-demo-quantri", Role.NATIONAL_ADMIN, "Quản trị quốc gia"),
    DemoUser("tinh.tuyenquang", "niis-demo-province", Role.PROVINCE_OFFICER, "Trần Thị Hoa"),
    DemoUser("xa.minhxuan", "niis-demo-commune", Role.COMMUNE_OFFICER, "Lê Văn Nam"),
    DemoUser("tiem.minhxuan", "niis-demo-vaccinator", Role.VACCINATOR, "Phạm Thị Lan"),
    DemoUser("kho.tinh", "niis-demo-stock", Role.STOCK_CLERK, "Hoàng Văn Đức"),
    DemoUser("phuhuynh", "niis-demo-parent", Role.PARENT, "Nguyễn Thị Mai"),
]


async def is_empty() -> bool:
    return not await Account.exists()


async def load_demo() -> list[DemoUser]:
    """Fill the demo province; returns the users created (to print their passwords).
    All or nothing: one transaction."""
    async with write_transaction(Account._meta.db):
        return await _load(Actor.system("demo"))


async def _load(actor: Actor) -> list[DemoUser]:
    await ensure_reference_places()
    province = await service.place_id_by_code(DEMO_PROVINCE)
    country = await service.place_id_by_code("VN")
    assert province is not None and country is not None
    commune_ids: dict[str, int] = {}
    for code, name in COMMUNES:
        place = await service.create_place(
            actor, code=code, name=name, level="commune", parent_id=province, valid_from=SINCE
        )
        commune_ids[code] = place["id"]
        station = await facilities.create(
            actor,
            code=f"TYT-{code}",
            name=f"Trạm Y tế {name}",
            kind="commune_health_station",
            place_id=place["id"],
            serves_epi=True,
        )
        await facilities.add_store(actor, station["id"], name="Tủ lạnh vắc xin", kind="refrigerator")
    cdc = await facilities.create(
        actor,
        code="CDC-08",
        name="Trung tâm Kiểm soát bệnh tật tỉnh Tuyên Quang",
        kind="provincial_centre",
        place_id=province,
        serves_epi=True,
        serves_service=True,
    )
    await facilities.add_store(actor, cdc["id"], name="Kho lạnh tỉnh", kind="cold_room")
    await facilities.add_store(actor, cdc["id"], name="Tủ đông", kind="freezer")
    clinic = await facilities.create(
        actor,
        code="DV-0801",
        name="Phòng tiêm chủng dịch vụ Minh Xuân",
        kind="private_clinic",
        place_id=commune_ids["D0801"],
        serves_epi=False,
        serves_service=True,
    )
    await facilities.add_store(actor, clinic["id"], name="Tủ lạnh", kind="refrigerator")
    station_minh_xuan = await facilities.listing(place_ids=[commune_ids["D0801"]])
    station_id = next(f["id"] for f in station_minh_xuan if f["kind"] == "commune_health_station")
    scopes = {
        Role.NATIONAL_ADMIN: {"scope_place_id": country},
        Role.PROVINCE_OFFICER: {"scope_place_id": province},
        Role.COMMUNE_OFFICER: {"scope_place_id": commune_ids["D0801"]},
        Role.VACCINATOR: {"scope_facility_id": station_id},
        Role.STOCK_CLERK: {"scope_facility_id": cdc["id"]},
        Role.PARENT: {},
    }
    for user in DEMO_USERS:
        await users.create(
            actor,
            username=user.username,
            full_name=user.full_name,
            password=user.password,
            role=user.role,
            **scopes[user.role],
        )
    return DEMO_USERS

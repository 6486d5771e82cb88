"""Demo data: one province with communes, facilities and one user per role, made
through the same service functions the API uses: children, women, stock, the first
children's vaccination histories (api/demo_doses.py), one AEFI (api/demo_aefi.py),
sessions and a campaign (api/demo_sessions.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from api import clock
from api.accounts.linking import services as linking
from api.accounts.users import services as users
from api.auth.roles import Role
from api.context import Actor
from api.demo_aefi import load_aefi
from api.demo_doses import load_histories
from api.demo_people import PeopleMaker
from api.demo_sessions import load_sessions
from api.demo_stock import load_stock
from api.places import facilities
from api.places import services as service
from api.places.importer import ensure_reference_places
from api.registry.cards import services as card
from api.registry.identity.names import fold
from api.registry.subjects import services as registry
from api.registry.subjects.services import GuardianIn, SubjectIn
from db.tables import Account
from db.unit_of_work import unit_of_work

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


CHILDREN = 300
WOMEN = 24


def _guardians(maker: PeopleMaker, child_family: str, *, phone: str | None = None) -> tuple[GuardianIn, ...]:
    mother = GuardianIn(
        maker.name("F"), "mother", phone=phone or maker.phone(), messaging_consent=True, is_primary=True
    )
    father = GuardianIn(maker.name("M", child_family), "father", phone=maker.phone())
    return (mother, father)


async def _people(actor: Actor, communes: dict[str, int], stations: dict[str, int]) -> list[int]:
    """300 children aged 0-6, women (some pregnant), and a few planted duplicates that
    the duplicate job should find."""
    maker = PeopleMaker()
    day = clock.current().today()
    codes = sorted(communes)
    registered: list[tuple[SubjectIn, int]] = []
    for number in range(CHILDREN):
        commune = codes[number % len(codes)]
        family = maker.family_name()
        person = maker.person(born_between=(day - timedelta(days=6 * 365), day), family=family)
        data = SubjectIn(
            full_name=person.full_name,
            birth_date=person.birth_date,
            sex=person.sex,
            place_id=communes[commune],
            facility_id=stations[commune],
            address_detail=maker.address(),
            guardians=_guardians(maker, family),
        )
        registered.append((data, await _register(actor, data)))
    for number in range(WOMEN):
        commune = codes[number % len(codes)]
        woman = maker.person(born_between=(day - timedelta(days=40 * 365), day - timedelta(days=18 * 365)), sex="F")
        expecting = day + timedelta(days=30 + 25 * (number // 3)) if number % 3 == 0 else None
        data = SubjectIn(
            full_name=woman.full_name,
            birth_date=woman.birth_date,
            sex="F",
            place_id=communes[commune],
            facility_id=stations[commune],
            address_detail=maker.address(),
            guardians=(GuardianIn(woman.full_name, "self", phone=maker.phone(), messaging_consent=True),),
            expected_delivery=expecting,
        )
        await _register(actor, data)
    await _plant_duplicates(actor, registered, communes, stations)
    return [subject_id for _, subject_id in registered]


async def _register(actor: Actor, data: SubjectIn) -> int:
    """Register, confirming look-alikes as distinct (common names and shared birthdays)."""
    candidates = [
        c.subject_id for c in await registry.duplicate_candidates(registry.clean(data, clock.current().today()))
    ]
    return int((await registry.register(actor, data, not_duplicate_of=tuple(candidates)))["id"])


async def _plant_duplicates(
    actor: Actor, registered: list[tuple[SubjectIn, int]], communes: dict[str, int], stations: dict[str, int]
) -> None:
    """Records a hurried nurse might create: the nightly duplicate job must list them."""
    other = sorted(communes)[-1]
    first, second, third = registered[7][0], registered[42][0], registered[99][0]
    unaccented = replace(
        first,
        full_name=fold(first.full_name).title(),
        place_id=communes[other],
        facility_id=stations[other],
        guardians=first.guardians[:1],
    )
    born = second.birth_date
    swapped = born.replace(day=born.month, month=born.day) if born.day <= 12 and born.day != born.month else born
    day_month_swapped = replace(second, birth_date=swapped, guardians=second.guardians[:1])
    words = third.full_name.split()
    typo = replace(third, full_name=" ".join([*words[:-1], words[-1][:-1] + "h"]), guardians=third.guardians[:1])
    for planted in (unaccented, day_month_swapped, typo):
        await _register(actor, planted)
    twin = replace(first, full_name=first.full_name.rsplit(" ", 1)[0] + " Khang", sex="M")
    await _register(actor, twin)


async def _link_parent(actor: Actor, subject_ids: list[int], secret_key: str) -> None:
    """The demo parent claims two children with their cards, as the app does."""
    parent = await Account.select(Account.id).where(Account.username == "phuhuynh").first()
    assert parent is not None
    for subject_id in subject_ids:
        subject = await registry.get(subject_id)
        await linking.link_by_card(
            actor, parent["id"], card.qr_text(secret_key, subject["code"]), subject["birth_date"], secret_key=secret_key
        )


async def is_empty() -> bool:
    return not await Account.exists()


async def load_demo(secret_key: str) -> list[DemoUser]:
    """Fill the demo province; returns the users created (to print their passwords).
    All or nothing: one transaction. Run by ``niis demo``, whose database session
    installs the forecast hook, so every demo subject gets its stored forecast."""
    async with unit_of_work():
        return await _load(Actor.system("demo"), secret_key)


async def _load(actor: Actor, secret_key: str) -> list[DemoUser]:
    await ensure_reference_places()
    province = await service.place_id_by_code(DEMO_PROVINCE)
    country = await service.place_id_by_code("VN")
    assert province is not None and country is not None
    cdc = await facilities.create(
        actor,
        code="CDC-08",
        name="Trung tâm Kiểm soát bệnh tật tỉnh Tuyên Quang",
        kind="provincial_centre",
        place_id=province,
        serves_epi=True,
        serves_service=True,
    )
    cdc_stores = await facilities.add_store(actor, cdc["id"], name="Kho lạnh tỉnh", kind="cold_room", level="province")
    province_store = cdc_stores["stores"][0]["id"]
    await facilities.add_store(actor, cdc["id"], name="Tủ đông", kind="freezer", level="province")
    commune_stores: list[int] = []
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
        added = await facilities.add_store(
            actor, station["id"], name="Tủ lạnh vắc xin", kind="refrigerator", supplier_id=province_store
        )
        commune_stores.append(added["stores"][0]["id"])
    clinic = await facilities.create(
        actor,
        code="DV-0801",
        name="Phòng tiêm chủng dịch vụ Minh Xuân",
        kind="private_clinic",
        place_id=commune_ids["D0801"],
        serves_epi=False,
        serves_service=True,
    )
    await facilities.add_store(
        actor, clinic["id"], name="Tủ lạnh", kind="refrigerator", level="clinic", supplier_id=province_store
    )
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
    stations = {
        code: next(f["id"] for f in await facilities.listing(place_ids=[pid]) if f["kind"] == "commune_health_station")
        for code, pid in commune_ids.items()
    }
    await load_stock(actor, province_store_id=province_store, commune_store_ids=commune_stores[:4])
    children = await _people(actor, commune_ids, stations)
    await _link_parent(actor, children[:2], secret_key)
    vaccinator = await Account.select(Account.id).where(Account.username == "tiem.minhxuan").first()
    assert vaccinator is not None
    await load_histories(actor, int(vaccinator["id"]), children)
    await load_aefi(actor, int(vaccinator["id"]), children[0])
    officer = await Account.select(Account.id).where(Account.username == "tinh.tuyenquang").first()
    assert officer is not None
    await load_sessions(
        actor,
        vaccinator_id=int(vaccinator["id"]),
        station_id=station_id,
        province_officer_id=int(officer["id"]),
        province_id=province,
    )
    return DEMO_USERS

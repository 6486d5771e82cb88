"""Searching the registry through ``GET /api/subjects?q=``, on SQLite and PostgreSQL.

Names match whatever the accents, case and word order, tolerate typos and partial names,
and rank the exact spelling first; codes, personal ID numbers and guardian phones find
the subject exactly; every search stays inside the caller's scope, except that staff
find a subject anywhere in the country by its exact code or ID number (a child who moved
in is claimed, not registered twice) — never a parent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from api.context import Actor
from api.registry.identity import codes
from api.registry.search.ranking import NameQuery
from api.registry.subjects import services as service
from db.tables import Subject
from tests.world import World

Client = httpx.AsyncClient


async def register(
    world: World,
    full_name: str,
    born: date,
    *,
    commune: str = "C1",
    facility: str = "F1",
    sex: str = "M",
    phone: str | None = None,
    personal_id: str | None = None,
) -> int:
    """Register a subject, confirming "not a duplicate" when the registry asks."""
    guardians = (service.GuardianIn("Đinh Thị Mơ", "mother", phone=phone, is_primary=True),) if phone else ()
    data = service.SubjectIn(
        full_name=full_name,
        birth_date=born,
        sex=sex,
        place_id=world.places[commune],
        facility_id=world.facilities[facility],
        personal_id=personal_id,
        guardians=guardians,
    )
    actor = Actor.system("test")
    try:
        row = await service.register(actor, data)
    except service.DuplicatesFound as found:
        others = tuple(c["subject_id"] for c in found.details["candidates"])
        row = await service.register(actor, data, not_duplicate_of=others)
    return int(row["id"])


async def find(client: Client, headers: dict[str, str], q: str, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/subjects", params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def ids(client: Client, headers: dict[str, str], q: str, **params: Any) -> list[int]:
    return [item["id"] for item in (await find(client, headers, q, **params))["items"]]


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["Nguyễn Văn An", "nguyen van an", "NGUYỄN VĂN AN", "An Nguyễn Văn", "van an nguyen", "  Nguyễn   Văn  An "],
)
async def test_names_match_whatever_the_accents_case_and_order(
    client: Client, token_for: Any, world: World, typed: str
) -> None:
    page = await find(client, await token_for("admin"), typed)
    assert page["query_kind"] == "name"
    assert [i["id"] for i in page["items"]][:1] == [world.subjects["S1"]]
    assert page["items"][0]["matched_by"] == "name"


async def test_the_exact_spelling_comes_first(client: Client, token_for: Any, world: World) -> None:
    an = world.subjects["S1"]  # Nguyễn Văn An
    an_circumflex = await register(world, "Nguyễn Văn Ân", date(2024, 1, 5))
    admin = await token_for("admin")
    assert await ids(client, admin, "Nguyễn Văn Ân") == [an_circumflex, an]
    assert await ids(client, admin, "Nguyễn Văn An") == [an, an_circumflex]
    # Without accents neither spelling is preferred: the elder comes first.
    assert await ids(client, admin, "nguyen van an") == [an_circumflex, an]


@pytest.mark.parametrize("typed", ["Ngyuen Van An", "Nguyen Vna An", "Nguyễn Văn Ann", "Nguyen Van"])
async def test_a_typo_or_a_missing_word_still_finds_the_name(
    client: Client, token_for: Any, world: World, typed: str
) -> None:
    assert await ids(client, await token_for("admin"), typed) == [world.subjects["S1"]]


@pytest.mark.parametrize(("typed", "who"), [("Nguyễn An", "S1"), ("An Nguyễn", "S1"), ("Trần Bích", "W1")])
async def test_family_and_given_name_find_the_full_name(
    client: Client, token_for: Any, world: World, typed: str, who: str
) -> None:
    page = await find(client, await token_for("admin"), typed)
    assert page["items"][0]["id"] == world.subjects[who]


async def test_ranking_exact_then_accents_then_one_typo_then_two(client: Client, token_for: Any, world: World) -> None:
    # Born the other way round, so that only the name can explain the order.
    two_typos = await register(world, "Trần Mnh Khi", date(2021, 1, 1))
    one_typo = await register(world, "Trần Minh Khoa", date(2022, 1, 1))
    other_accents = await register(world, "Trần Mình Khối", date(2023, 1, 1))
    exact = await register(world, "Trần Minh Khôi", date(2024, 1, 1))
    page = await find(client, await token_for("admin"), "Trần Minh Khôi")
    assert [i["id"] for i in page["items"]] == [exact, other_accents, one_typo, two_typos]
    scores = [i["score"] for i in page["items"]]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4
    # Võ Minh Khoa (S2) shares two words, but "Võ" is not a typo of "Trần": not found.


async def test_paging(client: Client, token_for: Any, world: World) -> None:
    born = [date(2020 + n // 12, n % 12 + 1, 1) for n in range(7)]
    made = [await register(world, "Hoàng Gia Bảo", day) for day in born]
    admin = await token_for("admin")
    pages = [await find(client, admin, "Hoàng Gia Bảo", page=n, page_size=3) for n in (1, 2, 3, 4)]
    assert [p["has_more"] for p in pages] == [True, True, False, False]
    assert [len(p["items"]) for p in pages] == [3, 3, 1, 0]
    assert [i["id"] for p in pages for i in p["items"]] == made  # by birth date, each once
    assert pages[1]["page"] == 2 and pages[1]["page_size"] == 3


async def test_paging_past_the_same_name_into_similar_names(client: Client, token_for: Any, world: World) -> None:
    same = [await register(world, "Lý Gia Hân", date(2023, m, 1)) for m in (1, 2)]
    similar = await register(world, "Lý Gia Hâm", date(2020, 1, 1))
    admin = await token_for("admin")
    first = await find(client, admin, "Lý Gia Hân", page_size=2)
    second = await find(client, admin, "Lý Gia Hân", page=2, page_size=2)
    assert [i["id"] for i in first["items"]] == same and first["has_more"]
    assert [i["id"] for i in second["items"]] == [similar] and not second["has_more"]


async def test_paging_through_longer_names_then_typos(client: Client, token_for: Any, world: World) -> None:
    longer = world.subjects["S1"]  # Nguyễn Văn An: both words typed, one more
    one_typo = await register(world, "Nguyễn Anh", date(2024, 5, 5))
    typo_and_longer = await register(world, "Nguyễn Văn Anh", date(2020, 5, 5))
    admin = await token_for("admin")
    everything = await find(client, admin, "Nguyễn An", page_size=10)
    assert [i["id"] for i in everything["items"]] == [longer, one_typo, typo_and_longer]
    assert [i["score"] for i in everything["items"]] == [0.95, 0.85, 0.8]
    pages = [await find(client, admin, "Nguyễn An", page=n, page_size=1) for n in (1, 2, 3)]
    assert [i["id"] for p in pages for i in p["items"]] == [longer, one_typo, typo_and_longer]
    assert [p["has_more"] for p in pages] == [True, True, False]


async def test_birth_date_filters(client: Client, token_for: Any, world: World) -> None:
    older = await register(world, "Phạm Thị Thu", date(2020, 6, 1), sex="F")
    younger = await register(world, "Phạm Thị Thu", date(2024, 6, 1), sex="F")
    admin = await token_for("admin")
    assert await ids(client, admin, "Phạm Thị Thu") == [older, younger]
    assert await ids(client, admin, "Phạm Thị Thu", born_from="2021-01-01") == [younger]
    assert await ids(client, admin, "Phạm Thị Thu", born_to="2021-01-01") == [older]
    assert await ids(client, admin, "Phạm Thị Thu", born_from="2020-06-01", born_to="2020-06-01") == [older]
    assert await ids(client, admin, "Phạm Thị Thu", born_from="2025-01-01") == []


async def test_a_name_nobody_has_finds_nothing(client: Client, token_for: Any, world: World) -> None:
    page = await find(client, await token_for("admin"), "Xyzzy Qwerty")
    assert page["items"] == [] and not page["has_more"] and page["query_kind"] == "name"


# --- both engines agree -------------------------------------------------------------------

CROWD = [
    "Nguyễn Văn Anh",
    "Nguyễn Văn Ánh",
    "Nguyễn Thị An",
    "Nguyễn Ngọc Bảo An",
    "Nguyễn An",
    "Văn An Nguyễn",
    "Trần Văn An",
    "Lê Văn An",
    "Nguyễn Văn Bình",
    "Nguyễn Vân An",
    "Ngô Văn An",
    "Nguyễn Hữu Ân",
    "Hoàng Anh",
    "An Thị Lan",
]
QUERIES = [
    "Nguyễn Văn An",
    "nguyen van anh",
    "Nguyen An",
    "An",
    "Văn An",
    "Ngyuen Vna Ahn",
    "Lan An",
    "Thị",
    "Nguyenn Thi",
    "Hoàng Ahn",
]


def reference(query: str, rows: list[dict[str, Any]]) -> list[int]:
    """The specification, computed by brute force over every subject: the same name key,
    or every typed word in the name exactly or one typo away; ranked by score, then birth
    date, then id."""
    wanted = NameQuery(query)
    found = [
        (wanted.score(r["full_name"], r["name_key"]), r["birth_date"], r["id"]) for r in rows if r["status"] != "merged"
    ]
    return [subject_id for rank, _, subject_id in sorted(found, key=lambda f: (-f[0], f[1], f[2])) if rank > 0]


async def test_every_engine_finds_what_the_specification_says(client: Client, token_for: Any, world: World) -> None:
    for n, name in enumerate(CROWD):
        await register(
            world,
            name,
            date(2019 + n % 6, n % 12 + 1, 10),
            commune=("C1", "C1b", "C2")[n % 3],
            facility=("F1", "F1b", "F2")[n % 3],
        )
    rows = list(await Subject.select())
    admin = await token_for("admin")
    for query in QUERIES:
        expected = reference(query, rows)
        assert await ids(client, admin, query, page_size=100) == expected, query
    assert len(reference("Nguyễn Văn An", rows)) >= 5
    assert len(reference("An", rows)) >= 8


async def test_a_new_word_is_known_at_once_and_so_is_a_corrected_name(
    client: Client, token_for: Any, world: World
) -> None:
    admin = await token_for("admin")
    subject = await register(world, "Quách Thiên Vũ", date(2024, 8, 8))
    assert await ids(client, admin, "Quach Thienn Vu") == [subject]
    corrected = await client.patch(
        f"/api/subjects/{subject}", json={"full_name": "Bạch Tuyết Nhi", "version": 1}, headers=admin
    )
    assert corrected.status_code == 200, corrected.text
    assert await ids(client, admin, "Bach Tuyett Nhi") == [subject]
    assert await ids(client, admin, "Quach Thienn Vu") == []


# --- codes, ID numbers, phones -------------------------------------------------------------


async def _set_code(subject_id: int, body: str) -> str:
    code = body + codes._check_character(body)
    await Subject.update({Subject.code: code}).where(Subject.id == subject_id)
    return code


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: codes.display(c),
        lambda c: c,
        lambda c: codes.display(c).lower(),
        lambda c: codes.display(c).replace("0", "O").replace("1", "I"),
        lambda c: c.replace("1", "l").lower(),
    ],
)
async def test_search_by_code(client: Client, token_for: Any, world: World, typed: Any) -> None:
    code = await _set_code(world.subjects["S1"], "10KM2Q1X")
    page = await find(client, await token_for("vac1"), typed(code))
    assert page["query_kind"] == "code"
    assert [(i["id"], i["matched_by"], i["code_display"]) for i in page["items"]] == [
        (world.subjects["S1"], "code", codes.display(code))
    ]


async def test_a_mistyped_code_is_not_a_code_and_finds_nothing(client: Client, token_for: Any, world: World) -> None:
    code = await _set_code(world.subjects["S1"], "10KM2Q1X")
    wrong = code[:2] + "J" + code[3:]
    assert not codes.looks_like_code(wrong)
    page = await find(client, await token_for("admin"), codes.display(wrong))
    assert page["query_kind"] == "name" and page["items"] == []


async def test_search_by_personal_id(client: Client, token_for: Any, world: World) -> None:
    subject = await register(world, "Đặng Quốc Huy", date(2025, 2, 3), personal_id="001225000123")
    admin = await token_for("admin")
    for typed in ("001225000123", "001 225 000 123", "001.225.000.123"):
        page = await find(client, admin, typed)
        assert page["query_kind"] == "personal_id"
        assert [i["id"] for i in page["items"]] == [subject]
    assert await ids(client, admin, "001225000124") == []


@pytest.mark.parametrize("typed", ["0912345678", "0912 345 678", "+84912345678", "+84 912 345 678", "0912.345.678"])
async def test_search_by_guardian_phone(client: Client, token_for: Any, world: World, typed: str) -> None:
    page = await find(client, await token_for("com1"), typed)
    assert page["query_kind"] == "phone"
    assert [i["id"] for i in page["items"]] == [world.subjects["S1"]]


async def test_a_phone_shared_by_siblings_finds_both(client: Client, token_for: Any, world: World) -> None:
    sibling = await register(world, "Nguyễn Thị Mai", date(2023, 4, 4), sex="F", phone="0912345678")
    assert sorted(await ids(client, await token_for("vac1"), "0912 345 678")) == sorted([world.subjects["S1"], sibling])


# --- scope -----------------------------------------------------------------------------------


async def test_a_name_search_never_leaves_the_callers_area(client: Client, token_for: Any, world: World) -> None:
    here = world.subjects["S1"]
    there = await register(world, "Nguyễn Văn An", date(2024, 2, 2), commune="C2", facility="F2")
    assert await ids(client, await token_for("admin"), "Nguyễn Văn An") == [there, here]
    for user in ("com1", "vac1", "prov1", "parent1"):
        assert await ids(client, await token_for(user), "Nguyễn Văn An") == [here], user
    for user in ("prov2", "vac2"):
        assert await ids(client, await token_for(user), "Nguyễn Văn An") == [there], user
    # Nor does a typo, a partial name or a phone number.
    assert await ids(client, await token_for("com1"), "Ngyuen Van An") == [here]
    assert await ids(client, await token_for("vac2"), "Nguyễn An") == [there]
    assert await ids(client, await token_for("vac2"), "0912345678") == []


async def test_staff_find_anyone_by_exact_code_or_id_but_a_parent_does_not(
    client: Client, token_for: Any, world: World
) -> None:
    elsewhere = await register(
        world, "Võ Thị Hạnh", date(2025, 1, 9), commune="C2", facility="F2", sex="F", personal_id="079325000456"
    )
    code = (await service.get(elsewhere))["code"]
    for user in ("com1", "vac1", "prov1"):
        headers = await token_for(user)
        assert await ids(client, headers, codes.display(code)) == [elsewhere], user
        assert await ids(client, headers, "079325000456") == [elsewhere], user
        assert await ids(client, headers, "Võ Thị Hạnh") == [], user
    parent = await token_for("parent1")
    assert await ids(client, parent, codes.display(code)) == []
    assert await ids(client, parent, "079325000456") == []
    own = (await service.get(world.subjects["S1"]))["code"]
    assert await ids(client, parent, own) == [world.subjects["S1"]]
    assert await ids(client, parent, "0913000111") == []  # W1's mother: not linked


async def test_a_merged_subjects_code_leads_to_the_survivor(client: Client, token_for: Any, world: World) -> None:
    survivor = world.subjects["S1"]
    merged = await register(world, "Nguyễn Văn Ann", date(2025, 3, 14))
    await Subject.update({Subject.status: "merged", Subject.merged_into: survivor}).where(Subject.id == merged)
    code = (await Subject.select(Subject.code).where(Subject.id == merged).first())["code"]  # type: ignore[index]
    admin = await token_for("admin")
    assert await ids(client, admin, codes.display(code)) == [survivor]
    assert merged not in await ids(client, admin, "Nguyễn Văn Ann")

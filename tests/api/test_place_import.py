"""`niis import-places` as an operator uses it: the pre-2025 map (provinces valid from
1991, with districts and communes) extends the seeded provinces back, the post-reform
list merges and abolishes units, re-running either file changes nothing, and a bad file
is refused whole with the line and code to correct."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.accounts.users import services as users
from api.auth.roles import Role
from api.auth.sessions import create_session
from api.context import Actor
from api.errors import Invalid
from api.places import facilities, importer
from api.places import services as service
from api.registry.subjects import services as subjects
from db.tables import PlaceChange
from tests.national_map import NationalMap
from tests.world import PASSWORD

HEADER = "code,name,level,parent_code,valid_from,event,successor_code\n"
# Tuyên Quang and Hà Giang, re-established in 1991; An Giang's code 91 was Kiên Giang's.
BEFORE_2025 = HEADER + (
    "08,Tỉnh Tuyên Quang,province,VN,1991-10-01,created,\n"
    "02,Tỉnh Hà Giang,province,VN,1991-10-01,created,\n"
    "91,Tỉnh Kiên Giang,province,VN,1976-07-02,,\n"
    "070,Thị xã Tuyên Quang,district,08,1991-10-01,,\n"
    "024,Huyện Bắc Mê,district,02,1991-10-01,,\n"
    "02215,Phường Phan Thiết,commune,070,1991-10-01,,\n"
    "00700,Xã Yên Phong,commune,024,1991-10-01,,\n"
    "00703,Xã Minh Ngọc,commune,024,1991-10-01,,\n"
    "070,Thành phố Tuyên Quang,district,08,2010-07-02,renamed,\n"
)
# Nghị quyết 202/2025/QH15 and the commune decisions, as lines.
REFORM = HEADER + (
    "02,Tỉnh Hà Giang,province,,2025-07-01,merged_into,08\n"
    "00700,Xã Bắc Mê,commune,08,2025-07-01,renamed,\n"
    "00703,Xã Minh Ngọc,commune,,2025-07-01,merged_into,00700\n"
    "024,Huyện Bắc Mê,district,,2025-07-01,abolished,\n"
    "070,Thành phố Tuyên Quang,district,,2025-07-01,abolished,\n"
)
IMPORTER = Actor.system("import-places")


async def tree_on(client: Any, headers: dict[str, str], as_of: str | None = None) -> dict[str, tuple[str, str | None]]:
    """code → (name, parent's code), for the tree a national admin reads on a date."""
    params = {"as_of": as_of} if as_of else {}
    rows = (await client.get("/api/places", params=params, headers=headers)).json()
    code = {r["id"]: r["code"] for r in rows}
    return {r["code"]: (r["name"], code.get(r["parent_id"])) for r in rows}


async def history(client: Any, headers: dict[str, str], code: str) -> list[tuple[str, str, str | None, str]]:
    place_id = await service.place_id_by_code(code)
    rows = (await client.get(f"/api/places/{place_id}/history", headers=headers)).json()
    return [(r["name"], r["valid_from"], r["valid_to"], r["change"]) for r in rows]


async def officer_of(code: str) -> dict[str, str]:
    place_id = await service.place_id_by_code(code)
    user = await users.create(
        Actor.system("test"),
        username=f"officer{code}",
        full_name="Province Officer",
        password=PASSWORD,
        role=Role.PROVINCE_OFFICER,
        scope_place_id=place_id,
    )
    token, _, _ = await create_session(user["id"], hours=1, client_address=None, user_agent=None)
    return {"Authorization": f"Bearer {token}"}


async def register_in(commune_code: str) -> int:
    """A child registered at the commune's station while the old map was in force."""
    actor = Actor.system("test")
    place_id = await service.place_id_by_code(commune_code)
    assert place_id is not None
    station = await facilities.create(
        actor, code=f"TYT-{commune_code}", name="Trạm Y tế", kind="commune_health_station", place_id=place_id
    )
    row = await subjects.register(
        actor,
        subjects.SubjectIn(
            full_name="Ma Văn Sơn",
            birth_date=date(2024, 2, 3),
            sex="M",
            place_id=place_id,
            facility_id=station["id"],
            guardians=(subjects.GuardianIn("Ma Thị Hoa", "mother", phone="0912000333", is_primary=True),),
        ),
    )
    return int(row["id"])


async def changes() -> list[tuple[str, str]]:
    rows = await PlaceChange.select(PlaceChange.kind, PlaceChange.summary).order_by(PlaceChange.id)
    return [(row["kind"], row["summary"]) for row in rows]


async def test_the_pre_2025_map_then_the_reform_list(client: Any, world: Any, token_for: Any) -> None:
    admin = await token_for("admin")
    await importer.ensure_reference_places()
    before = len(await changes())

    loaded = await importer.import_units(IMPORTER, BEFORE_2025)
    assert loaded.extended == ["91", "08"] and sorted(loaded.created) == sorted(
        ["02", "070", "024", "02215", "00700", "00703"]
    )
    child = await register_in("00703")
    reformed = await importer.import_units(IMPORTER, REFORM)
    assert reformed.merged == ["02", "00703"] and reformed.abolished == ["024", "070"]

    then = await tree_on(client, admin, "1995-01-01")
    assert then["08"] == ("Tỉnh Tuyên Quang", "VN") and then["02"] == ("Tỉnh Hà Giang", "VN")
    assert then["91"] == ("Tỉnh Kiên Giang", "VN") and "01" not in then  # Hà Nội's history is not loaded
    assert then["024"] == ("Huyện Bắc Mê", "02") and then["00703"] == ("Xã Minh Ngọc", "024")
    assert then["070"] == ("Thị xã Tuyên Quang", "08")
    today = await tree_on(client, admin)
    assert not {"02", "024", "070", "00703"} & today.keys()
    assert today["00700"] == ("Xã Bắc Mê", "08") and today["02215"] == ("Phường Phan Thiết", "08")
    assert today["91"] == ("Tỉnh An Giang", "VN")

    assert await history(client, admin, "08") == [("Tỉnh Tuyên Quang", "1991-10-01", None, "created")]
    assert await history(client, admin, "91") == [
        ("Tỉnh Kiên Giang", "1976-07-02", "2025-07-01", "created"),
        ("Tỉnh An Giang", "2025-07-01", None, "renamed"),
    ]
    merged = (await client.get(f"/api/places/{await service.place_id_by_code('00703')}/history", headers=admin)).json()
    assert merged[-1]["valid_to"] == "2025-07-01"
    assert merged[-1]["successor_id"] == await service.place_id_by_code("00700")

    # The child registered in Minh Ngọc is Tuyên Quang's now, and not Hà Nội's.
    assert (await client.get(f"/api/subjects/{child}", headers=await officer_of("08"))).status_code == 200
    assert (await client.get(f"/api/subjects/{child}", headers=await token_for("prov1"))).status_code == 404

    assert [kind for kind, _ in (await changes())[before:]] == [
        *["extended"] * 2,
        *["created"] * 6,
        "renamed",
        "renamed",
        "moved",
        "merged",
        "merged",
        "abolished",
        "abolished",
    ]
    assert ("merged", "Xã Minh Ngọc (00703) merged into Xã Bắc Mê (00700)") in await changes()

    # Loading either file again, or migrating, changes nothing.
    recorded = await changes()
    assert (await importer.import_units(IMPORTER, BEFORE_2025)).counts() == {**NOTHING, "unchanged": 9}
    assert (await importer.import_units(IMPORTER, REFORM)).counts() == {**NOTHING, "unchanged": 5}
    assert (await importer.ensure_reference_places()).counts() == {**NOTHING, "unchanged": 35}
    assert await changes() == recorded


NOTHING = {"created": 0, "renamed": 0, "moved": 0, "merged": 0, "abolished": 0, "extended": 0}

GOOD_LINE = "00127,Xã Một,commune,01,2025-07-01,,\n"
BAD_FILES = {
    "a missing column": (
        "code,name,level,valid_from\n00127,Xã Một,commune,2025-07-01\n",
        "line 1: the file lacks the column(s) parent_code",
    ),
    "a bad date": (
        HEADER + GOOD_LINE + "00128,Xã Hai,commune,01,2025-13-01,,\n",
        "line 3, code 00128, column valid_from: '2025-13-01' is not a date like 2025-07-01",
    ),
    "an unknown level": (
        HEADER + GOOD_LINE + "00128,Xã Hai,comune,01,2025-07-01,,\n",
        "line 3, code 00128, column level: unknown level 'comune'",
    ),
    "a code twice on one day": (
        HEADER + GOOD_LINE + "00127,Xã Một B,commune,01,2025-07-01,,\n",
        "line 3, code 00127: appears twice on 2025-07-01 (also on line 2)",
    ),
    "a cycle": (
        HEADER + GOOD_LINE + "001,Huyện A,district,002,1995-01-01,,\n002,Huyện B,district,001,1995-01-01,,\n",
        "code 001, column parent_code: the parents make a cycle on 1995-01-01: 001 → 002 → 001",
    ),
    "a child valid before its parent": (
        HEADER + GOOD_LINE + "00200,Xã Ba,commune,001,1995-01-01,,\n001,Huyện A,district,01,1997-01-01,,\n",
        "line 3, code 00200, column parent_code: parent_code 001 is not a known unit on 1995-01-01"
        " (line 4 has it from 1997-01-01)",
    ),
    "a merge into an unknown unit": (
        HEADER + GOOD_LINE + "00004,,,,2026-01-01,merged_into,99999\n",
        "line 3, code 00004, column successor_code: successor_code 99999 is not a known unit on 2026-01-01",
    ),
    "a merge into an abolished unit": (
        HEADER + GOOD_LINE + "00070,,,,2026-01-01,abolished,\n00004,,,,2026-02-01,merged_into,00070\n",
        "line 4, code 00004, column successor_code: successor_code 00070 is not a known unit on 2026-02-01"
        " (the map has it from 2025-07-01 to 2026-01-01)",
    ),
    "a merge with no successor": (
        HEADER + GOOD_LINE + "00004,,,,2026-01-01,merged_into,\n",
        "line 3, code 00004, column successor_code: a merged_into line names the unit it is merged into",
    ),
    "a change inside recorded history": (
        HEADER + GOOD_LINE + "00001,Phường Phúc Xá Cũ,commune,01,2025-08-01,renamed,\n",
        "line 3, code 00001, column valid_from: the map has 00001 as Phường Phúc Xá from 2025-07-01 to 2025-09-01:",
    ),
    "a change of a merged unit": (
        HEADER + GOOD_LINE + "00001,Phường Phúc Xá Mới,commune,01,2025-10-01,renamed,\n",
        "line 3, code 00001: 00001 ended on 2025-09-01, passing to 00004; it cannot change",
    ),
}


@pytest.mark.parametrize("text, message", BAD_FILES.values(), ids=BAD_FILES.keys())
async def test_a_bad_file_is_refused_whole_naming_the_line_and_code(world: Any, text: str, message: str) -> None:
    recorded = await changes()
    with pytest.raises(Invalid) as refused:
        await importer.import_units(IMPORTER, text)
    assert message in refused.value.message
    assert await service.place_id_by_code("00127") is None
    assert await changes() == recorded


# 40 provinces (the 34 seeded and 6 that merge into them), 80 districts, 480 communes
# merged down to 160: 626 lines before 2025 and 558 in the reform list.
MAP = NationalMap(
    provinces=40,
    districts_per_province=2,
    communes_per_district=6,
    survivors=160,
    first_district=500,
    first_commune=50_000,
)


async def test_a_national_file_is_written_in_a_few_statements_not_some_per_line(
    client: Any, world: Any, database: Any, token_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator's national file (11,000 communes) must load in seconds: the loader
    reads the tree once and writes in bulk, so the statements it sends do not grow with
    the file (they were about ten per line, 6,193 and 3,897 here, two of them reading the
    whole tree again)."""
    await importer.ensure_reference_places()
    statements = 0
    engine = type(database.engine)  # (Piccolo's engines have slots: counted on the class)
    run_querystring = engine.run_querystring

    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal statements
        statements += 1
        return await run_querystring(self, *args, **kwargs)

    monkeypatch.setattr(engine, "run_querystring", counted)

    async def load(text: str) -> tuple[dict[str, int], int]:
        nonlocal statements
        statements = 0
        counts = (await importer.import_units(IMPORTER, text)).counts()
        return counts, statements

    before, written = await load(MAP.before_2025())
    assert before["created"] == 6 + 80 + 480 and before["extended"] == 34 and before["merged"] > 0
    reform, rewritten = await load(MAP.reform())
    assert reform["merged"] + before["merged"] == 6 + 480 - 160 and reform["abolished"] == 80
    assert written < 40 and rewritten < 40, (written, rewritten)
    for text in (MAP.before_2025(), MAP.reform()):
        again, reread = await load(text)
        assert again == {**NOTHING, "unchanged": text.count("\n") - 1} and reread < 10

    admin = await token_for("admin")
    generated = {MAP.commune_code(i) for i in range(MAP.communes)}
    then = await tree_on(client, admin, "2000-01-01")
    assert len(generated & then.keys()) == MAP.communes
    today = await tree_on(client, admin)
    assert len(generated & today.keys()) == 160
    assert {today[code][1] for code in generated & today.keys()} <= set(MAP.province_codes[:34])

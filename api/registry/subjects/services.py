"""The subject registry: register, read, correct, move, record a death or a pregnancy.

Every write is one transaction with its audit rows. Duplicate candidates are looked for
before a registration; a registration with candidates needs an explicit confirmation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any

from api import clock
from api.audit import services as audit
from api.context import Actor
from api.errors import Conflict, Invalid, NotFound
from api.phones import normalize_phone
from api.places.services import load_tree
from api.registry.changes import subject_changed
from api.registry.duplicates import services as duplicates
from api.registry.identity import codes
from api.registry.identity.names import display_name, name_key
from api.registry.search import index
from api.registry.subjects.validation import check_birth_date, check_expected_delivery, check_personal_id_number
from db.tables import Facility, Guardian, Pregnancy, Subject, SubjectGuardian, SubjectMove
from db.unit_of_work import lock_row, unit_of_work

RELATIONSHIPS = ("mother", "father", "grandparent", "sibling", "carer", "self")
STATUSES = ("active", "moved", "deceased", "lost")


@dataclass(frozen=True)
class GuardianIn:
    full_name: str
    relationship: str
    phone: str | None = None
    personal_id: str | None = None
    messaging_consent: bool = False
    is_primary: bool = False


@dataclass(frozen=True)
class SubjectIn:
    full_name: str
    birth_date: date
    sex: str
    place_id: int
    facility_id: int
    address_detail: str = ""
    birth_time: time | None = None
    personal_id: str | None = None
    ethnicity: str | None = None
    guardians: tuple[GuardianIn, ...] = field(default_factory=tuple)
    expected_delivery: date | None = None


class DuplicatesFound(Conflict):
    """Registration stopped: records that may be the same person exist."""

    code = "possible_duplicates"


def _clean_guardian(guardian: GuardianIn, number: int) -> GuardianIn:
    if guardian.relationship not in RELATIONSHIPS:
        raise Invalid(f"relationship is one of {', '.join(RELATIONSHIPS)}", field=f"guardians[{number}].relationship")
    phone = normalize_phone(guardian.phone, field=f"guardians[{number}].phone") if guardian.phone else None
    personal_id = (
        check_personal_id_number(
            guardian.personal_id, birth_date=None, sex=None, field=f"guardians[{number}].personal_id"
        )
        if guardian.personal_id
        else None
    )
    return GuardianIn(
        display_name(guardian.full_name),
        guardian.relationship,
        phone,
        personal_id,
        guardian.messaging_consent,
        guardian.is_primary,
    )


async def _managing_place(facility_id: int, *, field_name: str = "facility_id") -> int:
    row = await Facility.select(Facility.place, Facility.active).where(Facility.id == facility_id).first()
    if row is None or not row["active"]:
        raise Invalid(f"Facility {facility_id} does not exist or is closed", field=field_name)
    return int(row["place"])


async def _check_place(place_id: int, day: date) -> None:
    tree = await load_tree()
    if tree.version(place_id, day) is None:
        raise Invalid(f"Place {place_id} does not exist today", field="place_id")


def clean(data: SubjectIn, day: date) -> SubjectIn:
    """Validate and normalize a registration (or a corrected record); 422 on the first problem."""
    name = display_name(data.full_name)
    if not name_key(name):
        raise Invalid("The name is empty", field="full_name")
    check_birth_date(data.birth_date, day)
    if data.sex not in ("F", "M", "U"):
        raise Invalid("sex is F, M or U (unknown)", field="sex")
    personal_id = (
        check_personal_id_number(data.personal_id, birth_date=data.birth_date, sex=data.sex, field="personal_id")
        if data.personal_id
        else None
    )
    if data.expected_delivery is not None:
        if data.sex != "F":
            raise Invalid("Only a woman can have a pregnancy recorded", field="expected_delivery")
        check_expected_delivery(data.expected_delivery, day)
    guardians = tuple(_clean_guardian(g, n) for n, g in enumerate(data.guardians))
    return SubjectIn(
        full_name=name,
        birth_date=data.birth_date,
        sex=data.sex,
        place_id=data.place_id,
        facility_id=data.facility_id,
        address_detail=data.address_detail.strip(),
        birth_time=data.birth_time,
        personal_id=personal_id,
        ethnicity=data.ethnicity,
        guardians=guardians,
        expected_delivery=data.expected_delivery,
    )


def duplicate_profile(data: SubjectIn) -> duplicates.Profile:
    """What duplicate detection compares about a registration about to be made."""
    return duplicates.Profile(
        None,
        name_key(data.full_name),
        data.birth_date,
        data.sex,
        data.personal_id,
        frozenset(name_key(g.full_name) for g in data.guardians if g.relationship == "mother"),
        frozenset(g.phone for g in data.guardians if g.phone),
    )


async def duplicate_candidates(data: SubjectIn) -> list[duplicates.Candidate]:
    """Stored subjects that may be the same person as a registration about to be made."""
    return await duplicates.candidates_for(duplicate_profile(data))


async def _new_code() -> str:
    while True:
        code = codes.new_code()
        if not await Subject.exists().where(Subject.code == code):
            return code


async def _add_guardian(subject_id: int, guardian: GuardianIn, now: datetime) -> int:
    """Link a guardian, reusing the one already known by the same phone and name."""
    existing = None
    if guardian.phone:
        existing = (
            await Guardian.select(Guardian.id)
            .where((Guardian.phone == guardian.phone) & (Guardian.name_key == name_key(guardian.full_name)))
            .first()
        )
    if existing is not None:
        guardian_id = int(existing["id"])
    else:
        created = await Guardian.insert(
            Guardian(
                full_name=guardian.full_name,
                name_key=name_key(guardian.full_name),
                phone=guardian.phone,
                personal_id=guardian.personal_id,
                messaging_consent=guardian.messaging_consent,
                created_at=now,
            )
        ).returning(Guardian.id)
        guardian_id = int(created[0]["id"])
    await SubjectGuardian.insert(
        SubjectGuardian(
            subject=subject_id,
            guardian=guardian_id,
            relationship=guardian.relationship,
            is_primary=guardian.is_primary,
        )
    )
    return guardian_id


async def register(actor: Actor, data: SubjectIn, *, not_duplicate_of: tuple[int, ...] = ()) -> dict[str, Any]:
    """Register a subject. Raises :class:`DuplicatesFound` (409, with the candidates)
    unless every candidate found is listed in ``not_duplicate_of`` (the caller looked
    and confirmed these are other people)."""
    day = clock.current().today()
    data = clean(data, day)
    async with unit_of_work():
        await _check_place(data.place_id, day)
        managing_place = await _managing_place(data.facility_id)
        if data.personal_id and await Subject.exists().where(Subject.personal_id == data.personal_id):
            existing = (
                await Subject.select(Subject.id, Subject.code).where(Subject.personal_id == data.personal_id).first()
            )
            raise DuplicatesFound(
                "A subject with this personal ID number is already registered",
                details={"field": "personal_id", "candidates": [existing]},
            )
        candidates = await duplicate_candidates(data)
        unconfirmed = [c for c in candidates if c.subject_id not in not_duplicate_of]
        if unconfirmed:
            raise DuplicatesFound(
                "Records that may be the same person exist: check them, then confirm with not_duplicate_of",
                details={"candidates": [c.as_dict() for c in unconfirmed]},
            )
        now = clock.current().now()
        subject = Subject(
            code=await _new_code(),
            personal_id=data.personal_id,
            full_name=data.full_name,
            name_key=name_key(data.full_name),
            birth_date=data.birth_date,
            birth_time=data.birth_time,
            sex=data.sex,
            ethnicity=data.ethnicity,
            place=data.place_id,
            address_detail=data.address_detail,
            facility=data.facility_id,
            managing_place=managing_place,
            status="active",
            version=1,
            created_at=now,
            updated_at=now,
        )
        subject_id = await audit.insert_audited(
            actor,
            subject,
            action="subject.register",
            entity="subject",
            place_id=data.place_id,
            shown=("code", "full_name", "birth_date", "sex", "personal_id", "place", "facility"),
        )
        await index.index_name(subject_id, subject.name_key)
        for guardian in data.guardians:
            await _add_guardian(subject_id, guardian, now)
        if data.expected_delivery is not None:
            await Pregnancy.insert(
                Pregnancy(subject=subject_id, expected_delivery=data.expected_delivery, recorded_at=now)
            )
        if not_duplicate_of:
            await audit.record(
                actor,
                "subject.not_duplicate",
                "subject",
                subject_id,
                place_id=data.place_id,
                after={"confirmed_distinct_from": list(not_duplicate_of)},
            )
        await subject_changed(subject_id)
    return await get(subject_id)


async def get(subject_id: int) -> dict[str, Any]:
    """A subject with guardians and pregnancies (a merged subject answers as its survivor)."""
    row = await Subject.select().where(Subject.id == subject_id).first()
    if row is None:
        raise NotFound(f"Subject {subject_id} not found")
    if row["merged_into"] is not None and row["status"] == "merged":
        return await get(int(row["merged_into"]))
    row["code_display"] = codes.display(row["code"])
    row["guardians"] = (
        await SubjectGuardian.select(
            SubjectGuardian.guardian.id.as_alias("id"),
            SubjectGuardian.guardian.full_name.as_alias("full_name"),
            SubjectGuardian.guardian.phone.as_alias("phone"),
            SubjectGuardian.guardian.personal_id.as_alias("personal_id"),
            SubjectGuardian.guardian.messaging_consent.as_alias("messaging_consent"),
            SubjectGuardian.relationship,
            SubjectGuardian.is_primary,
        )
        .where(SubjectGuardian.subject == subject_id)
        .order_by(SubjectGuardian.id)
    )
    row["pregnancies"] = (
        await Pregnancy.select(Pregnancy.id, Pregnancy.expected_delivery, Pregnancy.ended_on)
        .where(Pregnancy.subject == subject_id)
        .order_by(Pregnancy.expected_delivery)
    )
    return row


async def by_code(text: str) -> dict[str, Any]:
    """The subject a lifelong code belongs to (following merges); 422 if mistyped."""
    try:
        code = codes.normalize(text)
    except codes.CodeError as exc:
        raise Invalid(str(exc), field="code") from None
    row = await Subject.select(Subject.id).where(Subject.code == code).first()
    if row is None:
        raise NotFound(f"No subject has the code {codes.display(code)}")
    return await get(int(row["id"]))


# Corrections the engine reads: the stored forecast is recomputed after them.
FORECAST_FACTS = {"birth_date", "sex", "status"}
CORRECTABLE = ("full_name", "birth_date", "birth_time", "sex", "personal_id", "ethnicity", "address_detail", "status")


async def correct(
    actor: Actor, subject_id: int, requested: dict[str, Any], *, version: int | None = None
) -> dict[str, Any]:
    """Correct a subject's record. ``version`` (as read) guards against overwriting a
    correction made meanwhile on another device: 409 if it moved on."""
    unknown = set(requested) - set(CORRECTABLE)
    if unknown:
        raise Invalid(f"These fields cannot be corrected here: {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    day = clock.current().today()
    async with unit_of_work():
        # No lock: the update below applies only if the version is still the one read.
        before = await Subject.select().where(Subject.id == subject_id).first()
        if before is None or before["status"] == "merged":
            raise NotFound(f"Subject {subject_id} not found")
        if version is not None and version != before["version"]:
            raise _changed_meanwhile(before["version"])
        merged = {**before, **{k: v for k, v in requested.items() if v is not None}}
        if merged["status"] not in STATUSES:
            raise Invalid(f"status is one of {', '.join(STATUSES)}", field="status")
        cleaned = clean(
            SubjectIn(
                full_name=merged["full_name"],
                birth_date=merged["birth_date"],
                sex=merged["sex"],
                place_id=before["place"],
                facility_id=before["facility"],
                address_detail=merged["address_detail"],
                birth_time=merged["birth_time"],
                personal_id=merged["personal_id"],
                ethnicity=merged["ethnicity"],
            ),
            day,
        )
        values = {**{k: v for k, v in asdict(cleaned).items() if k in CORRECTABLE}, "status": merged["status"]}
        changes = audit.changed_fields(before, values)
        if (
            "personal_id" in changes
            and changes["personal_id"]
            and await Subject.exists().where(
                (Subject.personal_id == changes["personal_id"]) & (Subject.id != subject_id)
            )
        ):
            raise DuplicatesFound(
                "Another subject already has this personal ID number", details={"field": "personal_id"}
            )
        if changes:
            if "full_name" in changes:
                changes["name_key"] = name_key(changes["full_name"])
                await index.index_name(subject_id, changes["name_key"])
            changes["version"] = before["version"] + 1
            changes["updated_at"] = clock.current().now()
            applied = await audit.update_audited(
                actor,
                Subject,
                subject_id,
                before,
                changes,
                action="subject.correct",
                entity="subject",
                place_id=before["place"],
                expected_version=before["version"],
            )
            if not applied:
                current = await Subject.select(Subject.version).where(Subject.id == subject_id).first()
                raise _changed_meanwhile(current["version"] if current else before["version"])
            if changes.keys() & FORECAST_FACTS:
                await subject_changed(subject_id)
    return await get(subject_id)


def _changed_meanwhile(current_version: int) -> Conflict:
    return Conflict(
        "Someone else changed this record meanwhile: reload it and try again",
        details={"field": "version", "current_version": current_version},
    )


@dataclass(frozen=True, slots=True)
class MoveTo:
    """Where a subject moves (commune and managing facility), on which day and why."""

    place_id: int
    facility_id: int
    moved_on: date
    reason: str
    address_detail: str | None = None


async def move(actor: Actor, subject_id: int, to: MoveTo) -> dict[str, Any]:
    """The subject now lives in another commune and is managed by another facility, for
    ``to.reason`` (a direct move must give one; an approved request passes its own, which
    may be empty). The history stays; both sides see the move and why (``subject_move``, audit)."""
    place_id, facility_id, moved_on, address_detail = to.place_id, to.facility_id, to.moved_on, to.address_detail
    day = clock.current().today()
    if moved_on > day:
        raise Invalid("The move date is in the future", field="moved_on")
    reason = to.reason.strip()
    async with unit_of_work():
        before = await lock_row(Subject, subject_id)
        if before is None or before["status"] == "merged":
            raise NotFound(f"Subject {subject_id} not found")
        if before["status"] == "deceased":
            raise Conflict("A deceased subject cannot move", details={"field": "status"})
        await _check_place(place_id, day)
        managing_place = await _managing_place(facility_id)
        if place_id == before["place"] and facility_id == before["facility"]:
            raise Invalid("The subject already lives there and is managed by that facility", field="place_id")
        now = clock.current().now()
        await SubjectMove.insert(
            SubjectMove(
                subject=subject_id,
                moved_on=moved_on,
                from_place=before["place"],
                to_place=place_id,
                from_facility=before["facility"],
                to_facility=facility_id,
                recorded_at=now,
                reason=reason,
            )
        )
        changes: dict[str, Any] = {
            "place": place_id,
            "facility": facility_id,
            "managing_place": managing_place,
            "status": "active",
            "version": before["version"] + 1,
            "updated_at": now,
        }
        if address_detail is not None:
            changes["address_detail"] = address_detail.strip()
        await audit.update_audited(
            actor,
            Subject,
            subject_id,
            before,
            changes,
            action="subject.move",
            entity="subject",
            place_id=place_id,
            why={"reason": reason},
        )
        # The commune left behind sees the move in its own audit trail too.
        await audit.record(
            actor,
            "subject.moved_out",
            "subject",
            subject_id,
            place_id=before["place"],
            after={"to_place": place_id, "to_facility": facility_id, "moved_on": moved_on, "reason": reason},
        )
        # The stored forecast carries the facility and commune its due lists scan.
        await subject_changed(subject_id)
    return await get(subject_id)


async def record_death(actor: Actor, subject_id: int, *, died_on: date) -> dict[str, Any]:
    async with unit_of_work():
        before = await lock_row(Subject, subject_id)
        if before is None or before["status"] == "merged":
            raise NotFound(f"Subject {subject_id} not found")
        if died_on > clock.current().today() or died_on < before["birth_date"]:
            raise Invalid("The date of death must be between the birth date and today", field="died_on")
        await audit.update_audited(
            actor,
            Subject,
            subject_id,
            before,
            {
                "status": "deceased",
                "died_on": died_on,
                "version": before["version"] + 1,
                "updated_at": clock.current().now(),
            },
            action="subject.death",
            entity="subject",
            place_id=before["place"],
        )
        await subject_changed(subject_id)
    return await get(subject_id)


async def add_pregnancy(actor: Actor, subject_id: int, *, expected_delivery: date) -> dict[str, Any]:
    async with unit_of_work():
        row = await lock_row(Subject, subject_id, Subject.sex, Subject.place, Subject.status)
        if row is None or row["status"] == "merged":
            raise NotFound(f"Subject {subject_id} not found")
        if row["sex"] != "F":
            raise Invalid("Only a woman can have a pregnancy recorded", field="expected_delivery")
        check_expected_delivery(expected_delivery, clock.current().today())
        await audit.insert_audited(
            actor,
            Pregnancy(subject=subject_id, expected_delivery=expected_delivery, recorded_at=clock.current().now()),
            action="pregnancy.record",
            entity="subject",
            place_id=row["place"],
            shown=("subject", "expected_delivery"),
        )
        await subject_changed(subject_id)
    return await get(subject_id)


def _moves_newest_first(limit: int) -> Any:
    return (
        SubjectMove.select(
            *SubjectMove.all_columns(),
            SubjectMove.subject.full_name.as_alias("full_name"),
            SubjectMove.subject.code.as_alias("code"),
            SubjectMove.from_facility.name.as_alias("from_facility_name"),
            SubjectMove.to_facility.name.as_alias("to_facility_name"),
        )
        .order_by(SubjectMove.id, ascending=False)
        .limit(limit)
    )


async def moves_of(subject_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    """One subject's moves, newest first: the history its record shows."""
    return await _moves_newest_first(limit).where(SubjectMove.subject == subject_id)


async def moves_touching(place_ids: frozenset[int] | None, *, limit: int = 100) -> list[dict[str, Any]]:
    """Recent moves into or out of an area (None: everywhere)."""
    query = _moves_newest_first(limit)
    if place_ids is not None:
        ids = list(place_ids) or [-1]
        query = query.where(SubjectMove.from_place.is_in(ids) | SubjectMove.to_place.is_in(ids))
    return await query

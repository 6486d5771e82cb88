"""Subjects (people who are vaccinated), their guardians, and the registry's history."""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Real,
    Serial,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from db.tables.accounts import Account
from db.tables.places import Facility, Place


class Subject(Table, tablename="subject"):
    id = Serial(primary_key=True)
    code = Varchar(length=12, unique=True, index=True)
    personal_id = Varchar(length=12, null=True, default=None, unique=True)
    full_name = Varchar(length=200)
    # Words without diacritics, lower-cased, sorted: what name search compares.
    name_key = Varchar(length=200, index=True)
    birth_date = Date(index=True)
    birth_time = Time(null=True, default=None)
    sex = Varchar(length=1)
    ethnicity = Varchar(length=64, null=True, default=None)
    place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    address_detail = Varchar(length=300, default="")
    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict, index=True)
    managing_place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="active", index=True)
    died_on = Date(null=True, default=None)
    merged_into: ForeignKey["Subject"] = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Guardian(Table, tablename="guardian"):
    id = Serial(primary_key=True)
    full_name = Varchar(length=200)
    name_key = Varchar(length=200)
    phone = Varchar(length=20, null=True, default=None, index=True)
    personal_id = Varchar(length=12, null=True, default=None, index=True)
    messaging_consent = Boolean(default=False)
    created_at = Timestamptz()


class SubjectGuardian(Table, tablename="subject_guardian"):
    id = Serial(primary_key=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    guardian = ForeignKey(Guardian, null=False, on_delete=OnDelete.restrict, index=True)
    relationship = Varchar(length=16)
    is_primary = Boolean(default=False)


class Pregnancy(Table, tablename="pregnancy"):
    id = Serial(primary_key=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    expected_delivery = Date()
    ended_on = Date(null=True, default=None)
    recorded_at = Timestamptz()


class SubjectMove(Table, tablename="subject_move"):
    id = Serial(primary_key=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    moved_on = Date()
    from_place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    to_place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    from_facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict)
    to_facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz()
    # Why it moved (a direct move asks it; an approved request carries the request's).
    reason = Text(default="")


class TransferRequest(Table, tablename="transfer_request"):
    """A child who moved in without card or birth certificate: the receiving side asks
    the side that knows the child (``from_place``) to hand the record over. ``subject`` is
    set by whoever approves it (the requester cannot see the record)."""

    id = Serial(primary_key=True)
    requester = ForeignKey(Account, null=False, on_delete=OnDelete.restrict, index=True)
    subject = ForeignKey(Subject, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    from_place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    full_name = Varchar(length=200)
    birth_date = Date()
    guardian_phone = Varchar(length=20, null=True, default=None)
    moved_on = Date()
    to_place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    to_facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict, index=True)
    reason = Text(default="")
    status = Varchar(length=16, default="pending", index=True)
    requested_at = Timestamptz()
    decided_by = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)


class SubjectMerge(Table, tablename="subject_merge"):
    id = Serial(primary_key=True)
    survivor = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    merged = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    # Exactly what moved to the survivor, so that undo can put it back.
    moved = JSON(default="{}")
    merged_at = Timestamptz()
    merged_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    undone_at = Timestamptz(null=True, default=None)


class DuplicateCandidate(Table, tablename="duplicate_candidate"):
    id = Serial(primary_key=True)
    place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict, index=True)
    subject_a = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    subject_b = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    score = Real()
    reasons = JSON(default="[]")
    status = Varchar(length=12, default="open", index=True)
    found_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class NameTrigram(Table, tablename="name_trigram"):
    """SQLite's name-search index (PostgreSQL uses pg_trgm on subject.name_key)."""

    id = Serial(primary_key=True)
    trigram = Varchar(length=3, index=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.cascade, index=True)


class ParentLink(Table, tablename="parent_link"):
    id = Serial(primary_key=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.restrict, index=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    method = Varchar(length=8)
    linked_at = Timestamptz()


class OneTimeCode(Table, tablename="one_time_code"):
    id = Serial(primary_key=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    phone = Varchar(length=20)
    code_hash = Varchar(length=64)
    purpose = Varchar(length=24)
    attempts = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)

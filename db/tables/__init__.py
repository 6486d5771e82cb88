"""Piccolo tables, one module per domain. ``ALL_TABLES`` is in dependency order."""

from db.tables.accounts import Account, AuthSession
from db.tables.audit import AuditEvent
from db.tables.generations import Generation
from db.tables.places import Facility, Place, PlaceVersion, Store
from db.tables.push import Outbox
from db.tables.registry import (
    DuplicateCandidate,
    Guardian,
    NameTrigram,
    OneTimeCode,
    ParentLink,
    Pregnancy,
    Subject,
    SubjectGuardian,
    SubjectMerge,
    SubjectMove,
)

ALL_TABLES = (
    Generation,
    Place,
    PlaceVersion,
    Facility,
    Store,
    Account,
    AuthSession,
    AuditEvent,
    Subject,
    Guardian,
    SubjectGuardian,
    Pregnancy,
    SubjectMove,
    SubjectMerge,
    DuplicateCandidate,
    NameTrigram,
    ParentLink,
    OneTimeCode,
    Outbox,
)

__all__ = [
    "ALL_TABLES",
    "Account",
    "AuditEvent",
    "AuthSession",
    "DuplicateCandidate",
    "Facility",
    "Generation",
    "Guardian",
    "NameTrigram",
    "OneTimeCode",
    "Outbox",
    "ParentLink",
    "Place",
    "PlaceVersion",
    "Pregnancy",
    "Store",
    "Subject",
    "SubjectGuardian",
    "SubjectMerge",
    "SubjectMove",
]

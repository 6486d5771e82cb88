"""Piccolo tables, one module per domain. ``ALL_TABLES`` is in dependency order."""

from db.tables.accounts import Account, AuthSession
from db.tables.audit import AuditEvent
from db.tables.generations import Generation
from db.tables.idempotency import IdempotencyKey
from db.tables.places import Facility, Place, PlaceChange, PlaceVersion, Store
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
    TransferRequest,
)
from db.tables.stock import StockBalance, StockEntry, StockEvent, StockLot, StockPresentation, StockProduct

ALL_TABLES = (
    Generation,
    Place,
    PlaceVersion,
    PlaceChange,
    Facility,
    Store,
    Account,
    AuthSession,
    AuditEvent,
    IdempotencyKey,
    Subject,
    Guardian,
    SubjectGuardian,
    Pregnancy,
    SubjectMove,
    SubjectMerge,
    TransferRequest,
    DuplicateCandidate,
    NameTrigram,
    ParentLink,
    OneTimeCode,
    Outbox,
    StockProduct,
    StockPresentation,
    StockLot,
    StockEvent,
    StockEntry,
    StockBalance,
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
    "IdempotencyKey",
    "NameTrigram",
    "OneTimeCode",
    "Outbox",
    "ParentLink",
    "Place",
    "PlaceChange",
    "PlaceVersion",
    "Pregnancy",
    "StockBalance",
    "StockEntry",
    "StockEvent",
    "StockLot",
    "StockPresentation",
    "StockProduct",
    "Store",
    "Subject",
    "SubjectGuardian",
    "SubjectMerge",
    "SubjectMove",
    "TransferRequest",
]

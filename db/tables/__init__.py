"""Piccolo tables, one module per domain. ``ALL_TABLES`` is in dependency order."""

from db.tables.accounts import Account, AuthSession
from db.tables.audit import AuditEvent
from db.tables.generations import Generation
from db.tables.places import Facility, Place, PlaceVersion, Store

ALL_TABLES = (Generation, Place, PlaceVersion, Facility, Store, Account, AuthSession, AuditEvent)

__all__ = [
    "ALL_TABLES",
    "Account",
    "AuditEvent",
    "AuthSession",
    "Facility",
    "Generation",
    "Place",
    "PlaceVersion",
    "Store",
]

"""Roles, what each may do, and who may appoint whom."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    NATIONAL_ADMIN = "national_admin"
    PROVINCE_OFFICER = "province_officer"
    COMMUNE_OFFICER = "commune_officer"
    VACCINATOR = "vaccinator"
    STOCK_CLERK = "stock_clerk"
    PARENT = "parent"


class Permission(StrEnum):
    PLACES_READ = "places:read"
    PLACES_WRITE = "places:write"
    FACILITIES_READ = "facilities:read"
    FACILITIES_WRITE = "facilities:write"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    AUDIT_READ = "audit:read"
    SUBJECTS_READ = "subjects:read"
    SUBJECTS_WRITE = "subjects:write"
    SUBJECTS_MERGE = "subjects:merge"
    STOCK_READ = "stock:read"
    # Vaccinators and clerks: open a vial of a lot at their facility.
    STOCK_USE = "stock:use"
    # The store's clerk keeps its stock card: receipts, shipments, adjustments, counts.
    STOCK_WRITE = "stock:write"
    # Register a presentation (a GTIN scanned for the first time) or a product.
    CATALOGUE_WRITE = "catalogue:write"
    # Record and void vaccinations (a dose from stock only at the caller's own facility).
    DOSES_WRITE = "doses:write"


STAFF_ROLES = frozenset(Role) - {Role.PARENT}
OFFICER_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER})
# Roles whose scope is one facility rather than a subtree of places.
FACILITY_ROLES = frozenset({Role.VACCINATOR, Role.STOCK_CLERK})

_ALL_STAFF_READ = {
    Permission.PLACES_READ,
    Permission.FACILITIES_READ,
    Permission.SUBJECTS_READ,
    Permission.STOCK_READ,
}
# Officers read the stock of their area; only a store's own clerk (or vaccinator) moves it.
_KEPT_AT_THE_STORE = {Permission.STOCK_USE, Permission.STOCK_WRITE}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.NATIONAL_ADMIN: frozenset(Permission) - _KEPT_AT_THE_STORE,
    Role.PROVINCE_OFFICER: frozenset(Permission) - _KEPT_AT_THE_STORE,
    Role.COMMUNE_OFFICER: frozenset(
        _ALL_STAFF_READ
        | {
            Permission.FACILITIES_WRITE,
            Permission.USERS_READ,
            Permission.USERS_WRITE,
            Permission.AUDIT_READ,
            Permission.SUBJECTS_WRITE,
            Permission.SUBJECTS_MERGE,
            Permission.DOSES_WRITE,
        }
    ),
    Role.VACCINATOR: frozenset(
        _ALL_STAFF_READ | {Permission.SUBJECTS_WRITE, Permission.STOCK_USE, Permission.DOSES_WRITE}
    ),
    Role.STOCK_CLERK: frozenset(_ALL_STAFF_READ | _KEPT_AT_THE_STORE),
    # A parent reads the subjects linked to them, nothing else.
    Role.PARENT: frozenset({Permission.SUBJECTS_READ}),
}

# An officer appoints users only to roles at or below their own level.
_RANK = {
    Role.NATIONAL_ADMIN: 3,
    Role.PROVINCE_OFFICER: 2,
    Role.COMMUNE_OFFICER: 1,
    Role.VACCINATOR: 0,
    Role.STOCK_CLERK: 0,
    Role.PARENT: 0,
}


def may_appoint(appointer: Role, role: Role) -> bool:
    if role is Role.PARENT:
        return appointer is Role.NATIONAL_ADMIN
    return _RANK[appointer] >= _RANK[role] and appointer in OFFICER_ROLES

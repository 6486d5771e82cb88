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


STAFF_ROLES = frozenset(Role) - {Role.PARENT}
OFFICER_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER})
# Roles whose scope is one facility rather than a subtree of places.
FACILITY_ROLES = frozenset({Role.VACCINATOR, Role.STOCK_CLERK})

_ALL_STAFF_READ = {Permission.PLACES_READ, Permission.FACILITIES_READ, Permission.SUBJECTS_READ}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.NATIONAL_ADMIN: frozenset(Permission),
    Role.PROVINCE_OFFICER: frozenset(Permission),
    Role.COMMUNE_OFFICER: frozenset(
        _ALL_STAFF_READ
        | {
            Permission.FACILITIES_WRITE,
            Permission.USERS_READ,
            Permission.USERS_WRITE,
            Permission.AUDIT_READ,
            Permission.SUBJECTS_WRITE,
            Permission.SUBJECTS_MERGE,
        }
    ),
    Role.VACCINATOR: frozenset(_ALL_STAFF_READ | {Permission.SUBJECTS_WRITE}),
    Role.STOCK_CLERK: frozenset(_ALL_STAFF_READ),
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

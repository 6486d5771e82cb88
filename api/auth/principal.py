"""The signed-in caller, as every route sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from api.auth.roles import ROLE_PERMISSIONS, STAFF_ROLES, Permission, Role


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: int
    username: str
    full_name: str
    role: Role
    scope_place_id: int | None
    scope_facility_id: int | None
    session_id: int
    csrf_token: str
    via: Literal["cookie", "bearer"]
    language: str = "vi"

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_national(self) -> bool:
        return self.role is Role.NATIONAL_ADMIN

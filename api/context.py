"""Who is acting, for the audit log: passed from a controller (or the CLI) to services."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


@dataclass(frozen=True, slots=True)
class Actor:
    account_id: int | None
    username: str
    request_id: str
    device_id: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The actor for work started from the command line or a job."""
        return cls(account_id=None, username=name, request_id=f"cli-{uuid.uuid4().hex[:12]}")

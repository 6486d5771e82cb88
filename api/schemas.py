"""Shared pieces of request and response schemas."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Code = Annotated[str, Meta(min_length=1, max_length=16, pattern=r"^[0-9A-Za-z._-]+$")]
# Row ids are 32-bit on PostgreSQL: anything larger cannot exist.
MAX_ID = 2_147_483_647
Id = Annotated[int, Meta(ge=1, le=MAX_ID)]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: an unknown field is an error, not silently dropped."""


class Output(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of a response built from a service's dict with ``msgspec.convert``: a key the
    schema does not describe is an error (found by the tests), not silently dropped."""

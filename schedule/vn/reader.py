"""Reading the TOML data files: typed access to one table, errors that name the entry.

Shared by the schedule loader (:mod:`schedule.vn.loader`), the contraindication rules
(:mod:`schedule.vn.conditions`) and the screening checklist (:mod:`schedule.vn.screening`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Container, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from schedule.dates import Duration

__all__ = ["CONFIDENCE", "DataError", "Reader", "read_toml"]

#: The confidence levels a fact in the data can carry.
CONFIDENCE = frozenset({"confirmed", "unconfirmed", "assumption"})


class DataError(ValueError):
    """The schedule data is malformed; the message names the file and the entry."""


class Reader:
    """Reads one TOML table, remembering where it is for error messages."""

    def __init__(self, table: Mapping[str, Any], where: str, allowed: Iterable[str]) -> None:
        self.table = table
        self.where = where
        unknown = set(table) - set(allowed)
        if unknown:
            raise DataError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")

    def fail(self, message: str) -> DataError:
        return DataError(f"{self.where}: {message}")

    def text(self, key: str, default: str = "") -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str):
            raise self.fail(f"{key} must be text")
        return value

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            raise self.fail(f"{key} is required")
        return value

    def duration(self, key: str) -> Duration | None:
        text = self.text(key)
        if not text:
            return None
        try:
            return Duration.parse(text)
        except ValueError as exc:
            raise self.fail(f"{key}: {exc}") from None

    def integer(self, key: str) -> int | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{key} must be a whole number")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false")
        return value

    def items(self, key: str) -> list[Any]:
        value = self.table.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{key} must be a list")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.items(key)
        if not all(isinstance(v, str) for v in values):
            raise self.fail(f"{key} must be a list of text")
        return tuple(values)

    def known(self, key: str, known: Container[str], what: str) -> frozenset[str]:
        """A required, non-empty list of ``what`` (e.g. "observation") from ``known``."""
        values = frozenset(self.strings(key))
        if not values:
            raise self.fail(f"{key} is required")
        for value in sorted(values):
            if value not in known:
                raise self.fail(f"unknown {what} {value!r}")
        return values

    def day(self, key: str) -> date | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, date):
            raise self.fail(f"{key} must be a date (2024-08-01, no quotes)")
        return value

    def confidence(self, key: str = "confidence", default: str = "confirmed") -> str:
        value = self.text(key, default)
        if value not in CONFIDENCE:
            raise self.fail(f"{key} must be one of {', '.join(sorted(CONFIDENCE))}")
        return value


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path.name}: {exc}") from None

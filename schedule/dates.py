"""CDSi date arithmetic (logic specification v4.6, section 3.4, tables 3-6 and 3-7).

A CDSi duration such as ``"6 months - 4 days"`` is added to a date in a fixed order:
years first, then months, then weeks and days (CALCDT-6). Adding years or months holds
the day of the month constant (CALCDT-1, CALCDT-2); a computed date that does not exist
(31 April, 29 February in a common year) moves forward to the first day of the next
month (CALCDT-5) *before* the days are added. Weeks and days are plain day counts
(CALCDT-3, CALCDT-4).

Examples from the specification::

    >>> from datetime import date
    >>> add(date(2000, 3, 31), Duration.parse("6 months"))
    datetime.date(2000, 10, 1)
    >>> add(date(2000, 1, 31), Duration.parse("6 months - 4 days"))
    datetime.date(2000, 7, 27)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

__all__ = [
    "MAX_DATE",
    "MIN_DATE",
    "Duration",
    "add",
    "parse_date",
]

#: Assumed effective date when the supporting data leaves it empty (table 3-4).
MIN_DATE = date(1900, 1, 1)
#: Assumed cessation date / "no maximum" when the supporting data leaves it empty.
MAX_DATE = date(2999, 12, 31)

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_TERM = re.compile(r"([+-]?)\s*(\d+)\s*(year|month|week|day)s?", re.IGNORECASE)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and _is_leap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


@dataclass(frozen=True, slots=True)
class Duration:
    """A CDSi age or interval: signed years, months and days (weeks are stored as days).

    ``text`` keeps the original wording (``"6 months - 4 days"``) for display.
    """

    years: int = 0
    months: int = 0
    days: int = 0
    text: str = ""
    # Derived once, so that :func:`add` does no arithmetic it can avoid.
    total_months: int = field(init=False, repr=False, compare=False)
    delta: timedelta = field(init=False, repr=False, compare=False)
    #: equal for durations that add the same (``"1 year"``, ``"12 months"``): a cache key
    key: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        total_months = 12 * self.years + self.months
        object.__setattr__(self, "total_months", total_months)
        object.__setattr__(self, "delta", timedelta(days=self.days))
        object.__setattr__(self, "key", total_months * 10_000_000 + self.days)

    @staticmethod
    def parse(text: str) -> Duration:
        """Parse a CDSi duration such as ``"4 weeks"``, ``"6 months - 4 days"``,
        ``"1 year + 2 weeks"`` or ``"0 days"``.

        Raises ``ValueError`` on text that holds no recognisable term.
        """
        return _parse_cached(text.strip())

    def is_zero(self) -> bool:
        """True when adding this duration leaves any date unchanged."""
        return self.years == 0 and self.months == 0 and self.days == 0

    def __str__(self) -> str:
        if self.text:
            return self.text
        parts = []
        for value, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day")):
            if value:
                parts.append(f"{value} {unit}{'s' if abs(value) != 1 else ''}")
        return " + ".join(parts) if parts else "0 days"


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Duration:
    years = months = days = 0
    found = False
    pos = 0
    for match in _TERM.finditer(text):
        between = text[pos : match.start()].strip()
        if between not in ("", "+", "-"):
            raise ValueError(f"cannot parse duration {text!r}")
        sign_text = match.group(1) or between
        sign = -1 if sign_text == "-" else 1
        value = sign * int(match.group(2))
        unit = match.group(3).lower()
        if unit == "year":
            years += value
        elif unit == "month":
            months += value
        elif unit == "week":
            days += 7 * value
        else:
            days += value
        found = True
        pos = match.end()
    if not found or text[pos:].strip():
        raise ValueError(f"cannot parse duration {text!r}")
    return Duration(years, months, days, text)


def add(start: date, duration: Duration) -> date:
    """Return ``start + duration`` following CDSi rules CALCDT-1 to CALCDT-6."""
    months = duration.total_months
    if months:
        total = start.month - 1 + months
        year = start.year + total // 12
        month = total % 12 + 1
        day = start.day
        if day > 28 and day > _days_in_month(year, month):
            # CALCDT-5: not a real date -> first day of the next month (never January:
            # December has 31 days).
            month, day = month + 1, 1
        if year > 9999:
            return date.max
        if year < 1:
            return date.min
        start = date(year, month, day)
    if duration.days:
        try:
            return start + duration.delta
        except OverflowError:
            return date.max if duration.days > 0 else date.min
    return start


def parse_date(text: str | None) -> date | None:
    """Parse a supporting-data date: ``YYYYMMDD``, ``MM/DD/YYYY`` or ISO ``YYYY-MM-DD``.

    Empty text and ``"n/a"`` give ``None``.
    """
    if text is None:
        return None
    text = text.strip()
    if not text or text.lower() == "n/a":
        return None
    if "/" in text:
        month, day, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)  # also reads YYYYMMDD (Python 3.11)

"""The one clock of the app: instants in UTC, dates as they are in Vietnam.

A vaccination, a birth or an effective date is a local date: a child born at 06:00 on
2 December in Hà Nội was born on the 2nd, whatever the server's time zone says (it
is 23:00 UTC on the 1st). So "today" is never the machine's date.

The app's clock is ``app.state.clock``; each request runs with it (see
``api.commands``), and services read it with :func:`current`. Tests give the app a
:class:`FixedClock`; the CLI and jobs use the system clock unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

# The tzdata package supplies the zone where the machine has no /usr/share/zoneinfo.
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@runtime_checkable  # Litestar checks a dependency's value against its annotation
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, an aware datetime in UTC."""
        ...

    def today(self) -> date:
        """Today's date in Vietnam."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return local_date(self.now())


@dataclass
class FixedClock:
    """A clock that reads ``instant`` until moved (tests)."""

    instant: datetime

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("a FixedClock needs an aware instant")
        self.instant = self.instant.astimezone(UTC)

    def now(self) -> datetime:
        return self.instant

    def today(self) -> date:
        return local_date(self.instant)

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


def local_date(instant: datetime) -> date:
    """The date in Vietnam at ``instant``."""
    return instant.astimezone(LOCAL_ZONE).date()


SYSTEM_CLOCK = SystemClock()
_current: ContextVar[Clock] = ContextVar("niis_clock", default=SYSTEM_CLOCK)


def current() -> Clock:
    """The clock of the running request or command."""
    return _current.get()


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Run the block (a request, a CLI command, a test) on ``clock``."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)

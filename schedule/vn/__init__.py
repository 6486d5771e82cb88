"""Vietnam's national immunization schedule, as versioned data (``schedule/vn/data``).

Public API::

    from schedule.vn import schedule_for, timeline, versions
    schedule = schedule_for(date(2025, 3, 1))   # the version in force that day
    schedule = timeline()                       # all versions, series dated: the engine
                                                # picks by assessment date itself

    from schedule.vn import catalogue
    catalogue.by_gtin("0893...")                # product for a scanned vial

Importing this package registers the schedule as ``"vn"`` in :mod:`schedule.registry`;
``registry.get("vn")`` gives :func:`timeline`, ``registry.get("vn", on=day)`` (or
``assessment_date=day``) gives :func:`schedule_for`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from schedule import registry
from schedule.model import Schedule
from schedule.vn.loader import DATA_DIR, SCHEDULE_NAME, DataError, SeriesInfo, Version, VietnamSchedule, load

__all__ = [
    "DATA_DIR",
    "SCHEDULE_NAME",
    "DataError",
    "SeriesInfo",
    "Version",
    "VietnamSchedule",
    "load",
    "schedule_for",
    "timeline",
    "version_for",
    "versions",
]


def versions(data_dir: str | Path | None = None) -> tuple[Version, ...]:
    """Every version of the schedule, oldest first."""
    return load(data_dir).versions


def version_for(day: date, data_dir: str | Path | None = None) -> Version:
    """The version (circular) in force on ``day``; the oldest one for earlier days."""
    return load(data_dir).version_on(day)


def schedule_for(day: date, data_dir: str | Path | None = None) -> Schedule:
    """The schedule in force on ``day`` (assessment date), as the engine's model."""
    return version_for(day, data_dir).schedule


def timeline(data_dir: str | Path | None = None) -> Schedule:
    """All versions in one schedule whose series carry their effective/cessation dates.

    ``engine.evaluate(patient, timeline(), day)`` uses the series in force on ``day``,
    the same as ``schedule_for(day)``; use it where one schedule must serve any date
    (the conformance runner, a server evaluating many subjects).
    """
    return load(data_dir).timeline


def _provider(
    on: date | None = None,
    assessment_date: date | None = None,
    data_dir: str | Path | None = None,
    **_: Any,
) -> Schedule:
    """Registry provider: the version in force on ``on``/``assessment_date``, else the timeline."""
    day = on or assessment_date
    if day is not None:
        return schedule_for(day, data_dir)
    return timeline(data_dir)


registry.register(SCHEDULE_NAME, _provider)

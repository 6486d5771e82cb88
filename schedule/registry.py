"""Named schedules: a small registry so tools can say ``--schedule cdc`` or ``--schedule vn``.

A schedule provider is a callable returning a :class:`~schedule.model.Schedule`; it may
take keyword options (the CDC provider needs ``supporting_data``, the folder of XML).
Another module registers more providers at import time, e.g. in ``schedule/vn``::

    from schedule.registry import register
    register("vn", load_vietnam_schedule)

``get("vn")`` imports ``schedule.vn`` on first use so that registering there is enough.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from typing import Any

from schedule.model import Schedule

__all__ = ["available", "get", "register"]

Provider = Callable[..., Schedule]
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Make ``provider`` available as ``name`` (replaces any earlier provider)."""
    _PROVIDERS[name] = provider


def available() -> list[str]:
    """Names of the registered schedules."""
    return sorted(_PROVIDERS)


def get(name: str, **options: Any) -> Schedule:
    """Build (or fetch from the provider's cache) the schedule called ``name``.

    Raises ``KeyError`` with the known names when ``name`` is not registered.
    """
    if name not in _PROVIDERS:
        with contextlib.suppress(ImportError):
            importlib.import_module(f"schedule.{name}")
    if name not in _PROVIDERS:
        raise KeyError(f"unknown schedule {name!r}; known: {', '.join(available()) or 'none'}")
    return _PROVIDERS[name](**options)


def _cdc(supporting_data: str | None = None, **_: Any) -> Schedule:
    from schedule.cdc_loader import load_cdc_schedule

    if not supporting_data:
        raise ValueError("the CDC schedule needs supporting_data (a folder of CDSi XML)")
    return load_cdc_schedule(supporting_data)


register("cdc", _cdc)

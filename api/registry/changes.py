"""What other packages hear when a subject changes (birth date, sex, status, pregnancy,
a move, a merge): the records package recomputes the stored forecast. The listeners are
registered at start-up (``listen``), so the registry never imports who listens; each
runs inside the change's own unit of work, so the change and what follows from it are
written together or not at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

SubjectListener = Callable[[int], Awaitable[None]]

# By name, so registering twice (an app and a CLI command in one process, tests) is one listener.
_listeners: dict[str, SubjectListener] = {}


def listen(name: str, listener: SubjectListener) -> None:
    _listeners[name] = listener


async def subject_changed(*subject_ids: int) -> None:
    """Tell every listener that these subjects changed (a merge names both records)."""
    for subject_id in subject_ids:
        for listener in _listeners.values():
            await listener(subject_id)

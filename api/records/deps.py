"""The subject a dose route names (through the dose's id), if the caller may see it:
an invisible subject's dose answers 404 as a missing one does."""

from __future__ import annotations

from typing import Any

from litestar.di import Provide

from api.errors import NotFound
from api.records import services
from api.registry.subjects.deps import provide_visible_subject
from api.scope import Scope


async def provide_dose_subject(dose_id: int, area: Scope) -> dict[str, Any]:
    dose = await services.get(dose_id)
    try:
        return await provide_visible_subject(dose["subject_id"], area)
    except NotFound:
        raise NotFound(f"Dose {dose_id} not found") from None


DOSE_DEPENDENCIES = {"dose_subject": Provide(provide_dose_subject)}

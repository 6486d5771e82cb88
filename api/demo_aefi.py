"""The demo's AEFI (issue 14, item 11): one non-serious report, a fever the evening of
the latest dose on the first demo child's card, as the vaccinator took it from the
mother on the phone; the officers' AEFI list shows it."""

from __future__ import annotations

from datetime import datetime, time

from api import clock
from api.auth.principal import Principal
from api.auth.roles import Role
from api.context import Actor
from api.records import services as records
from api.records.aefi import services as aefi
from api.registry.subjects import services as registry
from api.scope import scope_of

KEY = "demo-aefi-1"


async def load_aefi(actor: Actor, vaccinator_id: int, subject_id: int) -> int | None:
    """Report it (inside the demo's unit of work); its id, None if the child has no dose."""
    subject = await registry.get(subject_id)
    given = [d for d in await records.doses_of(subject_id) if d["status"] == "administered"]
    if not given:
        return None
    dose = given[-1]
    reporter = Principal(
        vaccinator_id, "demo", "Demo", Role.VACCINATOR, None, int(subject["facility"]), 0, "", "bearer"
    )
    evening = datetime.combine(dose["administered_on"], time(19, 30), clock.LOCAL_ZONE)
    guardian = next(iter(subject["guardians"]), None)
    report = await aefi.report(
        actor,
        await scope_of(reporter),
        aefi.ReportIn(
            dose_ids=[dose["id"]],
            onset_at=min(evening, clock.current().now()),
            symptoms=[{"code": "fever", "text": ""}],
            outcome="recovered",
            reporter_name=guardian["full_name"] if guardian else "",
            reporter_phone=(guardian["phone"] or "") if guardian else "",
            notes="Sốt 38,5 °C buổi tối sau tiêm, hạ sốt bằng paracetamol, hết sốt sau 1 ngày.",
        ),
        key=KEY,
    )
    return int(report["id"])

"""The demo's sessions and campaign (issue 14, item 11): at the demo vaccinator's
station, today's fixed session (its roster: the station's children due today) and an
outreach session of today already held and closed (two children marked, its report
written); a Measles/MR catch-up campaign for the children of 1-5 years of the province.
Written through the sessions' services, as the app would."""

from __future__ import annotations

from datetime import timedelta

from api import clock
from api.auth.principal import Principal
from api.auth.roles import Role
from api.context import Actor
from api.records.sessions import campaigns
from api.records.sessions import services as sessions
from api.scope import scope_of

GROUPS = ["HepB", "DTP", "Hib", "Polio", "Measles/MR", "JE"]


async def load_sessions(
    actor: Actor, *, vaccinator_id: int, station_id: int, province_officer_id: int, province_id: int
) -> None:
    """Call inside the demo's unit of work, after the histories (the rosters read the forecasts)."""
    vaccinator = await scope_of(
        Principal(vaccinator_id, "demo", "Demo", Role.VACCINATOR, None, station_id, 0, "", "bearer")
    )
    today = clock.current().today()
    await sessions.plan(
        actor,
        vaccinator,
        facility_id=station_id,
        held_on=today,
        place_name="Trạm Y tế xã",
        kind="fixed",
        vaccine_groups=GROUPS,
        staff=[vaccinator_id],
    )
    held = await sessions.plan(
        actor,
        vaccinator,
        facility_id=station_id,
        held_on=today,
        place_name="Nhà văn hóa thôn 3",
        kind="outreach",
        vaccine_groups=["Measles/MR"],
        staff=[vaccinator_id],
    )
    roster = await sessions.roster(held)
    for child, (status, reason) in zip(roster[:2], (("absent", ""), ("postponed", "Sốt 38,5 độ")), strict=False):
        await sessions.mark(actor, vaccinator, held["id"], subject_id=child["id"], status=status, reason=reason)
    await sessions.close(actor, vaccinator, held["id"])
    officer = await scope_of(
        Principal(province_officer_id, "demo", "Demo", Role.PROVINCE_OFFICER, province_id, None, 0, "", "bearer")
    )
    await campaigns.plan(
        actor,
        officer,
        name="Tiêm bù Sởi - Rubella cho trẻ 1-5 tuổi",
        vaccine_group="Measles/MR",
        min_age_months=12,
        max_age_months=59,
        place_id=province_id,
        facility_id=None,
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=25),
        target=None,
    )

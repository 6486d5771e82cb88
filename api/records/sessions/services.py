"""Sessions: planned → open → closed, at one facility on one day.

The roster is the due list's (``due.children_due``) for the session's facility on its
day, limited to its vaccine groups, plus the children already seen there (vaccinated
ones are no longer due). A child is *vaccinated* at a session when an administered dose
carries it; *absent* or *postponed* (with the reason) when marked so
(``session_attendance``); else not seen yet. The first dose or mark opens a planned
session. Closing it calls the open-vial rule (``open_vials.close_session``, for each
store its vials were opened at, named ``vial_session``) and writes the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from api import clock
from api.audit import services as audit
from api.auth.roles import STAFF_ROLES
from api.context import Actor
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.immunization import services as immunization
from api.places import facilities
from api.records import checks
from api.records.due import services as due
from api.scope import Scope
from api.stock import open_vials, stores
from db.tables import Account, Campaign, Dose, SessionAttendance, StockOpenVial, VaccinationSession
from db.unit_of_work import lock_row, unit_of_work

KINDS = ("fixed", "outreach")
MARKS = ("absent", "postponed")

COLUMNS = (
    *VaccinationSession.all_columns(exclude=[VaccinationSession.facility, VaccinationSession.planned_by]),
    VaccinationSession.facility.as_alias("facility_id"),
    VaccinationSession.facility.name.as_alias("facility_name"),
    VaccinationSession.planned_by.as_alias("planned_by"),
)


def vial_session(session_id: int) -> str:
    """The name a session's vials are opened under (``stock_open_vial.session``)."""
    return f"session-{session_id}"


def plannable_groups() -> list[str]:
    """The schedule's vaccine groups, in its order: what a session or a campaign is
    planned for (the planning screens offer these, ``check_groups`` accepts these)."""
    return list(immunization.current_schedule().timeline.vaccine_groups)


def known_groups() -> frozenset[str]:
    return frozenset(plannable_groups())


async def facility_in(scope: Scope, facility_id: int | None) -> dict[str, Any]:
    """The facility a session (or campaign) is planned at: the caller's own by default;
    422 unknown, 403 outside the caller's area."""
    if facility_id is None:
        if scope.facility_id is None:
            raise Invalid("Choose the facility that holds the session", field="facility_id")
        facility_id = scope.facility_id
    try:
        facility = await facilities.get(facility_id)
    except NotFound:
        raise Invalid(f"Facility {facility_id} not found", field="facility_id") from None
    if not scope.contains_facility(facility_id, facility["place_id"]):
        raise Forbidden("This facility is outside your area: a session is planned by its own staff or officers")
    return facility


async def _staff(facility_id: int, staff: list[int]) -> list[int]:
    """The session's staff: active staff accounts of this facility (or officers)."""
    if not staff:
        return []
    rows = await Account.select(Account.id, Account.role, Account.scope_facility, Account.active).where(
        Account.id.is_in(staff)
    )
    fit = {
        r["id"] for r in rows if r["active"] and r["role"] in STAFF_ROLES and r["scope_facility"] in (None, facility_id)
    }
    wrong = [account for account in staff if account not in fit]
    if wrong:
        raise Invalid(
            f"Account {wrong[0]} is not active staff of this facility",
            field="staff",
            details={"field": "staff", "accounts": wrong},
        )
    return list(dict.fromkeys(staff))


def check_groups(vaccine_groups: list[str], field: str = "vaccine_groups") -> list[str]:
    unknown = [g for g in vaccine_groups if g not in known_groups()]
    if unknown:
        raise Invalid(
            f"Unknown vaccine group {unknown[0]}: use the schedule's groups (for example Measles/MR, DTP, Polio)",
            field=field,
        )
    return list(dict.fromkeys(vaccine_groups))


async def plan(
    actor: Actor,
    scope: Scope,
    *,
    facility_id: int | None,
    held_on: date,
    place_name: str,
    kind: str,
    vaccine_groups: list[str],
    staff: list[int],
) -> dict[str, Any]:
    """Plan a session: today or later (a past day is not planned, its doses are recorded)."""
    facility = await facility_in(scope, facility_id)
    if held_on < clock.current().today():
        raise Invalid(f"A session is planned for today or a later day, not {held_on}", field="held_on")
    groups = check_groups(vaccine_groups)
    members = await _staff(facility["id"], staff)
    async with unit_of_work():
        created = await VaccinationSession.insert(
            VaccinationSession(
                facility=facility["id"],
                held_on=held_on,
                place_name=place_name.strip(),
                kind=kind,
                vaccine_groups=groups,
                staff=members,
                status="planned",
                planned_by=actor.account_id,
                planned_at=clock.current().now(),
            )
        ).returning(VaccinationSession.id)
        session_id = int(created[0]["id"])
        await audit.record(
            actor,
            "session.plan",
            "vaccination_session",
            session_id,
            place_id=facility["place_id"],
            after={"facility": facility["id"], "held_on": held_on, "kind": kind, "vaccine_groups": groups},
        )
    return await get(session_id)


async def get(session_id: int) -> dict[str, Any]:
    row = (
        await VaccinationSession.select(*COLUMNS)
        .where(VaccinationSession.id == session_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(f"Session {session_id} not found")
    return row


async def visible(scope: Scope, session_id: int) -> dict[str, Any]:
    """The session if the caller's area holds its facility (404 otherwise, as unknown)."""
    session = await get(session_id)
    facility = await facilities.get(session["facility_id"])
    if not scope.contains_facility(session["facility_id"], facility["place_id"]):
        raise NotFound(f"Session {session_id} not found")
    return session


async def listing(scope: Scope, *, facility_id: int | None, since: date, until: date) -> list[dict[str, Any]]:
    """The sessions of a facility (the caller's own by default) or of the caller's area, by day."""
    where = (VaccinationSession.held_on >= since) & (VaccinationSession.held_on <= until)
    if facility_id is not None or scope.facility_id is not None:
        # The due list's rule: a vaccinator's own facility, an officer's of their area; 404 outside.
        facility = (await due.area(scope, facility_id, None)).facility_id
        where &= VaccinationSession.facility == facility
    else:
        places = scope.place_ids()
        if places is not None:
            ids = [f["id"] for f in await facilities.listing(place_ids=sorted(places))]
            where &= VaccinationSession.facility.is_in(ids or [-1])
    return await (
        VaccinationSession.select(*COLUMNS)
        .where(where)
        .order_by(VaccinationSession.held_on)
        .order_by(VaccinationSession.id)
        .output(load_json=True)
    )


async def _open(session: dict[str, Any]) -> None:
    """A planned session opens at its first dose or mark (or when opened by hand)."""
    if session["status"] == "planned":
        await VaccinationSession.update(
            {VaccinationSession.status: "open", VaccinationSession.opened_at: clock.current().now()}
        ).where((VaccinationSession.id == session["id"]) & (VaccinationSession.status == "planned"))


def _not_closed(session: dict[str, Any]) -> None:
    if session["status"] == "closed":
        raise Conflict(
            f"Session {session['id']} is closed: nothing more is recorded in it",
            details={"status": "closed"},
        )


async def open_session(actor: Actor, scope: Scope, session_id: int) -> dict[str, Any]:
    async with unit_of_work():
        await lock_row(VaccinationSession, session_id)
        session = await visible(scope, session_id)
        _not_closed(session)
        await _open(session)
    return await get(session_id)


async def check_dose(
    session_id: int | None, campaign_id: int | None, *, facility_id: int | None, on: date, synced: bool
) -> None:
    """A dose given in a session is given at its facility on its day, in a session not
    closed (unless synced: given while it was open); it opens a planned session. A
    campaign's dose falls within the campaign's dates."""
    if session_id is not None:
        found = await VaccinationSession.select().where(VaccinationSession.id == session_id).first()
        if found is None or found["facility"] != facility_id:
            raise Invalid(f"Session {session_id} is not a session of this facility", field="session")
        if found["held_on"] != on:
            raise Invalid(f"Session {session_id} is held on {found['held_on']}, not on {on}", field="session")
        if not synced:
            _not_closed(found)
        await _open(found)
    if campaign_id is not None:
        campaign = await Campaign.select().where(Campaign.id == campaign_id).first()
        if campaign is None:
            raise Invalid(f"Campaign {campaign_id} not found", field="campaign")
        if not campaign["starts_on"] <= on <= campaign["ends_on"]:
            raise Invalid(
                f"Campaign {campaign_id} runs from {campaign['starts_on']} to {campaign['ends_on']}, not on {on}",
                field="campaign",
            )


# A session's administered doses per child, and its marks per child.
Seen = tuple[dict[int, list[dict[str, Any]]], dict[int, dict[str, Any]]]


async def _seen(session_id: int) -> Seen:
    """The session's administered doses per child, and its marks per child."""
    doses: dict[int, list[dict[str, Any]]] = {}
    for row in await Dose.select(Dose.id, Dose.subject, Dose.vaccine_code).where(
        (Dose.session == session_id) & (Dose.status == "administered")
    ):
        doses.setdefault(row["subject"], []).append({"id": row["id"], "vaccine_code": row["vaccine_code"]})
    marks = {
        row["subject"]: row
        for row in await SessionAttendance.select(
            SessionAttendance.subject, SessionAttendance.status, SessionAttendance.reason, SessionAttendance.recorded_at
        ).where(SessionAttendance.session == session_id)
    }
    return doses, marks


def _attendance(doses: list[dict[str, Any]] | None, mark: dict[str, Any] | None) -> dict[str, Any]:
    if doses:
        return {"status": "vaccinated", "reason": "", "vaccine_codes": [d["vaccine_code"] for d in doses]}
    if mark:
        return {"status": mark["status"], "reason": mark["reason"], "vaccine_codes": []}
    return {"status": "expected", "reason": "", "vaccine_codes": []}


async def roster(session: dict[str, Any], *, among: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """The session's children (due on its day for its groups, and those already seen)
    with each one's attendance; of ``among`` only when given."""
    return await _roster(session, await _seen(session["id"]), among)


async def _roster(session: dict[str, Any], seen: Seen, among: Iterable[int] | None = None) -> list[dict[str, Any]]:
    doses, marks = seen
    children = await due.children_due(
        due.Area(session["facility_id"], frozenset(), None),
        session["held_on"],
        session["vaccine_groups"],
        also=set(doses) | set(marks),
        among=among,
    )
    return [
        {
            "id": child["id"],
            "code": child["code"],
            "full_name": child["full_name"],
            "birth_date": child["birth_date"],
            "sex": child["sex"],
            "guardian_name": child["guardian_name"],
            "guardian_phone": child["guardian_phone"],
            "groups": [
                {"vaccine_group": g["vaccine_group"], "dose_number": g["dose_number"], "state": g["state"]}
                for g in child["groups"]
            ],
            "attendance": _attendance(doses.get(child["id"]), marks.get(child["id"])),
        }
        for child in children
    ]


async def mark(
    actor: Actor, scope: Scope, session_id: int, *, subject_id: int, status: str, reason: str
) -> dict[str, Any]:
    """A child of the roster absent, or postponed with the reason (marking again replaces it)."""
    if status == "postponed" and len(reason.strip()) < 3:
        raise Invalid("Say why the dose is postponed (at least 3 characters)", field="reason")
    async with unit_of_work():
        await lock_row(VaccinationSession, session_id)
        session = await visible(scope, session_id)
        _not_closed(session)
        # The roster's rule for this one child (a batch of marks reads one child each, not the roster each).
        if not await roster(session, among=[subject_id]):
            raise Invalid(
                f"Subject {subject_id} is not on the roster of session {session_id}: "
                "record their dose from their record",
                field="subject_id",
            )
        now = clock.current().now()
        await SessionAttendance.delete().where(
            (SessionAttendance.session == session_id) & (SessionAttendance.subject == subject_id)
        )
        await SessionAttendance.insert(
            SessionAttendance(
                session=session_id,
                subject=subject_id,
                status=status,
                reason=reason.strip(),
                recorded_at=now,
                recorded_by=actor.account_id,
            )
        )
        await _open(session)
        facility = await facilities.get(session["facility_id"])
        await audit.record(
            actor,
            "session.attendance",
            "vaccination_session",
            session_id,
            place_id=facility["place_id"],
            after={"subject": subject_id, "status": status, "reason": reason.strip()},
        )
    return {
        "session_id": session_id,
        "subject_id": subject_id,
        "status": status,
        "reason": reason.strip(),
        "recorded_at": now,
    }


async def _vials(session_id: int) -> list[dict[str, Any]]:
    return await StockOpenVial.select(
        StockOpenVial.store, StockOpenVial.doses, StockOpenVial.given, StockOpenVial.wasted, StockOpenVial.closed_at
    ).where(StockOpenVial.session == vial_session(session_id))


async def report(session: dict[str, Any]) -> dict[str, Any]:
    """The session's figures: its roster and attendance, doses per vaccine group, and the
    doses of the vials it opened against those given from them (open-vial wastage)."""
    seen = await _seen(session["id"])  # read once: the roster's attendance and the doses counted
    children = await _roster(session, seen)
    states = Counter(child["attendance"]["status"] for child in children)
    doses, _ = seen
    per_group: Counter[str] = Counter()
    per_vaccine: Counter[str] = Counter()
    for given in doses.values():
        for dose in given:
            per_vaccine[dose["vaccine_code"]] += 1
            for group in checks.groups_of(dose["vaccine_code"]):
                per_group[group] += 1
    vials = await _vials(session["id"])
    opened = sum(v["doses"] for v in vials)
    given_from_vials = sum(v["given"] for v in vials)
    return {
        "roster": len(children),
        "vaccinated": states["vaccinated"],
        "absent": states["absent"],
        "postponed": states["postponed"],
        "not_seen": states["expected"],
        "doses": sum(per_vaccine.values()),
        "doses_per_group": [{"vaccine_group": g, "doses": n} for g, n in sorted(per_group.items())],
        "doses_per_vaccine": [{"vaccine_code": c, "doses": n} for c, n in sorted(per_vaccine.items())],
        "vials_opened": len(vials),
        "doses_opened": opened,
        "doses_given_from_vials": given_from_vials,
        "doses_wasted": sum(v["wasted"] or 0 for v in vials),
        "wastage_rate": round((opened - given_from_vials) / opened, 3) if opened else 0.0,
    }


async def close(actor: Actor, scope: Scope, session_id: int) -> dict[str, Any]:
    """Close the session: the open-vial rule discards its session vials (each store it
    opened vials at), then its report is written. Closing twice is a 409."""
    async with unit_of_work():
        await lock_row(VaccinationSession, session_id)
        session = await visible(scope, session_id)
        _not_closed(session)
        for store_id in sorted({v["store"] for v in await _vials(session_id) if v["closed_at"] is None}):
            store = await stores.get(store_id)
            assert store is not None
            await open_vials.close_session(actor, store, vial_session(session_id))
        figures = await report(session)
        await VaccinationSession.update(
            {
                VaccinationSession.status: "closed",
                VaccinationSession.closed_at: clock.current().now(),
                VaccinationSession.closed_by: actor.account_id,
                VaccinationSession.report: figures,
            }
        ).where(VaccinationSession.id == session_id)
        facility = await facilities.get(session["facility_id"])
        await audit.record(
            actor, "session.close", "vaccination_session", session_id, place_id=facility["place_id"], after=figures
        )
    return await get(session_id)

"""Due lists from the stored forecast (``subject_forecast``).

A row is on the list when its series is not complete and its due date is on or before
the end of the range, unless the dose can no longer be given at the start (``latest``
passed). It is *overdue* when its overdue date is on or before the start of the range,
else *due*. The scan is ``(facility, due)`` or ``(place, due)``: an index range scan, no
engine run, no join until the page's own children are read.

The vaccine a session needs: the children due per vaccine group, turned into doses and
vials of the product this facility gives for that group (from its doses of the last 90
days), times its measured wastage factor (doses issued ÷ doses administered from its
ledger over the same 90 days; 1 when unknown). A product covering several groups
(DTP-HepB-Hib) is counted once per child.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from api import clock
from api.errors import Invalid, NotFound
from api.immunization import services as immunization
from api.places import facilities
from api.records import checks
from api.scope import Scope
from api.stock import services as ledger
from db.tables import Dose, Subject, SubjectForecast, SubjectGuardian

NOT_COMPLETE = "Not Complete"
DEFAULT_DAYS = 7
MAX_DAYS = 366
PAGE = 200
MEASURED_OVER = timedelta(days=90)
# The free programme's groups (a station's sessions), the paid ones, or every group.
Programme = Literal["epi", "service", "all"]


@dataclass(frozen=True)
class Area:
    """Where a due list looks: one facility's children, or those living in some places."""

    facility_id: int | None
    place_ids: frozenset[int]
    wastage_places: frozenset[int] | None  # the stock ledger's area for the wastage


async def area(scope: Scope, facility_id: int | None, place_id: int | None) -> Area:
    """The list's area within the caller's scope: a vaccinator's own facility (or its
    commune), an officer's facility or place; 404 outside, 403 above it."""
    if facility_id is not None and place_id is not None:
        raise Invalid("Give facility_id or place_id, not both", field="place_id")
    if facility_id is None and place_id is None:
        if scope.facility_id is None:
            raise Invalid("Give the facility_id or the place_id of the list", field="facility_id")
        facility_id = scope.facility_id
    if facility_id is not None:
        try:
            facility = await facilities.get(facility_id)
        except NotFound:
            raise NotFound(f"Facility {facility_id} not found") from None
        if not scope.contains_facility(facility_id, facility["place_id"]):
            raise NotFound(f"Facility {facility_id} not found")
        return Area(facility_id, frozenset(), None)
    assert place_id is not None
    if scope.facility_id is not None:
        if place_id not in scope.unit_place_ids():
            raise NotFound(f"Place {place_id} not found")
    else:
        scope.require_place(place_id)
    places = scope.tree.all_within(place_id, scope.day)
    return Area(None, places, places)


def _where(where: Area, since: date, until: date, groups: frozenset[str] | None) -> Any:
    """The range scan: this area's rows due by ``until`` and still givable at ``since``,
    of ``groups`` only when given."""
    in_area = (
        SubjectForecast.facility == where.facility_id
        if where.facility_id is not None
        else SubjectForecast.place.is_in(sorted(where.place_ids) or [-1])
    )
    found = (
        in_area
        & (SubjectForecast.due <= until)
        & (SubjectForecast.status == NOT_COMPLETE)
        & (SubjectForecast.latest.is_null() | (SubjectForecast.latest >= since))
    )
    return found if groups is None else found & SubjectForecast.vaccine_group.is_in(sorted(groups) or ["-"])


def check_range(since: date | None, until: date | None) -> tuple[date, date]:
    today = clock.current().today()
    since = since or today
    until = until or since + timedelta(days=DEFAULT_DAYS)
    if until < since:
        raise Invalid(f"The range ends ({until}) before it starts ({since})", field="to")
    if (until - since).days > MAX_DAYS:
        raise Invalid(f"A due list covers at most {MAX_DAYS} days", field="to")
    return since, until


def _state(row: dict[str, Any], since: date) -> str:
    return "overdue" if row["overdue"] is not None and row["overdue"] <= since else "due"


async def _guardians(subject_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each subject's primary guardian (else the first linked), with the phone to call."""
    rows = (
        await SubjectGuardian.select(
            SubjectGuardian.subject,
            SubjectGuardian.is_primary,
            SubjectGuardian.relationship,
            SubjectGuardian.guardian.full_name.as_alias("name"),
            SubjectGuardian.guardian.phone.as_alias("phone"),
        )
        .where(SubjectGuardian.subject.is_in(subject_ids or [-1]))
        .order_by(SubjectGuardian.id)
    )
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row["subject"] not in found or (row["is_primary"] and not found[row["subject"]]["is_primary"]):
            found[row["subject"]] = row
    return found


async def _rows(
    where: Area, since: date, until: date, groups: frozenset[str] | None, among: list[int] | None = None
) -> list[dict[str, Any]]:
    """The range's rows (of the children ``among`` only when given), first due first:
    one scan for the page and the counts."""
    found = _where(where, since, until, groups)
    if among is not None:
        found &= SubjectForecast.subject.is_in(among or [-1])
    return await (
        SubjectForecast.select(
            SubjectForecast.subject,
            SubjectForecast.vaccine_group,
            SubjectForecast.dose_number,
            SubjectForecast.earliest,
            SubjectForecast.due,
            SubjectForecast.overdue,
            SubjectForecast.latest,
        )
        .where(found)
        .order_by(SubjectForecast.due)
    )


def _grouped(
    rows: Iterable[dict[str, Any]], since: date, keep: Callable[[dict[str, Any]], bool]
) -> dict[int, list[dict[str, Any]]]:
    """The rows ``keep`` takes, as each subject's due groups with their state."""
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if keep(row):
            group = {k: v for k, v in row.items() if k != "subject"}
            groups[row["subject"]].append({**group, "state": _state(row, since)})
    return groups


async def _page(
    rows: Iterable[dict[str, Any]], since: date, after: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """One page of children (by id, after ``after``) with their due groups."""
    groups = _grouped(rows, since, lambda row: row["subject"] > after)
    ids = sorted(groups)
    more = len(ids) > limit
    return await _children(groups, ids[:limit]), more


async def _children(groups: dict[int, list[dict[str, Any]]], ids: list[int]) -> list[dict[str, Any]]:
    """The children ``ids`` with their guardian and their due groups (none: not due)."""
    if not ids:
        return []
    people = await Subject.select(
        Subject.id, Subject.code, Subject.full_name, Subject.birth_date, Subject.sex, Subject.place, Subject.status
    ).where(Subject.id.is_in(ids))
    guardians = await _guardians(ids)
    children = []
    for person in sorted(people, key=lambda p: p["id"]):
        guardian = guardians.get(person["id"])
        due = groups.get(person["id"], [])
        children.append(
            {
                **person,
                "state": "overdue" if any(g["state"] == "overdue" for g in due) else "due",
                "guardian_name": guardian["name"] if guardian else None,
                "guardian_phone": guardian["phone"] if guardian else None,
                "groups": due,
            }
        )
    return children


async def children_due(
    where: Area,
    day: date,
    vaccine_groups: Iterable[str] = (),
    *,
    also: Iterable[int] = (),
    among: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Every child of ``where`` due or overdue on ``day`` for one of ``vaccine_groups``
    (all groups when none), as the due list shows them, and the children ``also`` (a
    session's attended ones, no longer due once vaccinated) with their groups due, if
    any: a session's roster, by id. Of the children ``among`` only when given: is this
    child on the roster, without reading everyone's."""
    only = None if among is None else sorted(set(among))
    groups = _grouped(await _rows(where, day, day, frozenset(vaccine_groups) or None, only), day, lambda _: True)
    ids = set(groups) | set(also)
    return await _children(groups, sorted(ids if only is None else ids & set(only)))


async def _products(where: Area, since: date) -> dict[str, dict[str, Any]]:
    """The product (and its vial size) this area gives for each vaccine group: the one
    its doses of that group used most over the measuring period."""
    in_area = Dose.facility == where.facility_id if where.facility_id is not None else None
    if in_area is None:
        ids = [f["id"] for f in await facilities.listing(place_ids=sorted(where.place_ids))]
        in_area = Dose.facility.is_in(ids or [-1])
    rows = await Dose.select(
        Dose.vaccine_code,
        Dose.product.code.as_alias("product"),
        Dose.lot.presentation.doses_per_vial.as_alias("doses_per_vial"),  # type: ignore[union-attr]
    ).where(
        in_area
        & Dose.product.is_not_null()
        & (Dose.status == "administered")
        & (Dose.administered_on >= since - MEASURED_OVER)
    )
    used: dict[str, dict[tuple[str, int], int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for group in checks.groups_of(row["vaccine_code"]):
            used[group][(row["product"], int(row["doses_per_vial"] or 1))] += 1
    chosen = {group: max(counts, key=lambda k: counts[k]) for group, counts in used.items()}
    return {group: {"product": product, "doses_per_vial": per_vial} for group, (product, per_vial) in chosen.items()}


async def _wastage(where: Area, today: date) -> dict[str, float]:
    """Doses issued ÷ doses administered per product over the last 90 days."""
    usage = await ledger.usage_report(
        place_ids=where.wastage_places,
        facility_id=where.facility_id,
        since=today - MEASURED_OVER,
        until=today,
    )
    issued: dict[str, int] = defaultdict(int)
    given: dict[str, int] = defaultdict(int)
    for row in usage:
        issued[row["product_code"]] += row["issued"]
        given[row["product_code"]] += row["administered"]
    return {code: issued[code] / given[code] for code in issued if given[code]}


def _counts(rows: Iterable[dict[str, Any]], since: date) -> tuple[list[dict[str, Any]], dict[str, set[int]]]:
    per_group: dict[str, dict[str, Any]] = {}
    children: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        found = per_group.setdefault(
            row["vaccine_group"], {"vaccine_group": row["vaccine_group"], "due": 0, "overdue": 0}
        )
        found[_state(row, since)] += 1
        children[row["vaccine_group"]].add(row["subject"])
    counts = [{**c, "total": c["due"] + c["overdue"]} for c in per_group.values()]
    return sorted(counts, key=lambda c: c["vaccine_group"]), children


def _needs(
    children: dict[str, set[int]], products: dict[str, dict[str, Any]], wastage: dict[str, float]
) -> list[dict[str, Any]]:
    """Doses and vials per product (children counted once per product), and per group
    for the groups whose product this area has not given yet (vials unknown)."""
    by_product: dict[str, set[int]] = defaultdict(set)
    groups_of: dict[str, list[str]] = defaultdict(list)
    needs: list[dict[str, Any]] = []
    for group, subjects in sorted(children.items()):
        product = products.get(group)
        if product is None:
            needs.append(
                {
                    "vaccine_groups": [group],
                    "product": None,
                    "children": len(subjects),
                    "wastage_factor": 1.0,
                    "doses": len(subjects),
                    "doses_per_vial": None,
                    "vials": None,
                }
            )
            continue
        by_product[product["product"]] |= subjects
        groups_of[product["product"]].append(group)
    per_vial = {p["product"]: p["doses_per_vial"] for p in products.values()}
    for code, subjects in sorted(by_product.items()):
        factor = round(max(wastage.get(code, 1.0), 1.0), 3)
        doses = math.ceil(len(subjects) * factor)
        needs.append(
            {
                "vaccine_groups": groups_of[code],
                "product": code,
                "children": len(subjects),
                "wastage_factor": factor,
                "doses": doses,
                "doses_per_vial": per_vial[code],
                "vials": math.ceil(doses / per_vial[code]),
            }
        )
    return needs


async def due_list(
    scope: Scope,
    *,
    facility_id: int | None,
    place_id: int | None,
    since: date | None,
    until: date | None,
    after: int = 0,
    limit: int = PAGE,
    programme: Programme = "all",
) -> dict[str, Any]:
    """The children due or overdue in the range (a page of them, by id), the counts per
    vaccine group and the vaccine the range's sessions need (both for the whole range);
    of the ``programme``'s vaccine groups only (EPI or service) unless ``"all"``."""
    since, until = check_range(since, until)
    where = await area(scope, facility_id, place_id)
    groups = None if programme == "all" else immunization.programme_groups(programme, since)
    everyone = await _rows(where, since, until, groups)
    children, more = await _page(everyone, since, after, limit)
    counts, per_group = _counts(everyone, since)
    today = clock.current().today()
    return {
        "facility_id": where.facility_id,
        "place_id": place_id,
        "from": since,
        "to": until,
        "as_of": clock.current().now(),
        "children": children,
        "more": more,
        "counts": counts,
        "needs": _needs(per_group, await _products(where, today), await _wastage(where, today)),
    }

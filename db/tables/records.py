"""Vaccination records: each dose given (or read from a card), and the engine's stored
forecast per subject × vaccine group that due lists and reminders scan (docs/records.md)."""

from piccolo.columns import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from db.tables.accounts import Account
from db.tables.places import Facility, Place, Store
from db.tables.registry import Subject
from db.tables.stock import StockEvent, StockLot, StockOpenVial, StockProduct


class VaccinationSession(Table, tablename="vaccination_session"):
    """A fixed or outreach session a facility holds on a day (``held_on``), at a place
    (``place_name``: the commune hall, a village), for some vaccine groups, with its staff
    (account ids); planned → open → closed. ``report``: its figures, written at close."""

    id = Serial(primary_key=True)
    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict)
    held_on = Date()
    place_name = Varchar(length=200, default="")
    kind = Varchar(length=12, default="fixed")
    vaccine_groups = JSON(default="[]")
    staff = JSON(default="[]")
    status = Varchar(length=12, default="planned")
    planned_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    planned_at = Timestamptz()
    opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    report = JSON(null=True, default=None)


class SessionAttendance(Table, tablename="session_attendance"):
    """A child of a session's roster who did not get the dose there: ``absent``, or
    ``postponed`` with the reason; one row per child and session (marking again replaces it)."""

    id = Serial(primary_key=True)
    session = ForeignKey(VaccinationSession, null=False, on_delete=OnDelete.restrict)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict)
    status = Varchar(length=12)
    reason = Varchar(length=500, default="")
    recorded_at = Timestamptz()
    recorded_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)


class Campaign(Table, tablename="campaign"):
    """A vaccine group for every child of an age range (months) in an area (a place's
    subtree, or a facility's children) between two dates, whatever their history, with
    its target (the children counted at planning unless given)."""

    id = Serial(primary_key=True)
    name = Varchar(length=200)
    vaccine_group = Varchar(length=40)
    min_age_months = Integer()
    max_age_months = Integer()
    place = ForeignKey(Place, null=True, on_delete=OnDelete.restrict)
    facility = ForeignKey(Facility, null=True, on_delete=OnDelete.restrict)
    starts_on = Date()
    ends_on = Date()
    target = Integer()
    created_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class Dose(Table, tablename="dose"):
    """One vaccination, never deleted: a wrong one is voided with a reason.

    ``key``: the client's key, unique, so a retried or twice-synced dose is one row.
    ``administered_on``: Vietnam's local date (what the engine reads); ``administered_at``:
    the instant when known. ``source``: recorded | synced | historical.
    """

    id = Serial(primary_key=True)
    key = Varchar(length=64, unique=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    vaccine_code = Varchar(length=32)
    product = ForeignKey(StockProduct, null=True, on_delete=OnDelete.restrict)
    lot = ForeignKey(StockLot, null=True, on_delete=OnDelete.restrict, index=True)
    store = ForeignKey(Store, null=True, on_delete=OnDelete.restrict)
    stock_event = ForeignKey(StockEvent, null=True, on_delete=OnDelete.restrict)
    # The vial opening it came from (a lot of more than one dose per vial).
    open_vial = ForeignKey(StockOpenVial, null=True, on_delete=OnDelete.restrict)
    lot_number = Varchar(length=20, default="")
    lot_expiry = Date(null=True, default=None)
    administered_on = Date(index=True)
    administered_at = Timestamptz(null=True, default=None)
    facility = ForeignKey(Facility, null=True, on_delete=OnDelete.restrict, index=True)
    given_elsewhere = Varchar(length=200, default="")
    vaccinator = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    vaccinator_name = Varchar(length=200, default="")
    programme = Varchar(length=8, default="epi")
    route = Varchar(length=8, default="")
    site = Varchar(length=16, default="")
    screening = JSON(null=True, default=None)
    warnings = JSON(default="[]")
    # What someone must follow up on a dose kept as given (a synced dose on a held lot).
    flags = JSON(default="[]")
    override_reason = Varchar(length=500, default="")
    source = Varchar(length=12, default="recorded")
    status = Varchar(length=12, default="administered")
    void_reason = Varchar(length=500, default="")
    voided_at = Timestamptz(null=True, default=None)
    voided_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    corrects: ForeignKey["Dose"] = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz()
    recorded_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    # The session and the campaign it was given in, if any (docs/records.md, "Sessions and campaigns").
    session = ForeignKey(VaccinationSession, null=True, on_delete=OnDelete.restrict)
    campaign = ForeignKey(Campaign, null=True, on_delete=OnDelete.restrict)


class SubjectForecast(Table, tablename="subject_forecast"):
    """The engine's forecast of one vaccine group for one subject, rewritten with every
    change to the subject's doses; ``facility`` / ``place`` copied from the subject so a
    due list is a range scan on (facility or place, due)."""

    id = Serial(primary_key=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict)
    place = ForeignKey(Place, null=False, on_delete=OnDelete.restrict)
    vaccine_group = Varchar(length=40)
    status = Varchar(length=20)
    dose_number = Integer(null=True, default=None)
    earliest = Date(null=True, default=None)
    due = Date(null=True, default=None)
    overdue = Date(null=True, default=None)
    latest = Date(null=True, default=None)
    schedule = Varchar(length=40)
    computed_at = Timestamptz()


class DoseReview(Table, tablename="dose_review"):
    """A cross-site double dose: two doses of one vaccine group given to a child at two
    facilities within the group's minimum interval, neither knowing of the other (one
    arrived by sync). Both doses stay administered; both facilities see the review until
    someone resolves it with a note (docs/records.md, "Offline sync")."""

    id = Serial(primary_key=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    # Every group both doses count for (a pentavalent dose: DTP, HepB and Hib).
    vaccine_groups = JSON(default="[]")
    first_dose = ForeignKey(Dose, null=False, on_delete=OnDelete.restrict)
    second_dose = ForeignKey(Dose, null=False, on_delete=OnDelete.restrict)
    first_facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict)
    second_facility = ForeignKey(Facility, null=False, on_delete=OnDelete.restrict)
    status = Varchar(length=12, default="open")
    opened_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    note = Varchar(length=1000, default="")

"""Adverse events following immunization (AEFI): a report against one or more doses of
one subject, and its doses with their lots, so per-lot counts are one index scan
(docs/records.md, "AEFI and lot hold")."""

from piccolo.columns import (
    JSON,
    ForeignKey,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from db.tables.accounts import Account
from db.tables.places import Facility, Place
from db.tables.records import Dose
from db.tables.registry import Subject
from db.tables.stock import StockLot


class AefiReport(Table, tablename="aefi_report"):
    """One AEFI report. ``key``: the client's key, unique (a resent report is one row).
    ``facility`` and ``place``: where the doses were given (the list's scope);
    ``seriousness``: ``none`` or the WHO criterion; ``symptoms``: ``[{code, text}]`` coded
    from the list of version ``symptom_list``."""

    id = Serial(primary_key=True)
    key = Varchar(length=64, unique=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)
    facility = ForeignKey(Facility, null=True, on_delete=OnDelete.restrict, index=True)
    place = ForeignKey(Place, null=True, on_delete=OnDelete.restrict, index=True)
    onset_at = Timestamptz()
    symptoms = JSON(default="[]")
    symptom_list = Varchar(length=20)
    seriousness = Varchar(length=20, default="none")
    outcome = Varchar(length=12, default="unknown")
    reporter = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    reporter_name = Varchar(length=200, default="")
    reporter_phone = Varchar(length=20, default="")
    notes = Text(default="")
    reported_at = Timestamptz()


class AefiReportDose(Table, tablename="aefi_report_dose"):
    """A dose the report is about, with its lot (null for a historical dose)."""

    id = Serial(primary_key=True)
    report = ForeignKey(AefiReport, null=False, on_delete=OnDelete.restrict, index=True)
    dose = ForeignKey(Dose, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(StockLot, null=True, on_delete=OnDelete.restrict, index=True)

"""niis immunization rules engine: a pure-Python CDSi (CDC logic specification v4.6) engine.

Typical use, with Vietnam's schedule (``schedule.registry``) or the CDC's supporting
data (``schedule.cdc_loader.load_cdc_schedule``)::

    >>> from datetime import date
    >>> from schedule import AdministeredDose, Patient, evaluate, registry
    >>> birth_dose = AdministeredDose(date_administered=date(2026, 1, 10), vaccine_code="08")
    >>> child = Patient(birth_date=date(2026, 1, 10), sex="F", doses=(birth_dose,))
    >>> result = evaluate(child, registry.get("vn"), date(2026, 4, 1))
    >>> result.doses[0].evaluations[0].status
    <DoseStatus.VALID: 'Valid'>
    >>> hepb = result.vaccine_groups["HepB"]
    >>> hepb.dose_number, hepb.recommended, hepb.past_due
    (2, datetime.date(2026, 3, 10), datetime.date(2026, 4, 9))

See ``docs/schedule-engine.md`` for the model and how modules map to spec chapters.
"""

from schedule.engine import evaluate
from schedule.model import (
    AdministeredDose,
    Assessment,
    DoseStatus,
    Patient,
    PatientObservation,
    Schedule,
    SeriesStatus,
    VaccineGroupForecast,
)
from schedule.reasons import describe

__all__ = [
    "AdministeredDose",
    "Assessment",
    "DoseStatus",
    "Patient",
    "PatientObservation",
    "Schedule",
    "SeriesStatus",
    "VaccineGroupForecast",
    "describe",
    "evaluate",
]

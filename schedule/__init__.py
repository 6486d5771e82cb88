"""niis immunization rules engine: a pure-Python CDSi (CDC logic specification v4.6) engine.

Typical use::

    from schedule import evaluate, Patient, AdministeredDose
    from schedule.cdc_loader import load_cdc_schedule

    schedule = load_cdc_schedule("../shared/cdsi/supporting-data-4.64")
    assessment = evaluate(Patient(birth_date, "F", doses), schedule, today)

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

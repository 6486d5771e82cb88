"""Spec 4.2, organize immunization history: split each dose into its antigens.

A vaccine code maps to one or more antigens (CVX → antigen map), possibly only between
association ages (e.g. a zoster vaccine given below 50 years counts as varicella).
"""

from __future__ import annotations

from schedule.model import Patient, Schedule
from schedule.state import AntigenDose, Context

__all__ = ["organize_history"]


def organize_history(
    patient: Patient, schedule: Schedule, ctx: Context
) -> tuple[dict[str, list[AntigenDose]], list[int]]:
    """Return antigen → antigen doses in date order, and the input indexes of doses
    whose vaccine code the schedule does not know.

    Also fills ``ctx.history`` with every dose (all antigens) in date order, which live
    virus conflicts and "from most recent" intervals look at. Doses given after the
    assessment date are left out entirely.
    """
    order = sorted(range(len(patient.doses)), key=lambda i: patient.doses[i].date_administered)
    by_antigen: dict[str, list[AntigenDose]] = {}
    unknown: list[int] = []
    history: list[AntigenDose] = []
    for position, i in enumerate(order):
        dose = patient.doses[i]
        if dose.date_administered > ctx.assessment_date:
            # Assessing "as of" a past date (reports, audits): later doses did not exist yet.
            continue
        record = AntigenDose(position, i, dose, dose.date_administered, dose.vaccine_code)
        history.append(record)
        ctx.last_given[dose.vaccine_code] = dose.date_administered
        vaccine = schedule.vaccines.get(dose.vaccine_code)
        if vaccine is None:
            unknown.append(i)
            continue
        for assoc in vaccine.antigens:
            if ctx.within_ages(assoc.begin_age, assoc.end_age, dose.date_administered):
                by_antigen.setdefault(assoc.antigen, []).append(record)
    ctx.history = history
    return by_antigen, unknown

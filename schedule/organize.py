"""Spec 4.2, organize immunization history: split each dose into its antigens.

A vaccine code maps to one or more antigens (CVX → antigen map), possibly only between
association ages (e.g. a zoster vaccine given below 50 years counts as varicella).
"""

from __future__ import annotations

from schedule import reasons as R
from schedule.model import AdministeredDose, Patient, Schedule
from schedule.state import AntigenDose, Context

__all__ = ["dose_condition", "organize_history"]


def organize_history(
    patient: Patient, schedule: Schedule, ctx: Context
) -> tuple[dict[str, list[AntigenDose]], list[int]]:
    """Return antigen → antigen doses in date order, and the input indexes of doses
    whose vaccine code the schedule does not know.

    Also fills ``ctx.history`` with every dose (all antigens) in date order, which live
    virus conflicts and "from most recent" intervals look at. Doses given after the
    assessment date are left out entirely.
    """
    given = patient.doses
    day = ctx.assessment_date
    vaccines = schedule.vaccines
    order = sorted(range(len(given)), key=lambda i: given[i].date_administered)
    by_antigen: dict[str, list[AntigenDose]] = {}
    unknown: list[int] = []
    history: list[AntigenDose] = []
    given_by_code = ctx.given_by_code
    last_given = ctx.last_given
    for position, i in enumerate(order):
        dose = given[i]
        when = dose.date_administered
        if when > day:
            # Assessing "as of" a past date (reports, audits): later doses did not exist yet.
            continue
        code = dose.vaccine_code
        condition = dose_condition(dose) if dose.condition or dose.lot_expiration else None
        record = AntigenDose(position, i, dose, when, code, condition)
        history.append(record)
        last_given[code] = when
        same_code = given_by_code.get(code)
        if same_code is None:
            given_by_code[code] = [record]
        else:
            same_code.append(record)
        vaccine = vaccines.get(code)
        if vaccine is None:
            unknown.append(i)
            continue
        for assoc in vaccine.antigens:
            if (assoc.begin_age is None and assoc.end_age is None) or ctx.within_ages(
                assoc.begin_age, assoc.end_age, when
            ):
                doses = by_antigen.get(assoc.antigen)
                if doses is None:
                    by_antigen[assoc.antigen] = [record]
                else:
                    doses.append(record)
    ctx.history = history
    return by_antigen, unknown


def dose_condition(dose: AdministeredDose) -> str | None:
    """6.1: a reason when the dose cannot be evaluated (it is sub-standard), else None."""
    if dose.condition:
        return R.SUBSTANDARD
    expiry = dose.lot_expiration
    if expiry is not None and dose.date_administered > expiry:
        return R.EXPIRED
    return None

"""Evaluation and forecast for one person: the single door through which the registry,
vaccination records and reminders reach the rules engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import msgspec

import schedule as engine
from api.errors import Invalid
from api.immunization.schemas import Assessment
from schedule import registry
from schedule.reasons import describe

# Birth dates further back than this are typing mistakes, not people.
OLDEST_AGE_YEARS = 120


@dataclass(frozen=True)
class DoseGiven:
    date: date
    vaccine_code: str
    lot: str | None = None
    trade_name: str | None = None


@dataclass(frozen=True)
class Observation:
    code: str
    start: date | None = None
    end: date | None = None


def current_schedule() -> engine.Schedule:
    """Vietnam's schedule with every version, each series in force on its own dates."""
    return registry.get("vn")


def _check(
    birth_date: date,
    sex: str,
    doses: Sequence[DoseGiven],
    observations: Sequence[Observation],
    assessment_date: date,
    known: engine.Schedule,
) -> None:
    if birth_date > assessment_date:
        raise Invalid("The birth date is after the assessment date", field="birth_date")
    if assessment_date.year - birth_date.year > OLDEST_AGE_YEARS:
        raise Invalid(f"The birth date is more than {OLDEST_AGE_YEARS} years ago", field="birth_date")
    if sex not in {"F", "M", "U"}:
        raise Invalid("sex is F, M or U (unknown)", field="sex")
    for number, dose in enumerate(doses):
        if dose.date < birth_date:
            raise Invalid("A dose is dated before the birth date", field=f"doses[{number}].date")
        if dose.vaccine_code not in known.vaccines:
            raise Invalid(f"Unknown vaccine code {dose.vaccine_code!r}", field=f"doses[{number}].vaccine_code")
    for number, observation in enumerate(observations):
        if observation.code not in known.observations:
            raise Invalid(f"Unknown observation code {observation.code!r}", field=f"observations[{number}].code")


def assess(
    *,
    birth_date: date,
    sex: str,
    doses: Sequence[DoseGiven],
    observations: Sequence[Observation] = (),
    assessment_date: date,
    language: str = "vi",
) -> Assessment:
    """Which doses count and what is due when, with reasons in the nurse's language."""
    known = current_schedule()
    _check(birth_date, sex, doses, observations, assessment_date, known)
    patient = engine.Patient(
        birth_date=birth_date,
        sex=sex,
        doses=tuple(
            engine.AdministeredDose(
                date_administered=d.date, vaccine_code=d.vaccine_code, lot=d.lot, trade_name=d.trade_name
            )
            for d in doses
        ),
        observations=tuple(engine.PatientObservation(code=o.code, start=o.start, end=o.end) for o in observations),
    )
    result = engine.evaluate(patient, known, assessment_date)

    def reasons(codes: Sequence[str]) -> list[dict[str, str]]:
        return [{"code": code, "text": describe(code, language)} for code in codes]

    answer = {
        "assessment_date": result.assessment_date,
        "schedule": known.name,
        "doses": [
            {
                "date": evaluated.dose.date_administered,
                "vaccine_code": evaluated.dose.vaccine_code,
                "evaluations": [
                    {
                        "antigen": e.antigen,
                        "status": e.status.value,
                        "target_dose": e.target_dose,
                        "reasons": reasons(e.reasons),
                    }
                    for e in evaluated.evaluations
                ],
            }
            for evaluated in result.doses
        ],
        "vaccine_groups": [
            {
                "vaccine_group": group.vaccine_group,
                "status": group.status.value,
                "dose_number": group.dose_number,
                "earliest": group.earliest,
                "recommended": group.recommended,
                "past_due": group.past_due,
                "latest": group.latest,
                "vaccines": list(group.vaccines),
                "reasons": reasons(group.reasons),
            }
            for group in result.vaccine_groups.values()
        ],
    }
    return msgspec.convert(answer, Assessment)

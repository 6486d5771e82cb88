"""Evaluation, forecast and advice for one person: the single door through which the
registry, vaccination records and reminders reach the rules engine; and the screening
checklist (Decision 1575) with its outcome, read-only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import msgspec

import schedule as engine
from api.errors import Invalid
from api.immunization.schemas import Assessment, Checklist, ScreeningResult
from schedule import vn
from schedule.reasons import describe
from schedule.vn.advice import GroupAdvice, advise_assessment
from schedule.vn.screening import Answer, ScreeningError, checklist, screen

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


def current_schedule() -> vn.VietnamSchedule:
    """Vietnam's schedule data: ``.timeline`` has every version, each series in force on
    its own dates; the contraindications and precautions come with it."""
    return vn.load()


def programme_groups(programme: str, on: date) -> frozenset[str]:
    """The vaccine groups of the schedule's ``"epi"`` (free) or ``"service"`` (paid)
    series in force on ``on``: a group with an EPI series counts as EPI."""
    return _programme_groups(current_schedule().version_on(on).id)[programme]


@cache
def _programme_groups(version_id: str) -> dict[str, frozenset[str]]:
    data = current_schedule()
    version = next(v for v in data.versions if v.id == version_id)

    def groups(series_ids: Sequence[str]) -> frozenset[str]:
        antigens = {a for sid in series_ids for a in data.series[sid].antigens}
        return frozenset(g for a in antigens for g in data.timeline.group_of_antigen(a))

    epi = groups(version.epi)
    return {"epi": epi, "service": groups(version.service) - epi}


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


def _patient(
    birth_date: date, sex: str, doses: Sequence[DoseGiven], observations: Sequence[Observation]
) -> engine.Patient:
    return engine.Patient(
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


def _reasons(codes: Sequence[str], language: str) -> list[dict[str, str]]:
    return [{"code": code, "text": describe(code, language)} for code in codes]


def _group(advice: GroupAdvice, language: str) -> dict[str, Any]:
    """One vaccine group: the engine's forecast and, beside it, what to do today."""
    group = advice.forecast
    return {
        "vaccine_group": group.vaccine_group,
        "status": group.status.value,
        "dose_number": group.dose_number,
        "earliest": group.earliest,
        "recommended": group.recommended,
        "past_due": group.past_due,
        "latest": group.latest,
        "vaccines": list(group.vaccines),
        "reasons": _reasons(group.reasons, language),
        "advice": {
            "action": advice.action,
            "until": advice.until,
            "vaccines": list(advice.vaccines),
            "withheld": list(advice.withheld),
            "reasons": [
                {
                    "code": r.rule,
                    "observations": list(r.observations),
                    "text": r.text(language),
                    "source": r.source,
                    "confidence": r.confidence,
                }
                for r in advice.reasons
            ],
        },
    }


def assess(
    *,
    birth_date: date,
    sex: str,
    doses: Sequence[DoseGiven],
    observations: Sequence[Observation] = (),
    assessment_date: date,
    language: str = "vi",
) -> Assessment:
    """Which doses count, what is due when, and what to do today (do not give, postpone
    until, refer), with reasons in the nurse's language."""
    data = current_schedule()
    known = data.timeline
    _check(birth_date, sex, doses, observations, assessment_date, known)
    patient = _patient(birth_date, sex, doses, observations)
    result = engine.evaluate(patient, known, assessment_date)
    advice = advise_assessment(patient, result, data)
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
                        "reasons": _reasons(e.reasons, language),
                    }
                    for e in evaluated.evaluations
                ],
            }
            for evaluated in result.doses
        ],
        "vaccine_groups": [_group(a, language) for a in advice.values()],
    }
    return msgspec.convert(answer, Assessment)


def screening_checklist(*, language: str, birth_date: date | None, on: date) -> Checklist:
    """Decision 1575's checklist, both forms; with a birth date, which form fits on ``on``."""
    found = checklist()
    english = language.startswith("en")
    forms = []
    for form in found.forms.values():
        forms.append(
            {
                "id": form.id,
                "title": form.title_en if english else form.title_vi,
                "min_age": form.min_age.text if form.min_age else None,
                "max_age": form.max_age.text if form.max_age else None,
                "fits": None if birth_date is None else form.fits(birth_date, on),
                "questions": [
                    {
                        "id": q.id,
                        "text": q.text(language),
                        "note": q.note_en if english else q.note_vi,
                        "lasts": q.lasts,
                        "names_vaccine": "anaphylaxis" in q.observations,
                    }
                    for q in form.questions.values()
                ],
            }
        )
    answer = {
        "version": found.version,
        "title": found.title if english else found.title_vi,
        "source": found.source,
        "confidence": found.confidence,
        "forms": forms,
        "vaccines": sorted(
            ({"code": v.code, "description": v.description} for v in current_schedule().timeline.vaccines.values()),
            key=lambda v: v["description"].casefold(),
        ),
    }
    return msgspec.convert(answer, Checklist)


def screening_outcome(
    *,
    birth_date: date,
    sex: str,
    doses: Sequence[DoseGiven],
    observations: Sequence[Observation] = (),
    assessment_date: date,
    form: str,
    answers: Mapping[str, Answer],
    language: str = "vi",
) -> ScreeningResult:
    """What the screening's answers mean for each vaccine group today; nothing is stored."""
    data = current_schedule()
    _check(birth_date, sex, doses, observations, assessment_date, data.timeline)
    for qid, answer in answers.items():
        if answer.vaccine_code is not None and answer.vaccine_code not in data.timeline.vaccines:
            raise Invalid(f"Unknown vaccine code {answer.vaccine_code!r}", field=f"answers.{qid}.vaccine_code")
    forms = checklist().forms
    if form not in forms:
        raise Invalid(f"Unknown screening form {form!r} (one of: {', '.join(forms)})", field="form")
    if not forms[form].fits(birth_date, assessment_date):
        others = " or ".join(f for f in forms if f != form)
        raise Invalid(
            f"The {form!r} form does not fit the child's age on {assessment_date}: use {others}", field="form"
        )
    try:
        outcome = screen(_patient(birth_date, sex, doses, observations), assessment_date, form, answers)
    except ScreeningError as error:
        raise Invalid(str(error), field="answers") from error
    english = language.startswith("en")
    answer_out = {
        "form": outcome.form,
        "checklist_version": outcome.checklist_version,
        "decision": outcome.decision,
        "observations": [{"code": o.code, "start": o.start, "end": o.end} for o in outcome.observations],
        "notes": list(outcome.notes_en if english else outcome.notes_vi),
        "vaccine_groups": [_group(a, language) for a in outcome.vaccine_groups.values()],
    }
    return msgspec.convert(answer_out, ScreeningResult)

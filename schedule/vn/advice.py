"""What to do about each vaccine group today: the engine's forecast plus the
contraindications and precautions of ``data/contraindications.toml``.

::

    from schedule.vn.advice import advise
    advice = advise(patient, date.today())
    advice["Measles/MR"].action          # Action.DO_NOT_GIVE for a pregnant woman
    advice["Measles/MR"].reasons[0].text("en")
    advice["Polio"].until                # "postpone until" (first day it may be given)

The engine already applies the contraindications (the loader puts them in the model):
a contraindicated antigen's forecast is "Contraindicated", a contraindicated vaccine
(bOPV in immunodeficiency) leaves the recommended vaccines. This module names the rule
behind it, in Vietnamese and English, and adds the precautions the CDSi model has not
(postpone for fever, after immunoglobulin, refer for abnormal signs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from schedule.engine import evaluate
from schedule.model import Assessment, Patient, PatientObservation, SeriesStatus, VaccineGroupForecast
from schedule.vn.conditions import Kind, Rule
from schedule.vn.loader import VietnamSchedule, load

__all__ = ["Action", "GroupAdvice", "Reason", "advise", "advise_assessment"]


class Action(StrEnum):
    """What the nurse does about a vaccine group today (most restrictive last)."""

    NONE = "no dose needed"  # complete, immune, aged out
    NOT_YET_DUE = "not yet due"
    VACCINATE = "vaccinate"
    DO_NOT_GIVE = "do not give"
    POSTPONE = "postpone"
    REFER = "refer"


@dataclass(frozen=True, slots=True)
class Reason:
    """The rule behind a "do not give", "postpone" or "refer", with its source."""

    rule: str
    #: the patient's observations that triggered the rule
    observations: tuple[str, ...]
    text_vi: str
    text_en: str
    source: str
    confidence: str

    def text(self, lang: str = "vi") -> str:
        return self.text_en if lang.lower().startswith("en") else self.text_vi


@dataclass(frozen=True, slots=True)
class GroupAdvice:
    """The advice for one vaccine group.

    ``until``: for POSTPONE / REFER, the first day the vaccine may be given (None: once
    the condition has ended). ``vaccines``: codes that may be given (now, or when due);
    ``withheld``: codes not to give today, for the ``reasons``.
    """

    vaccine_group: str
    action: Action
    forecast: VaccineGroupForecast
    until: date | None = None
    vaccines: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()


def _reasons(found: list[tuple[Rule, PatientObservation]]) -> tuple[Reason, ...]:
    """One reason per rule, naming every observation that triggered it."""
    by_rule: dict[str, tuple[Rule, list[str]]] = {}
    for rule, observation in found:
        codes = by_rule.setdefault(rule.id, (rule, []))[1]
        if observation.code not in codes:
            codes.append(observation.code)
    return tuple(
        Reason(rule.id, tuple(codes), rule.reason_vi, rule.reason_en, rule.source, rule.confidence)
        for rule, codes in by_rule.values()
    )


def _withheld(rule: Rule, observation: PatientObservation, data: VietnamSchedule) -> frozenset[str]:
    """Codes ``rule`` withholds because of ``observation``; anaphylaxis: every code with
    an antigen of the group, so a DTP reaction withholds the 6-in-1 in the polio group too."""
    if rule.id == "anaphylaxis":
        return data.group_codes.get(data.conditions.anaphylaxis_groups.get(observation.code, ""), frozenset())
    return rule.vaccines


#: an active contraindication and the codes it withholds; an active precaution and the
#: first day its vaccines may be given again (None: once the condition has ended)
_Contra = tuple[Rule, PatientObservation, frozenset[str]]
_Precaution = tuple[Rule, PatientObservation, date | None]


def advise_assessment(
    patient: Patient, assessment: Assessment, data: VietnamSchedule | None = None
) -> dict[str, GroupAdvice]:
    """Advice for every vaccine group of ``assessment`` (the engine's result for ``patient``)."""
    data = data or load()
    on = assessment.assessment_date
    contra: list[_Contra] = []
    precautions: list[_Precaution] = []
    for o in patient.observations:
        for rule in data.conditions.rules:
            if rule.applies(o, on):
                if rule.kind is Kind.CONTRAINDICATION:
                    contra.append((rule, o, _withheld(rule, o, data)))
                else:
                    precautions.append((rule, o, rule.until(o)))
    return {
        name: _advise_group(name, f, contra, precautions, data.group_codes[name], on)
        for name, f in assessment.vaccine_groups.items()
    }


def _advise_group(
    name: str,
    forecast: VaccineGroupForecast,
    contra: list[_Contra],
    precautions: list[_Precaution],
    group_codes: frozenset[str],
    on: date,
) -> GroupAdvice:
    found: list[tuple[Rule, PatientObservation]] = []
    withheld: set[str] = set()
    for rule, o, codes in contra:
        hit = codes & group_codes
        if hit:
            found.append((rule, o))
            withheld |= hit
    vaccines = tuple(v for v in forecast.vaccines if v not in withheld) if withheld else forecast.vaccines
    if forecast.status is SeriesStatus.CONTRAINDICATED or (
        forecast.status is SeriesStatus.NOT_COMPLETE and not vaccines and withheld
    ):
        return GroupAdvice(
            name, Action.DO_NOT_GIVE, forecast, withheld=tuple(sorted(withheld)), reasons=_reasons(found)
        )
    if forecast.status is not SeriesStatus.NOT_COMPLETE:
        return GroupAdvice(name, Action.NONE, forecast)
    due_now = forecast.earliest is None or forecast.earliest <= on
    postponed: set[str] = set()
    refer = False
    until: date | None = on
    for rule, o, ends in precautions:
        codes = rule.vaccines.intersection(vaccines)
        if not codes or (ends is not None and forecast.earliest is not None and forecast.earliest >= ends):
            continue  # not due before the precaution ends: nothing to postpone
        postponed |= codes
        found.append((rule, o))
        refer = refer or rule.refer
        until = None if ends is None or until is None else max(until, ends)
    remaining = tuple(v for v in vaccines if v not in postponed) if postponed else vaccines
    if postponed and not remaining:
        return GroupAdvice(
            name,
            Action.REFER if refer else Action.POSTPONE,
            forecast,
            until,
            withheld=tuple(sorted(postponed | withheld)),
            reasons=_reasons(found),
        )
    return GroupAdvice(
        name,
        Action.VACCINATE if due_now else Action.NOT_YET_DUE,
        forecast,
        vaccines=remaining,
        withheld=tuple(sorted(postponed | withheld)),
        reasons=_reasons(found),
    )


def advise(
    patient: Patient,
    on: date,
    groups: Iterable[str] | None = None,
    data_dir: str | Path | None = None,
) -> Mapping[str, GroupAdvice]:
    """Evaluate ``patient`` on ``on`` with the Vietnamese schedule and advise each group."""
    data = load(data_dir)
    assessment = evaluate(patient, data.timeline, on, list(groups) if groups is not None else None)
    return advise_assessment(patient, assessment, data)

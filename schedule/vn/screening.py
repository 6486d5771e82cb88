"""The pre-vaccination screening checklist (``data/screening.toml``, Decision
1575/QĐ-BYT) and its outcome per vaccine group.

::

    from schedule.vn.screening import Answer, screen
    outcome = screen(patient, date.today(), "child", {"temperature": True,
                     "anaphylaxis-previous-dose": Answer(vaccine_code="198")})
    outcome.decision                         # Action.POSTPONE
    outcome.vaccine_groups["DTP"].action     # Action.DO_NOT_GIVE (anaphylaxis)
    outcome.observations                     # to store with the vaccination record
    outcome.checklist_version                # to store with the answers

Each "yes" becomes observations (code, start, end) added to the patient's own; the
outcome is :func:`schedule.vn.advice.advise` on the screening day, so a screening
answer and an observation already on record act the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from schedule.dates import Duration, add
from schedule.engine import evaluate
from schedule.model import Patient, PatientObservation
from schedule.vn.advice import Action, GroupAdvice, advise_assessment
from schedule.vn.loader import DATA_DIR, VietnamSchedule, load
from schedule.vn.reader import Reader, read_toml

__all__ = [
    "ANAPHYLAXIS",
    "Answer",
    "Checklist",
    "Form",
    "Question",
    "ScreeningError",
    "ScreeningOutcome",
    "checklist",
    "screen",
]

_DEFAULT_FOLDER = str(DATA_DIR.resolve())
#: The pseudo-observation of the anaphylaxis question: the answer's vaccine decides the code.
ANAPHYLAXIS = "anaphylaxis"


class ScreeningError(ValueError):
    """The answers do not fit the form (unknown form or question, missing vaccine)."""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text_en: str
    text_vi: str
    observations: tuple[str, ...]
    #: "day": observed on the screening day only; "ongoing": until the answer's end
    lasts: str
    note_en: str = ""
    note_vi: str = ""

    def text(self, lang: str = "vi") -> str:
        return self.text_en if lang.lower().startswith("en") else self.text_vi


@dataclass(frozen=True, slots=True)
class Form:
    id: str
    title_en: str
    title_vi: str
    questions: Mapping[str, Question]
    min_age: Duration | None = None
    max_age: Duration | None = None

    def fits(self, birth_date: date, on: date) -> bool:
        """Whether the form is the one for a child born on ``birth_date``, on ``on``."""
        return (self.min_age is None or on >= add(birth_date, self.min_age)) and (
            self.max_age is None or on < add(birth_date, self.max_age)
        )


@dataclass(frozen=True, slots=True)
class Checklist:
    version: str
    title: str
    title_vi: str
    source: str
    confidence: str
    forms: Mapping[str, Form]


@dataclass(frozen=True, slots=True)
class Answer:
    """A "yes" with details (a plain ``True`` is a yes without them).

    ``start`` / ``end``: when the condition or treatment began and ended (its last day;
    for immunoglobulin the day it was given). ``vaccine_code``: for the anaphylaxis
    question, the vaccine of the previous dose (any group sharing its antigens is
    contraindicated).
    """

    yes: bool = True
    start: date | None = None
    end: date | None = None
    vaccine_code: str | None = None


@dataclass(frozen=True, slots=True)
class ScreeningOutcome:
    """The outcome of one screening: store ``checklist_version``, the answers and
    ``observations`` with the record; show ``decision`` and ``vaccine_groups``."""

    form: str
    checklist_version: str
    observations: tuple[PatientObservation, ...]
    #: the screening's overall outcome: REFER, else VACCINATE when some vaccine may be
    #: given now, else POSTPONE, else DO_NOT_GIVE (NOT_YET_DUE: nothing is due today)
    decision: Action
    vaccine_groups: Mapping[str, GroupAdvice]
    notes_en: tuple[str, ...] = ()
    notes_vi: tuple[str, ...] = ()


def _load_checklist(path: Path, data: VietnamSchedule) -> Checklist:
    raw = read_toml(path)
    name = path.name
    top = Reader(raw, name, ("version", "title", "title_vi", "source", "confidence", "form"))
    forms: dict[str, Form] = {}
    for i, raw_form in enumerate(top.items("form"), start=1):
        f = Reader(raw_form, f"{name}: form #{i}", ("id", "title_en", "title_vi", "min_age", "max_age", "question"))
        fid = f.required("id")
        questions: dict[str, Question] = {}
        for k, raw_q in enumerate(f.items("question"), start=1):
            q = Reader(
                raw_q,
                f"{name}: form {fid!r} question #{k}",
                ("id", "text_en", "text_vi", "observations", "lasts", "note_en", "note_vi"),
            )
            qid = q.required("id")
            if qid in questions:
                raise q.fail(f"question id {qid!r} listed twice")
            codes = q.strings("observations")
            for code in codes:
                if code != ANAPHYLAXIS and code not in data.timeline.observations:
                    raise q.fail(f"unknown observation {code!r}")
            lasts = q.text("lasts", "day")
            if lasts not in ("day", "ongoing"):
                raise q.fail("lasts must be day or ongoing")
            questions[qid] = Question(
                qid, q.required("text_en"), q.required("text_vi"), codes, lasts, q.text("note_en"), q.text("note_vi")
            )
        forms[fid] = Form(
            fid,
            f.required("title_en"),
            f.required("title_vi"),
            MappingProxyType(questions),
            f.duration("min_age"),
            f.duration("max_age"),
        )
    return Checklist(
        top.required("version"),
        top.text("title"),
        top.text("title_vi"),
        top.text("source"),
        top.confidence(),
        MappingProxyType(forms),
    )


@lru_cache(maxsize=4)
def _checklist_cached(folder: str) -> Checklist:
    return _load_checklist(Path(folder) / "screening.toml", load(folder))


def checklist(data_dir: str | Path | None = None) -> Checklist:
    """The screening checklist (both forms), loaded once per data folder."""
    return _checklist_cached(_DEFAULT_FOLDER if data_dir is None else str(Path(data_dir).resolve()))


def _observations(question: Question, answer: Answer, on: date, data: VietnamSchedule) -> list[PatientObservation]:
    start = answer.start or on
    end = answer.end if answer.end is not None else (start if question.lasts == "day" else None)
    if end is not None and end < start:
        raise ScreeningError(f"{question.id}: the end ({end}) is before the start ({start})")
    found = []
    for code in question.observations:
        if code != ANAPHYLAXIS:
            found.append(PatientObservation(code, start, end))
            continue
        vaccine = data.timeline.vaccines.get(answer.vaccine_code or "")
        if vaccine is None:
            raise ScreeningError(f"{question.id}: name the vaccine of the previous dose (a known vaccine_code)")
        antigens = {a.antigen for a in vaccine.antigens}
        for group, observation in data.conditions.anaphylaxis.items():
            if antigens & set(data.timeline.vaccine_groups[group].antigens):
                found.append(PatientObservation(observation, start, None))
    return found


def _decision(groups: Mapping[str, GroupAdvice]) -> Action:
    actions = {advice.action for advice in groups.values()}
    for action in (Action.REFER, Action.VACCINATE, Action.POSTPONE, Action.DO_NOT_GIVE):
        if action in actions:
            return action
    return Action.NOT_YET_DUE


def screen(
    patient: Patient,
    on: date,
    form: str,
    answers: Mapping[str, bool | Answer],
    data_dir: str | Path | None = None,
) -> ScreeningOutcome:
    """The outcome of screening ``patient`` on ``on`` with ``form`` (``"newborn"`` or
    ``"child"``): questions not answered are "no". Raises :class:`ScreeningError` for an
    unknown form or question, or an anaphylaxis answer without a known vaccine."""
    data = load(data_dir)
    forms = checklist(data_dir).forms
    if form not in forms:
        raise ScreeningError(f"unknown screening form {form!r} (one of: {', '.join(forms)})")
    chosen = forms[form]
    if not chosen.fits(patient.birth_date, on):
        others = [f.id for f in forms.values() if f.id != form]
        raise ScreeningError(f"the {form!r} form does not fit the child's age on {on}: use {' or '.join(others)!s}")
    questions = chosen.questions
    added: list[PatientObservation] = []
    notes_en: list[str] = []
    notes_vi: list[str] = []
    for qid, given in answers.items():
        question = questions.get(qid)
        if question is None:
            raise ScreeningError(f"form {form!r} has no question {qid!r}")
        answer = given if isinstance(given, Answer) else Answer(yes=bool(given))
        if not answer.yes:
            continue
        added += _observations(question, answer, on, data)
        if question.note_en:
            notes_en.append(question.note_en)
            notes_vi.append(question.note_vi)
    screened = replace(patient, observations=patient.observations + tuple(added))
    groups = advise_assessment(screened, evaluate(screened, data.timeline, on), data)
    return ScreeningOutcome(
        form=form,
        checklist_version=checklist(data_dir).version,
        observations=tuple(added),
        decision=_decision(groups),
        vaccine_groups=MappingProxyType(groups),
        notes_en=tuple(notes_en),
        notes_vi=tuple(notes_vi),
    )

"""Contraindications and precautions (``data/contraindications.toml``) as rules and as
the engine's model.

A **contraindication** ("do not give") is active while one of its observations is: the
loader turns it into the engine's :class:`~schedule.model.AntigenContraindication` (every
vaccine of the antigen is listed) or :class:`~schedule.model.VaccineContraindication`
(only some: bOPV but not IPV), so the forecast says "Contraindicated" or leaves the codes
out of the recommended vaccines, and a contraindication that ends (a delivery) makes the
vaccine due again. A **precaution** ("postpone until ...") is not in the CDSi model: the
engine still forecasts the dose, and :mod:`schedule.vn.advice` postpones it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from schedule.dates import Duration, add
from schedule.model import (
    AntigenContraindication,
    ObservationType,
    PatientObservation,
    VaccineCode,
    VaccineContraindication,
    VaccineGroup,
    VaccineRule,
)
from schedule.vn.reader import Reader, read_toml

__all__ = ["Conditions", "Kind", "Rule", "antigen_contraindications", "load_conditions"]

_ONE_DAY = timedelta(days=1)
_RULE_KEYS = ("id", "observations", "vaccines", "after", "refer", "reason_en", "reason_vi", "source", "confidence")


class Kind(StrEnum):
    CONTRAINDICATION = "contraindication"
    PRECAUTION = "precaution"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: while one of ``observations`` applies, ``vaccines`` are not given.

    ``after`` (precautions): how long past the observation's end the vaccines stay
    postponed. ``refer``: the outcome is "refer to hospital", not "postpone".
    """

    id: str
    kind: Kind
    observations: frozenset[str]
    vaccines: frozenset[str]
    reason_en: str
    reason_vi: str
    source: str
    confidence: str
    after: Duration | None = None
    refer: bool = False

    def reason(self, lang: str = "vi") -> str:
        return self.reason_en if lang.lower().startswith("en") else self.reason_vi

    def applies(self, observation: PatientObservation, on: date) -> bool:
        """The observation makes this rule active on ``on`` (for a precaution: active
        or within ``after`` of its end)."""
        if observation.code not in self.observations:
            return False
        if observation.start is not None and on < observation.start:
            return False
        if self.kind is Kind.CONTRAINDICATION or observation.end is None:
            return observation.end is None or on <= observation.end
        until = self.until(observation)
        return until is None or on < until

    def until(self, observation: PatientObservation) -> date | None:
        """First day the vaccines may be given again; None while the observation has no end."""
        if observation.end is None:
            return None
        if self.after is None:
            return observation.end + _ONE_DAY
        return add(observation.end, self.after)


@dataclass(frozen=True, slots=True)
class Conditions:
    """Everything in ``contraindications.toml``."""

    version: str
    title: str
    observations: Mapping[str, ObservationType]
    rules: tuple[Rule, ...]
    #: vaccine group -> observation code "anaphylaxis after a previous dose"
    anaphylaxis: Mapping[str, str]
    #: the other way round: observation code -> vaccine group
    anaphylaxis_groups: Mapping[str, str]

    def contraindications(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind is Kind.CONTRAINDICATION)

    def precautions(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind is Kind.PRECAUTION)


def _codes(r: Reader, lists: Mapping[str, frozenset[str]], vaccines: Mapping[str, VaccineCode]) -> frozenset[str]:
    value = r.table.get("vaccines")
    if isinstance(value, str):
        if value == "all":
            return frozenset(vaccines)
        if value not in lists:
            raise r.fail(f"vaccines: {value!r} is not a list in [live] (or 'all')")
        return lists[value]
    return r.known("vaccines", vaccines, "vaccine code")


def load_conditions(
    path: Path,
    vaccines: Mapping[str, VaccineCode],
    groups: Mapping[str, VaccineGroup],
    group_names_vi: Mapping[str, str],
    known_observations: Mapping[str, ObservationType],
) -> Conditions:
    """Read ``path`` against the schedule's vaccine codes, groups and observations."""
    data = read_toml(path)
    name = path.name
    top = Reader(
        data, name, ("version", "title", "live", "observation", "contraindication", "precaution", "anaphylaxis")
    )
    lists: dict[str, frozenset[str]] = {}
    live = data.get("live", {})
    lr = Reader(live, f"{name}: live", ("codes", "injected_antibody_sensitive"))
    for key in ("codes", "injected_antibody_sensitive"):
        codes = frozenset(lr.strings(key))
        unknown = codes - set(vaccines)
        if unknown:
            raise lr.fail(f"{key}: unknown vaccine code(s) {', '.join(sorted(unknown))}")
        lists["live" if key == "codes" else key] = codes
    observations: dict[str, ObservationType] = {}
    for i, raw in enumerate(top.items("observation"), start=1):
        r = Reader(raw, f"{name}: observation #{i}", ("code", "title", "title_vi", "group"))
        code = r.required("code")
        if code in observations or code in known_observations:
            raise r.fail(f"observation {code!r} listed twice")
        title, title_vi = r.text("title", code), r.text("title_vi")
        observations[code] = ObservationType(code, f"{title} / {title_vi}", r.text("group"), clarifying_text=title_vi)
    rules: list[Rule] = []
    ana = Reader(data.get("anaphylaxis", {}), f"{name}: anaphylaxis", ("codes", *_RULE_KEYS))
    by_group: dict[str, str] = {}
    for group, code in dict(ana.table.get("codes", {})).items():
        if group not in groups:
            raise ana.fail(f"unknown vaccine group {group!r}")
        if not isinstance(code, str) or not code or code in observations or code in known_observations:
            raise ana.fail(f"{group}: the observation code must be new text")
        by_group[group] = code
        observations[code] = ObservationType(
            code,
            f"Anaphylaxis after a previous dose: {group} / Phản vệ sau liều trước: {group_names_vi.get(group, group)}",
            "Contraindication",
        )
    if by_group:
        rules.append(
            Rule(
                id="anaphylaxis",
                kind=Kind.CONTRAINDICATION,
                observations=frozenset(by_group.values()),
                vaccines=frozenset(),  # per group: see antigen_contraindications
                reason_en=ana.required("reason_en"),
                reason_vi=ana.required("reason_vi"),
                source=ana.text("source"),
                confidence=ana.confidence(),
            )
        )
    known = {**known_observations, **observations}
    seen: set[str] = set()
    for kind in Kind:
        for i, raw in enumerate(top.items(kind.value), start=1):
            r = Reader(raw, f"{name}: {kind.value} #{i}", _RULE_KEYS)
            rid = r.required("id")
            r.where = f"{name}: {kind.value} {rid!r}"
            if rid in seen or rid == "anaphylaxis":
                raise r.fail("rule id listed twice")
            seen.add(rid)
            codes = r.known("observations", known, "observation")
            if kind is Kind.CONTRAINDICATION and ("after" in raw or "refer" in raw):
                raise r.fail("after and refer are for precautions")
            rules.append(
                Rule(
                    id=rid,
                    kind=kind,
                    observations=codes,
                    vaccines=_codes(r, lists, vaccines),
                    reason_en=r.required("reason_en"),
                    reason_vi=r.required("reason_vi"),
                    source=r.required("source"),
                    confidence=r.confidence(),
                    after=r.duration("after"),
                    refer=r.flag("refer"),
                )
            )
    return Conditions(
        version=top.required("version"),
        title=top.text("title"),
        observations=MappingProxyType(observations),
        rules=tuple(rules),
        anaphylaxis=MappingProxyType(by_group),
        anaphylaxis_groups=MappingProxyType({code: group for group, code in by_group.items()}),
    )


def antigen_contraindications(
    conditions: Conditions,
    antigen: str,
    vaccines: Mapping[str, VaccineCode],
    groups: Mapping[str, VaccineGroup],
) -> tuple[tuple[AntigenContraindication, ...], tuple[VaccineContraindication, ...]]:
    """The engine's contraindications of ``antigen``: whole antigen when a rule lists
    every code that contains it, else the listed codes only."""
    own = frozenset(code for code, v in vaccines.items() if any(a.antigen == antigen for a in v.antigens))
    whole: list[AntigenContraindication] = []
    some: list[VaccineContraindication] = []
    for group, code in conditions.anaphylaxis.items():
        if antigen in groups[group].antigens:
            whole.append(AntigenContraindication(code, title="anaphylaxis"))
    for rule in conditions.contraindications():
        hit = rule.vaccines & own
        if not hit:
            continue
        for code in sorted(rule.observations):
            if hit == own:
                whole.append(AntigenContraindication(code, title=rule.id, text=rule.reason_en, guidance=rule.reason_vi))
            else:
                some.append(
                    VaccineContraindication(
                        code,
                        tuple(VaccineRule("", c) for c in sorted(hit)),
                        title=rule.id,
                        text=rule.reason_en,
                        guidance=rule.reason_vi,
                    )
                )
    return tuple(whole), tuple(some)

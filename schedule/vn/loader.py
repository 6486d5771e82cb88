"""Load Vietnam's schedule from the TOML files in ``schedule/vn/data`` into the model.

The data is split so that a schedule maintainer edits one thing in one place:

* ``schedule.toml``: antigens, vaccine groups, vaccine codes, observations, live vaccines;
* ``series/*.toml``: antigen series and their target doses (ages, intervals, vaccines);
* ``versions.toml``: which series are in force from which date (EPI or service);
* ``catalogue.toml``: products (read by :mod:`schedule.vn.catalogue`, not here).

Every version becomes one :class:`~schedule.model.Schedule`; :func:`timeline` merges them
into one schedule whose series carry ``effective``/``cessation`` dates, so the engine
picks the series in force on the assessment date by itself. Unknown keys, antigens,
vaccine codes and series ids are errors that name the file and the entry, so a typo
in the data fails loudly at load time rather than silently changing a forecast.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from schedule.dates import Duration
from schedule.model import (
    AgeRule,
    Antigen,
    AntigenAssociation,
    AntigenContraindication,
    AntigenSeries,
    ConditionalSkip,
    Indication,
    Interval,
    LiveVirusConflict,
    ObservationType,
    Schedule,
    SeriesDose,
    SeriesType,
    SkipCondition,
    SkipConditionType,
    SkipContext,
    SkipSet,
    VaccineCode,
    VaccineContraindication,
    VaccineGroup,
    VaccineRule,
)
from schedule.vn.conditions import Conditions, antigen_contraindications, load_conditions
from schedule.vn.reader import DataError, Reader, read_toml

__all__ = [
    "DATA_DIR",
    "SCHEDULE_NAME",
    "DataError",
    "SeriesInfo",
    "Version",
    "VietnamSchedule",
    "load",
]

#: Folder of the data files shipped with the package.
DATA_DIR = Path(__file__).parent / "data"
_DEFAULT_FOLDER = str(DATA_DIR.resolve())
#: Name of the schedule in :mod:`schedule.registry`.
SCHEDULE_NAME = "vn"

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """What the data says about a series beyond the model: provenance and confidence."""

    id: str
    name: str
    antigens: tuple[str, ...]
    confidence: str
    source: str
    file: str
    #: confidence notes of single doses/fields, e.g. ``("dose 5: unconfirmed", ...)``
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Version:
    """One version of the schedule (a circular) and the schedule built from it.

    ``cessation`` is the day before the next version's ``effective`` date (``None`` for
    the latest). ``epi`` and ``service`` are series ids.
    """

    id: str
    title: str
    title_vi: str
    effective: date
    cessation: date | None
    confidence: str
    effective_confidence: str
    source: str
    note: str
    epi: tuple[str, ...]
    service: tuple[str, ...]
    schedule: Schedule
    #: EPI series rolled out to some provinces or people only: series id -> who
    scope: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def series_ids(self) -> tuple[str, ...]:
        """All series in force in this version, EPI first."""
        return self.epi + self.service

    def in_effect(self, on: date) -> bool:
        """True when this version is the one in force on ``on``."""
        return self.effective <= on and (self.cessation is None or on <= self.cessation)


@dataclass(frozen=True, slots=True)
class VietnamSchedule:
    """Everything loaded from the data folder: versions, series provenance, timeline."""

    versions: tuple[Version, ...]
    series: Mapping[str, SeriesInfo]
    #: all versions merged: series dated with the versions they belong to
    timeline: Schedule
    #: vaccine group name → Vietnamese name
    group_names_vi: Mapping[str, str]
    #: antigen → (disease in English, disease in Vietnamese)
    diseases: Mapping[str, tuple[str, str]]
    #: contraindications and precautions (contraindications.toml)
    conditions: Conditions
    #: vaccine group -> every vaccine code containing one of its antigens
    group_codes: Mapping[str, frozenset[str]]

    def version_on(self, day: date) -> Version:
        """The version in force on ``day`` (the first version for earlier days)."""
        for version in reversed(self.versions):
            if version.effective <= day:
                return version
        return self.versions[0]

    def scope(self, series_id: str, day: date) -> str | None:
        """Who gets an EPI series free on ``day`` when not everyone does, else None."""
        return self.version_on(day).scope.get(series_id)

    def programme(self, series_id: str, day: date) -> str | None:
        """``"EPI"``, ``"service"`` or ``None`` (not in force) for a series on ``day``."""
        version = self.version_on(day)
        if series_id in version.epi:
            return "EPI"
        if series_id in version.service:
            return "service"
        return None


# ----------------------------------------------------------------------- small parsers


def _minus(duration: Duration, grace: Duration) -> Duration:
    """``duration - grace`` written as CDC writes it (``"4 weeks - 4 days"``)."""
    return Duration(
        duration.years - grace.years,
        duration.months - grace.months,
        duration.days - grace.days,
        f"{duration} - {grace}",
    )


# ----------------------------------------------------------------------- schedule.toml


@dataclass(slots=True)
class _Base:
    grace: Duration
    diseases: dict[str, tuple[str, str]]
    groups: dict[str, VaccineGroup]
    group_names_vi: dict[str, str]
    vaccines: dict[str, VaccineCode]
    observations: dict[str, ObservationType]
    conflicts: tuple[LiveVirusConflict, ...]
    #: antigen -> its contraindications in the engine's model (from contraindications.toml)
    contraindications: dict[str, tuple[tuple[AntigenContraindication, ...], tuple[VaccineContraindication, ...]]] = (
        field(default_factory=dict)
    )


def _load_base(path: Path) -> _Base:
    data = read_toml(path)
    top = Reader(data, path.name, ("grace", "antigen", "group", "vaccine", "observation", "live_virus"))
    grace = top.duration("grace") or Duration(days=4, text="4 days")
    diseases: dict[str, tuple[str, str]] = {}
    for i, raw in enumerate(top.items("antigen"), start=1):
        r = Reader(raw, f"{path.name}: antigen #{i}", ("name", "disease_en", "disease_vi"))
        name = r.required("name")
        if name in diseases:
            raise r.fail(f"antigen {name!r} listed twice")
        diseases[name] = (r.text("disease_en", name), r.text("disease_vi"))
    groups: dict[str, VaccineGroup] = {}
    names_vi: dict[str, str] = {}
    for i, raw in enumerate(top.items("group"), start=1):
        r = Reader(raw, f"{path.name}: group #{i}", ("name", "name_vi", "antigens", "administer_full_vaccine_group"))
        name = r.required("name")
        antigens = r.strings("antigens")
        for antigen in antigens:
            if antigen not in diseases:
                raise r.fail(f"unknown antigen {antigen!r}")
        groups[name] = VaccineGroup(name, antigens, r.flag("administer_full_vaccine_group"))
        names_vi[name] = r.text("name_vi", name)
    vaccines: dict[str, VaccineCode] = {}
    for i, raw in enumerate(top.items("vaccine"), start=1):
        r = Reader(raw, f"{path.name}: vaccine #{i}", ("code", "description", "antigens", "cvx"))
        code = r.required("code")
        if code in vaccines:
            raise r.fail(f"vaccine code {code!r} listed twice")
        assocs = []
        for item in r.items("antigens"):
            if isinstance(item, str):
                item = {"antigen": item}
            a = Reader(item, f"{r.where} ({code}) antigen", ("antigen", "begin_age", "end_age"))
            antigen = a.required("antigen")
            if antigen not in diseases:
                raise a.fail(f"unknown antigen {antigen!r}")
            assocs.append(AntigenAssociation(antigen, a.duration("begin_age"), a.duration("end_age")))
        vaccines[code] = VaccineCode(code, r.text("description"), tuple(assocs), r.strings("cvx"))
    observations: dict[str, ObservationType] = {}
    for i, raw in enumerate(top.items("observation"), start=1):
        r = Reader(raw, f"{path.name}: observation #{i}", ("code", "title", "title_vi", "group"))
        code = r.required("code")
        title = r.text("title", code)
        title_vi = r.text("title_vi")
        observations[code] = ObservationType(
            code, f"{title} / {title_vi}" if title_vi else title, r.text("group"), clarifying_text=title_vi
        )
    conflicts: list[LiveVirusConflict] = []
    live = data.get("live_virus")
    if live is not None:
        r = Reader(live, f"{path.name}: live_virus", ("codes", "begin", "min_end", "end"))
        codes = r.strings("codes")
        begin, min_end, end = r.duration("begin"), r.duration("min_end"), r.duration("end")
        if begin is None or min_end is None or end is None:
            raise r.fail("begin, min_end and end are required")
        for code in codes:
            if code not in vaccines:
                raise r.fail(f"unknown vaccine code {code!r}")
        for previous in codes:
            for current in codes:
                conflicts.append(LiveVirusConflict("", previous, "", current, begin, min_end, end))
    return _Base(grace, diseases, groups, names_vi, vaccines, observations, tuple(conflicts))


# ----------------------------------------------------------------------- series/*.toml

_SERIES_KEYS = (
    "id",
    "antigens",
    "name",
    "type",
    "series_group",
    "priority",
    "preference",
    "default",
    "product_path",
    "min_age_to_start",
    "max_age_to_start",
    "gender",
    "indications",
    "confidence",
    "source",
    "note",
    "dose",
)
_AGE_KEYS = ("abs_min_age", "min_age", "earliest_rec_age", "latest_rec_age", "max_age")
_DOSE_KEYS = (
    *_AGE_KEYS,
    *(f"{k}_confidence" for k in _AGE_KEYS),
    "intervals",
    "allowable_intervals",
    "vaccines",
    "allowable",
    "inadvertent",
    "skip",
    "recurring",
    "confidence",
    "note",
)
_INTERVAL_KEYS = (
    "from_dose",
    "from_observation",
    "from_most_recent",
    "abs_min",
    "min",
    "rec",
    "latest_rec",
    "priority",
    "waived_by_new_observation",
)
_INTERVAL_KEYS_ALL = (*_INTERVAL_KEYS, "confidence", "note")
_SKIP_CONDITION_KEYS = (
    "type",
    "begin_age",
    "end_age",
    "start_date",
    "end_date",
    "interval",
    "dose_count",
    "dose_type",
    "dose_count_logic",
    "vaccines",
    "series_groups",
    "observation",
)


class _SeriesParser:
    def __init__(self, base: _Base, file: str) -> None:
        self.base = base
        self.file = file
        self.flags: list[str] = []

    def vaccine_rules(self, r: Reader, key: str) -> tuple[VaccineRule, ...]:
        rules = []
        for item in r.items(key):
            if isinstance(item, str):
                item = {"code": item}
            v = Reader(item, f"{r.where}: {key}", ("code", "begin_age", "end_age", "trade_name", "volume"))
            code = v.required("code")
            if code not in self.base.vaccines:
                raise v.fail(f"unknown vaccine code {code!r} (add it to schedule.toml)")
            volume = item.get("volume")
            rules.append(
                VaccineRule(
                    vaccine_type=self.base.vaccines[code].description,
                    code=code,
                    begin_age=v.duration("begin_age"),
                    end_age=v.duration("end_age"),
                    trade_name=v.text("trade_name") or None,
                    volume=float(volume) if volume is not None else None,
                    forecast=key == "vaccines",
                )
            )
        return tuple(rules)

    def interval(self, raw: Any, where: str, dose_label: str) -> Interval:
        if not isinstance(raw, dict):
            raise DataError(f'{where}: an interval is a table like {{ min = "4 weeks" }}')
        r = Reader(raw, where, _INTERVAL_KEYS_ALL)
        confidence = r.confidence(default="confirmed")
        if confidence != "confirmed":
            self.flags.append(f"{dose_label} interval: {confidence}")
        minimum = r.duration("min")
        absolute = r.duration("abs_min")
        if absolute is None and minimum is not None:
            absolute = minimum if minimum.is_zero() else _minus(minimum, self.base.grace)
        from_dose = r.integer("from_dose")
        observation = r.text("from_observation") or None
        most_recent = frozenset(r.strings("from_most_recent"))
        if sum(x is not None and x != frozenset() for x in (from_dose, observation, most_recent or None)) > 1:
            raise r.fail("give at most one of from_dose, from_observation, from_most_recent")
        waiver = r.text("waived_by_new_observation") or None
        for code in (observation, waiver):
            if code is not None and code not in self.base.observations:
                raise r.fail(f"unknown observation {code!r}")
        for code in most_recent:
            if code not in self.base.vaccines:
                raise r.fail(f"unknown vaccine code {code!r}")
        return Interval(
            from_previous=from_dose is None and observation is None and not most_recent,
            from_target_dose=from_dose,
            from_most_recent=most_recent,
            from_observation=observation,
            abs_min_interval=absolute,
            min_interval=minimum,
            earliest_rec_interval=r.duration("rec"),
            latest_rec_interval=r.duration("latest_rec"),
            priority_override=r.flag("priority"),
            waived_by_new_observation=waiver,
        )

    def skip(self, raw: Any, where: str, dose_label: str) -> ConditionalSkip:
        r = Reader(raw, where, ("context", "note", "confidence", "condition_logic", "conditions", "sets", "set_logic"))
        confidence = r.confidence(default="confirmed")
        if confidence != "confirmed":
            self.flags.append(f"{dose_label} skip: {confidence}")
        try:
            context = SkipContext(r.text("context", "Both"))
        except ValueError:
            raise r.fail("context must be Evaluation, Forecast or Both") from None
        # Either one set written inline (conditions = [...]) or several (sets = [...]).
        raw_sets = r.items("sets") or [
            {
                "note": r.text("note"),
                "condition_logic": r.text("condition_logic", "AND"),
                "conditions": r.items("conditions"),
            }
        ]
        sets = []
        for n, raw_set in enumerate(raw_sets, start=1):
            s = Reader(raw_set, f"{where} set {n}", ("note", "condition_logic", "conditions"))
            conditions = tuple(
                self.condition(c, f"{s.where} condition {k}", f"{n}.{k}")
                for k, c in enumerate(s.items("conditions"), start=1)
            )
            if not conditions:
                raise s.fail("a skip set needs at least one condition")
            logic = s.text("condition_logic", "AND").upper()
            if logic not in ("AND", "OR"):
                raise s.fail("condition_logic must be AND or OR")
            sets.append(SkipSet(str(n), s.text("note"), conditions, logic))
        set_logic = r.text("set_logic", "OR").upper()
        if set_logic not in ("AND", "OR"):
            raise r.fail("set_logic must be AND or OR")
        return ConditionalSkip(context, tuple(sets), set_logic)

    def condition(self, raw: Any, where: str, condition_id: str) -> SkipCondition:
        r = Reader(raw, where, _SKIP_CONDITION_KEYS)
        try:
            kind = SkipConditionType(r.required("type"))
        except ValueError:
            names = ", ".join(t.value for t in SkipConditionType)
            raise r.fail(f"type must be one of: {names}") from None
        codes = frozenset(r.strings("vaccines"))
        for code in codes:
            if code not in self.base.vaccines:
                raise r.fail(f"unknown vaccine code {code!r}")
        observation = r.text("observation") or None
        if observation is not None and observation not in self.base.observations:
            raise r.fail(f"unknown observation {observation!r}")
        return SkipCondition(
            condition_id=condition_id,
            condition_type=kind,
            start_date=r.day("start_date"),
            end_date=r.day("end_date"),
            begin_age=r.duration("begin_age"),
            end_age=r.duration("end_age"),
            interval=r.duration("interval"),
            dose_count=r.integer("dose_count"),
            dose_type=r.text("dose_type", "Total"),
            dose_count_logic=r.text("dose_count_logic", "greater than"),
            vaccine_types=codes,
            series_groups=r.strings("series_groups"),
            observation_code=observation,
        )

    def dose(self, raw: Any, where: str, number: int) -> SeriesDose:
        r = Reader(raw, where, _DOSE_KEYS)
        label = f"dose {number}"
        confidence = r.confidence(default="confirmed")
        if confidence != "confirmed":
            self.flags.append(f"{label}: {confidence}")
        for key in _AGE_KEYS:
            flag = r.confidence(f"{key}_confidence")
            if flag != "confirmed":
                self.flags.append(f"{label} {key}: {flag}")
        ages = {key: r.duration(key) for key in _AGE_KEYS}
        min_age = ages["min_age"]
        if ages["abs_min_age"] is None and min_age is not None:
            ages["abs_min_age"] = _minus(min_age, self.base.grace)
        age_rules = (
            (
                AgeRule(
                    abs_min_age=ages["abs_min_age"],
                    min_age=min_age,
                    earliest_rec_age=ages["earliest_rec_age"],
                    latest_rec_age=ages["latest_rec_age"],
                    max_age=ages["max_age"],
                ),
            )
            if any(v is not None for v in ages.values())
            else ()
        )
        intervals = tuple(
            self.interval(iv, f"{where} interval {k}", label) for k, iv in enumerate(r.items("intervals"), start=1)
        )
        allowable_intervals = tuple(
            self.interval(iv, f"{where} allowable interval {k}", label)
            for k, iv in enumerate(r.items("allowable_intervals"), start=1)
        )
        preferable = self.vaccine_rules(r, "vaccines")
        if not preferable:
            raise r.fail("vaccines (the preferable vaccine codes) is required")
        skips = tuple(self.skip(s, f"{where} skip {k}", label) for k, s in enumerate(r.items("skip"), start=1))
        return SeriesDose(
            dose_number=number,
            ages=age_rules,
            intervals=intervals,
            allowable_intervals=allowable_intervals,
            preferable_vaccines=preferable,
            allowable_vaccines=self.vaccine_rules(r, "allowable"),
            inadvertent_vaccines=(),
            conditional_skips=skips,
            recurring=r.flag("recurring"),
        )

    def series(self, raw: Any, index: int) -> tuple[SeriesInfo, list[tuple[str, AntigenSeries]]]:
        where = f"{self.file}: series #{index}"
        r = Reader(raw, where, _SERIES_KEYS)
        sid = r.required("id")
        where = f"{self.file}: series {sid!r}"
        r = Reader(raw, where, _SERIES_KEYS)
        self.flags = []
        antigens = r.strings("antigens")
        if not antigens:
            raise r.fail("antigens is required")
        for antigen in antigens:
            if antigen not in self.base.diseases:
                raise r.fail(f"unknown antigen {antigen!r} (add it to schedule.toml)")
        try:
            kind = SeriesType(r.text("type", "Standard"))
        except ValueError:
            raise r.fail("type must be Standard, Risk or Evaluation Only") from None
        doses = tuple(self.dose(d, f"{where} dose {n}", n) for n, d in enumerate(r.items("dose"), start=1))
        if not doses:
            raise r.fail("a series needs at least one [[series.dose]]")
        indications = []
        for k, raw_ind in enumerate(r.items("indications"), start=1):
            i = Reader(
                raw_ind, f"{where} indication {k}", ("observation", "description", "begin_age", "end_age", "confidence")
            )
            code = i.required("observation")
            if code not in self.base.observations:
                raise i.fail(f"unknown observation {code!r}")
            flag = i.confidence()
            if flag != "confirmed":
                self.flags.append(f"indication {code}: {flag}")
            indications.append(Indication(code, i.text("description"), i.duration("begin_age"), i.duration("end_age")))
        if kind is SeriesType.RISK and not indications:
            raise r.fail("a Risk series needs indications")
        name = r.text("name", sid)
        preference = r.integer("preference")
        built = []
        for antigen in antigens:
            groups = [g.name for g in self.base.groups.values() if antigen in g.antigens]
            built.append(
                (
                    antigen,
                    AntigenSeries(
                        name=name,
                        target_disease=antigen,
                        vaccine_group=groups[0] if groups else "",
                        series_type=kind,
                        doses=doses,
                        default_series=r.flag("default"),
                        product_path=r.flag("product_path"),
                        series_group_name=r.text("series_group", "1"),
                        series_group=r.text("series_group", "1"),
                        series_priority=r.text("priority", "A"),
                        series_preference=preference if preference is not None else 1,
                        min_age_to_start=r.duration("min_age_to_start"),
                        max_age_to_start=r.duration("max_age_to_start"),
                        required_gender=frozenset(r.strings("gender")),
                        indications=tuple(indications),
                        admin_guidance=(r.text("note"),) if r.text("note") else (),
                    ),
                )
            )
        info = SeriesInfo(sid, name, antigens, r.confidence(), r.text("source"), self.file, tuple(self.flags))
        return info, built


def _load_series(folder: Path, base: _Base) -> tuple[dict[str, SeriesInfo], dict[str, list[tuple[str, AntigenSeries]]]]:
    infos: dict[str, SeriesInfo] = {}
    built: dict[str, list[tuple[str, AntigenSeries]]] = {}
    for path in sorted(folder.glob("*.toml")):
        data = read_toml(path)
        top = Reader(data, f"series/{path.name}", ("series",))
        parser = _SeriesParser(base, f"series/{path.name}")
        for index, raw in enumerate(top.items("series"), start=1):
            info, series = parser.series(raw, index)
            if info.id in infos:
                raise DataError(f"series/{path.name}: series id {info.id!r} also in {infos[info.id].file}")
            infos[info.id] = info
            built[info.id] = series
    return infos, built


# ----------------------------------------------------------------------- versions.toml

_VERSION_KEYS = (
    "id",
    "title",
    "title_vi",
    "effective",
    "effective_confidence",
    "confidence",
    "source",
    "note",
    "based_on",
    "epi",
    "service",
    "epi_add",
    "epi_remove",
    "service_add",
    "service_remove",
    "scope",
)


def _build_schedule(
    base: _Base,
    series: Iterable[tuple[str, AntigenSeries]],
    version: str,
    effective: date | None,
    cessation: date | None,
) -> Schedule:
    by_antigen: dict[str, list[AntigenSeries]] = {name: [] for name in base.diseases}
    for antigen, s in series:
        by_antigen[antigen].append(s)
    antigens = {}
    for name, items in by_antigen.items():
        whole, some = base.contraindications.get(name, ((), ()))
        antigens[name] = Antigen(name, tuple(items), contraindications=whole, vaccine_contraindications=some)
    return Schedule(
        name=SCHEDULE_NAME,
        antigens=MappingProxyType(antigens),
        vaccine_groups=MappingProxyType(dict(base.groups)),
        vaccines=MappingProxyType(dict(base.vaccines)),
        live_virus_conflicts=base.conflicts,
        observations=MappingProxyType(dict(base.observations)),
        version=version,
        effective=effective,
        cessation=cessation,
    )


def _load_versions(
    path: Path, base: _Base, infos: Mapping[str, SeriesInfo], built: Mapping[str, list[tuple[str, AntigenSeries]]]
) -> tuple[Version, ...]:
    data = read_toml(path)
    top = Reader(data, path.name, ("version",))
    raws = top.items("version")
    if not raws:
        raise top.fail("at least one [[version]] is required")
    lists: dict[str, tuple[list[str], list[str]]] = {}
    scopes: dict[str, dict[str, str]] = {}
    readers = []
    for i, raw in enumerate(raws, start=1):
        r = Reader(raw, f"{path.name}: version #{i}", _VERSION_KEYS)
        vid = r.required("id")
        r.where = f"{path.name}: version {vid!r}"
        if vid in lists:
            raise r.fail("version id listed twice")
        based_on = r.text("based_on")
        if based_on:
            if based_on not in lists:
                raise r.fail(f"based_on {based_on!r} must name an earlier version")
            epi, service = list(lists[based_on][0]), list(lists[based_on][1])
        else:
            epi, service = [], []
        epi += r.strings("epi")
        service += r.strings("service")
        for key, target in (("epi_remove", epi), ("service_remove", service)):
            for sid in r.strings(key):
                if sid not in target:
                    raise r.fail(f"{key}: {sid!r} is not in the version it is based on")
                target.remove(sid)
        epi += r.strings("epi_add")
        service += r.strings("service_add")
        for sid in epi + service:
            if sid not in infos:
                raise r.fail(f"unknown series id {sid!r}")
        both = set(epi) & set(service)
        if both:
            raise r.fail(f"series both EPI and service: {', '.join(sorted(both))}")
        if len(set(epi + service)) != len(epi + service):
            raise r.fail("a series is listed twice")
        if r.day("effective") is None:
            raise r.fail("effective (a date) is required")
        scope = {sid: text for sid, text in scopes.get(based_on, {}).items() if sid in epi}
        own = r.table.get("scope", {})
        if not isinstance(own, dict) or not all(isinstance(s, str) for s in own.values()):
            raise r.fail("scope must be a table: series id = text")
        for sid in own:
            if sid not in epi:
                raise r.fail(f"scope: {sid!r} is not an EPI series of this version")
        scopes[vid] = scope | own
        lists[vid] = (epi, service)
        readers.append(r)
    effectives = [r.day("effective") for r in readers]
    if any(a is None or b is None or a >= b for a, b in itertools.pairwise(effectives)):
        raise top.fail("versions must be listed oldest first, with increasing effective dates")
    versions = []
    for n, r in enumerate(readers):
        vid = r.text("id")
        effective = r.day("effective")
        assert effective is not None
        following = readers[n + 1].day("effective") if n + 1 < len(readers) else None
        cessation = following - _ONE_DAY if following is not None else None
        epi, service = lists[vid]
        series = [(a, s) for sid in epi + service for a, s in built[sid]]
        versions.append(
            Version(
                id=vid,
                title=r.text("title", vid),
                title_vi=r.text("title_vi"),
                effective=effective,
                cessation=cessation,
                confidence=r.confidence(),
                effective_confidence=r.confidence("effective_confidence"),
                source=r.text("source"),
                note=r.text("note"),
                epi=tuple(epi),
                service=tuple(service),
                schedule=_build_schedule(base, series, vid, effective, cessation),
                scope=MappingProxyType(scopes[vid]),
            )
        )
    return tuple(versions)


def _timeline(
    base: _Base, versions: tuple[Version, ...], built: Mapping[str, list[tuple[str, AntigenSeries]]]
) -> Schedule:
    """All versions in one schedule: each series dated with the versions it is in.

    A series in force in consecutive versions appears once, with the combined dates; the
    first version also covers any earlier date.
    """
    spans: list[tuple[str, date | None, date | None]] = []
    for n, version in enumerate(versions):
        start = None if n == 0 else version.effective
        for sid in version.series_ids:
            last = next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] == sid), None)
            if last is not None and n > 0 and spans[last][2] == versions[n - 1].cessation:
                spans[last] = (sid, spans[last][1], version.cessation)
            else:
                spans.append((sid, start, version.cessation))
    dated = [(a, replace(s, effective=start, cessation=stop)) for sid, start, stop in spans for a, s in built[sid]]
    return _build_schedule(base, dated, "timeline", None, None)


@lru_cache(maxsize=4)
def _load_cached(folder: str) -> VietnamSchedule:
    root = Path(folder)
    base = _load_base(root / "schedule.toml")
    conditions = load_conditions(
        root / "contraindications.toml", base.vaccines, base.groups, base.group_names_vi, base.observations
    )
    base.observations.update(conditions.observations)
    base.contraindications = {
        name: antigen_contraindications(conditions, name, base.vaccines, base.groups) for name in base.diseases
    }
    infos, built = _load_series(root / "series", base)
    versions = _load_versions(root / "versions.toml", base, infos, built)
    return VietnamSchedule(
        versions=versions,
        series=MappingProxyType(infos),
        timeline=_timeline(base, versions, built),
        group_names_vi=MappingProxyType(base.group_names_vi),
        diseases=MappingProxyType(base.diseases),
        conditions=conditions,
        group_codes=MappingProxyType(
            {
                name: frozenset(
                    c for c, v in base.vaccines.items() if any(a.antigen in group.antigens for a in v.antigens)
                )
                for name, group in base.groups.items()
            }
        ),
    )


def load(data_dir: str | Path | None = None) -> VietnamSchedule:
    """Load (once per folder, then from cache) the schedule data in ``data_dir``.

    ``data_dir`` defaults to the data shipped with the package; pass another folder to
    try edited data before committing it. Raises :class:`DataError` on bad data.
    """
    if data_dir is None:  # the common case: no path to resolve (a system call) each time
        return _load_cached(_DEFAULT_FOLDER)
    return _load_cached(str(Path(data_dir).resolve()))

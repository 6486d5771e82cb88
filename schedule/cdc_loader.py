"""Load the CDC CDSi supporting data (XML, v4.x) into a :class:`~schedule.model.Schedule`.

The folder holds ``ScheduleSupportingData.xml`` and one ``AntigenSupportingData-*.xml``
per antigen. Parsing is the slow part; call :func:`load_cdc_schedule` once and evaluate
many patients with the result (it is cached per folder and modification time).

This module reads files; the engine itself does no I/O.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from schedule.dates import Duration, parse_date
from schedule.model import (
    AgeRule,
    Antigen,
    AntigenAssociation,
    AntigenContraindication,
    AntigenSeries,
    BirthDateImmunity,
    ConditionalSkip,
    Immunity,
    InadvertentVaccine,
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

__all__ = ["load_cdc_schedule", "parse_antigen", "parse_schedule_xml"]

_GENDERS = {"female": "F", "male": "M", "unknown": "U"}


def _text(elem: ET.Element | None, tag: str) -> str:
    if elem is None:
        return ""
    child = elem.find(tag)
    if child is None or child.text is None:
        return ""
    text = child.text.strip()
    return "" if text.lower() == "n/a" else text


def _duration(elem: ET.Element | None, tag: str) -> Duration | None:
    text = _text(elem, tag)
    return Duration.parse(text) if text else None


def _date(elem: ET.Element | None, tag: str) -> date | None:
    return parse_date(_text(elem, tag))


def _yes(elem: ET.Element | None, tag: str) -> bool:
    return _text(elem, tag).lower() in ("y", "yes", "true")


def _has_content(elem: ET.Element) -> bool:
    return any((child.text or "").strip() or len(child) for child in elem)


def _codes(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.replace(",", ";").split(";") if part.strip())


def _age_rule(elem: ET.Element) -> AgeRule:
    return AgeRule(
        abs_min_age=_duration(elem, "absMinAge"),
        min_age=_duration(elem, "minAge"),
        earliest_rec_age=_duration(elem, "earliestRecAge"),
        latest_rec_age=_duration(elem, "latestRecAge"),
        max_age=_duration(elem, "maxAge"),
        effective=_date(elem, "effectiveDate"),
        cessation=_date(elem, "cessationDate"),
    )


def _interval(elem: ET.Element) -> Interval:
    target = _text(elem, "fromTargetDose")
    obs = elem.find("fromRelevantObs")
    obs_code = _text(obs, "code") if obs is not None else ""
    return Interval(
        from_previous=_yes(elem, "fromPrevious"),
        from_target_dose=int(target) if target else None,
        from_most_recent=_codes(_text(elem, "fromMostRecent")),
        from_observation=obs_code or None,
        abs_min_interval=_duration(elem, "absMinInt"),
        min_interval=_duration(elem, "minInt"),
        earliest_rec_interval=_duration(elem, "earliestRecInt"),
        latest_rec_interval=_duration(elem, "latestRecInt"),
        priority_override=_text(elem, "intervalPriority").lower() in ("override", "y", "yes"),
        effective=_date(elem, "effectiveDate"),
        cessation=_date(elem, "cessationDate"),
    )


def _vaccine_rule(elem: ET.Element) -> VaccineRule:
    volume = _text(elem, "volume")
    return VaccineRule(
        vaccine_type=_text(elem, "vaccineType"),
        code=_text(elem, "cvx"),
        begin_age=_duration(elem, "beginAge"),
        end_age=_duration(elem, "endAge"),
        trade_name=_text(elem, "tradeName") or None,
        mvx=_text(elem, "mvx") or None,
        volume=float(volume) if volume else None,
        forecast=_yes(elem, "forecastVaccineType"),
    )


def _condition_type(text: str) -> SkipConditionType:
    normalized = " ".join(text.lower().split())
    for member in SkipConditionType:
        if member.value.lower() == normalized:
            return member
    raise ValueError(f"unknown conditional skip condition type {text!r}")


def _skip_condition(elem: ET.Element) -> SkipCondition:
    count = _text(elem, "doseCount")
    return SkipCondition(
        condition_id=_text(elem, "conditionID"),
        condition_type=_condition_type(_text(elem, "conditionType")),
        start_date=_date(elem, "startDate"),
        end_date=_date(elem, "endDate"),
        begin_age=_duration(elem, "beginAge"),
        end_age=_duration(elem, "endAge"),
        interval=_duration(elem, "interval"),
        dose_count=int(count) if count else None,
        dose_type=(_text(elem, "doseType") or "Total").capitalize(),
        dose_count_logic=(_text(elem, "doseCountLogic") or "greater than").lower(),
        vaccine_types=_codes(_text(elem, "vaccineTypes")),
        series_groups=tuple(sorted(_codes(_text(elem, "seriesGroups")))),
    )


def _conditional_skip(elem: ET.Element) -> ConditionalSkip | None:
    context = _text(elem, "context")
    if not context:
        return None
    sets = tuple(
        SkipSet(
            set_id=_text(s, "setID"),
            description=_text(s, "setDescription"),
            conditions=tuple(_skip_condition(c) for c in s.findall("condition")),
            condition_logic=(_text(s, "conditionLogic") or "AND").upper(),
            effective=_date(s, "effectiveDate"),
            cessation=_date(s, "cessationDate"),
        )
        for s in elem.findall("set")
    )
    return ConditionalSkip(
        context=SkipContext(context.capitalize()),
        sets=sets,
        set_logic=(_text(elem, "setLogic") or "OR").upper(),
    )


def _dose_number(text: str) -> int:
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits else 0


def _series_dose(elem: ET.Element) -> SeriesDose:
    skips = [_conditional_skip(e) for e in elem.findall("conditionalSkip")]
    season = elem.find("seasonalRecommendation")
    return SeriesDose(
        dose_number=_dose_number(_text(elem, "doseNumber")),
        ages=tuple(_age_rule(e) for e in elem.findall("age") if _has_content(e)),
        intervals=tuple(_interval(e) for e in elem.findall("interval") if _has_content(e)),
        allowable_intervals=tuple(_interval(e) for e in elem.findall("allowableInterval") if _has_content(e)),
        preferable_vaccines=tuple(_vaccine_rule(e) for e in elem.findall("preferableVaccine") if _has_content(e)),
        allowable_vaccines=tuple(_vaccine_rule(e) for e in elem.findall("allowableVaccine") if _has_content(e)),
        inadvertent_vaccines=tuple(
            InadvertentVaccine(_text(e, "vaccineType"), _text(e, "cvx"))
            for e in elem.findall("inadvertentVaccine")
            if _has_content(e)
        ),
        conditional_skips=tuple(s for s in skips if s is not None),
        recurring=_yes(elem, "recurringDose"),
        season_start=_date(season, "startDate"),
        season_end=_date(season, "endDate"),
    )


def _series(elem: ET.Element) -> AntigenSeries:
    select = elem.find("selectSeries")
    indications = []
    for ind in elem.findall("indication"):
        code = _text(ind.find("observationCode"), "code")
        if code:
            indications.append(
                Indication(
                    observation_code=code,
                    description=_text(ind, "description"),
                    begin_age=_duration(ind, "beginAge"),
                    end_age=_duration(ind, "endAge"),
                    guidance=_text(ind, "guidance"),
                )
            )
    genders = frozenset(
        _GENDERS.get((g.text or "").strip().lower(), (g.text or "").strip())
        for g in elem.findall("requiredGender")
        if (g.text or "").strip()
    )
    preference = _text(select, "seriesPreference")
    return AntigenSeries(
        name=_text(elem, "seriesName"),
        target_disease=_text(elem, "targetDisease"),
        vaccine_group=_text(elem, "vaccineGroup"),
        series_type=SeriesType(_text(elem, "seriesType") or "Standard"),
        doses=tuple(_series_dose(d) for d in elem.findall("seriesDose")),
        default_series=_yes(select, "defaultSeries"),
        product_path=_yes(select, "productPath"),
        series_group_name=_text(select, "seriesGroupName"),
        series_group=_text(select, "seriesGroup"),
        series_priority=_text(select, "seriesPriority") or "A",
        series_preference=int(preference) if preference else 1,
        min_age_to_start=_duration(select, "minAgeToStart"),
        max_age_to_start=_duration(select, "maxAgeToStart"),
        required_gender=genders,
        equivalent_series_groups=tuple(sorted(_codes(_text(elem, "equivalentSeriesGroups")))),
        indications=tuple(indications),
        admin_guidance=tuple((g.text or "").strip() for g in elem.findall("seriesAdminGuidance") if g.text),
    )


def parse_antigen(root: ET.Element) -> Antigen:
    """Build an :class:`Antigen` from a parsed ``antigenSupportingData`` element."""
    series = tuple(_series(s) for s in root.findall("series"))
    if not series:
        raise ValueError("antigen supporting data holds no series")
    immunity_elem = root.find("immunity")
    clinical: set[str] = set()
    birth: list[BirthDateImmunity] = []
    if immunity_elem is not None:
        for ch in immunity_elem.findall("clinicalHistory"):
            code = _text(ch, "guidelineCode")
            if code:
                clinical.add(code)
        for dob in immunity_elem.findall("dateOfBirth"):
            when = _date(dob, "immunityBirthDate")
            if when is not None:
                birth.append(
                    BirthDateImmunity(
                        immunity_birth_date=when,
                        birth_country=_text(dob, "birthCountry"),
                        exclusion_codes=frozenset(_text(e, "exclusionCode") for e in dob.findall("exclusion")) - {""},
                    )
                )
    group_ci: list[AntigenContraindication] = []
    vaccine_ci: list[VaccineContraindication] = []
    contra = root.find("contraindications")
    if contra is not None:
        for c in contra.findall("vaccineGroup/contraindication"):
            group_ci.append(
                AntigenContraindication(
                    observation_code=_text(c, "observationCode"),
                    title=_text(c, "observationTitle"),
                    text=_text(c, "contraindicationText"),
                    guidance=_text(c, "contraindicationGuidance"),
                    begin_age=_duration(c, "beginAge"),
                    end_age=_duration(c, "endAge"),
                )
            )
        for c in contra.findall("vaccine/contraindication"):
            vaccine_ci.append(
                VaccineContraindication(
                    observation_code=_text(c, "observationCode"),
                    vaccines=tuple(_vaccine_rule(v) for v in c.findall("contraindicatedVaccine")),
                    title=_text(c, "observationTitle"),
                    text=_text(c, "contraindicationText"),
                    guidance=_text(c, "contraindicationGuidance"),
                )
            )
    return Antigen(
        name=series[0].target_disease,
        series=series,
        immunity=Immunity(frozenset(clinical), tuple(birth)),
        contraindications=tuple(group_ci),
        vaccine_contraindications=tuple(vaccine_ci),
    )


def parse_schedule_xml(root: ET.Element, antigens: Iterable[Antigen], name: str = "cdc", version: str = "") -> Schedule:
    """Build a :class:`Schedule` from ``scheduleSupportingData`` and parsed antigens."""
    conflicts = []
    for c in root.findall("liveVirusConflicts/liveVirusConflict"):
        prev, cur = c.find("previous"), c.find("current")
        conflicts.append(
            LiveVirusConflict(
                previous_type=_text(prev, "vaccineType"),
                previous_code=_text(prev, "cvx"),
                current_type=_text(cur, "vaccineType"),
                current_code=_text(cur, "cvx"),
                begin_interval=_duration(c, "conflictBeginInterval") or Duration(),
                min_end_interval=_duration(c, "minConflictEndInterval") or Duration(),
                end_interval=_duration(c, "conflictEndInterval") or Duration(),
            )
        )
    full = {_text(g, "name"): _yes(g, "administerFullVaccineGroup") for g in root.findall("vaccineGroups/vaccineGroup")}
    groups = {}
    for m in root.findall("vaccineGroupToAntigenMap/vaccineGroupMap"):
        group_name = _text(m, "name")
        groups[group_name] = VaccineGroup(
            name=group_name,
            antigens=tuple((a.text or "").strip() for a in m.findall("antigen") if a.text),
            administer_full_vaccine_group=full.get(group_name, False),
        )
    vaccines = {}
    for m in root.findall("cvxToAntigenMap/cvxMap"):
        code = _text(m, "cvx")
        vaccines[code] = VaccineCode(
            code=code,
            description=_text(m, "shortDescription"),
            antigens=tuple(
                AntigenAssociation(
                    antigen=_text(a, "antigen"),
                    begin_age=_duration(a, "associationBeginAge"),
                    end_age=_duration(a, "associationEndAge"),
                )
                for a in m.findall("association")
            ),
        )
    observations = {}
    for o in root.findall("observations/observation"):
        code = _text(o, "observationCode")
        observations[code] = ObservationType(
            code=code,
            title=_text(o, "observationTitle"),
            group=_text(o, "group"),
            indication_text=_text(o, "indicationText"),
            contraindication_text=_text(o, "contraindicationText"),
            clarifying_text=_text(o, "clarifyingText"),
            coded_values=tuple((_text(v, "codeSystem"), _text(v, "code")) for v in o.findall("codedValues/codedValue")),
        )
    return Schedule(
        name=name,
        antigens=MappingProxyType({a.name: a for a in antigens}),
        vaccine_groups=MappingProxyType(groups),
        vaccines=MappingProxyType(vaccines),
        live_virus_conflicts=tuple(conflicts),
        observations=MappingProxyType(observations),
        version=version,
    )


def load_cdc_schedule(folder: str | os.PathLike[str]) -> Schedule:
    """Load a CDC supporting-data folder (``ScheduleSupportingData.xml`` + antigen XMLs).

    Results are cached per folder and newest modification time, so repeated calls are free.
    """
    path = Path(folder).resolve()
    files = sorted(path.glob("AntigenSupportingData*.xml"))
    schedule_file = path / "ScheduleSupportingData.xml"
    if not schedule_file.is_file() or not files:
        raise FileNotFoundError(f"{path} holds no CDC supporting data (ScheduleSupportingData.xml)")
    stamp = max(f.stat().st_mtime_ns for f in [schedule_file, *files])
    return _load_cached(str(path), stamp)


@lru_cache(maxsize=8)
def _load_cached(folder: str, _stamp: int) -> Schedule:
    path = Path(folder)
    antigens = [parse_antigen(ET.parse(f).getroot()) for f in sorted(path.glob("AntigenSupportingData*.xml"))]
    root = ET.parse(path / "ScheduleSupportingData.xml").getroot()
    return parse_schedule_xml(root, antigens, name="cdc", version=path.name)

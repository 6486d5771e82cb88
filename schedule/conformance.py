"""Conformance runner: run CDSi-style test cases against a schedule and report.

Usage (also exposed by the app as ``niis cdsi-run``)::

    python -m schedule.conformance --supporting-data ../shared/cdsi/supporting-data-4.64 \\
        ../shared/cdsi/test-cases-healthy-v4.45-dev.json

Prints one JSON line per case ``{"id", "pass", "mismatches"}`` (and ``"known"``, the
kind and reason of a known difference, see :data:`KNOWN_DIFFERENCES`), then a summary
by vaccine group, the evaluation-reason agreement and the known differences apart from
unexplained failures (lines starting with ``#``), and last a line
``N passed, M failed``. A case passes when every dose's evaluation status,
the series status and the forecast's earliest, recommended and past-due dates equal
the expected ones. Exit code 0 when it ran (failures are reported, not an error),
1 when fewer than ``--min-pass`` cases passed, 2 on bad input.

``--schedule NAME`` picks a schedule from :mod:`schedule.registry` (default ``cdc``,
which needs ``--supporting-data``); cases then name that schedule's vaccine groups.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from schedule import reasons as R
from schedule import registry
from schedule.engine import evaluate
from schedule.model import AdministeredDose, Patient, PatientObservation, Schedule

__all__ = ["CDC_GROUP_NAMES", "KNOWN_DIFFERENCES", "CaseResult", "case_patient", "main", "run_case", "run_cases"]

#: CDC test-case short names → supporting-data vaccine group names.
CDC_GROUP_NAMES = {
    "DTAP": "DTaP/Tdap/Td",
    "POL": "Polio",
    "HIB": "Hib",
    "PCV": "Pneumococcal",
    "ROTA": "Rotavirus",
    "MCV": "Meningococcal",
    "MENB": "Meningococcal B",
    "VAR": "Varicella",
    "FLU": "Influenza",
    "ZOSTER": "Zoster",
}

#: CDC test-case evaluation reasons → :mod:`schedule.reasons` codes.
CDC_REASONS = {
    "age: too young": R.TOO_YOUNG,
    "age: too old": R.TOO_OLD,
    "interval: too soon": R.TOO_SOON,
    "inadvertent vaccine": R.INADVERTENT,
    "live virus conflict": R.LIVE_VIRUS_CONFLICT,
    "series already complete": R.SERIES_COMPLETE,
    "not a preferable or allowable vaccine": R.NOT_ALLOWABLE,
}


#: CDC cases whose expectation the engine does not meet, each with why (evidence in
#: docs/schedule-engine.md, "Known differences"). ``data-version``: the case was written
#: against older supporting data than 4.64; ``case``: the case contradicts the
#: specification as CDC's other cases apply it. Listed by id, never special-cased in
#: the engine; the runner reports them apart from unexplained failures.
KNOWN_DIFFERENCES: dict[str, tuple[str, str]] = {
    "2016-UC-0032": ("data-version", "measles risk 2-dose series: dose 2 has no latest recommended interval in 4.64"),
    "2016-UC-0110": ("data-version", "meningococcal 2-23 month series: no 4.64 rule allows dose 5 before 12 months"),
    "2016-UC-0129": (
        "data-version",
        "meningococcal 2-23 month series: indications without end age keep it (priority A) for an adult",
    ),
    "2016-UC-0153": ("data-version", "pneumococcal risk 2-5 years series: dose 1 minimum age 2 years in 4.64"),
    "2016-UC-0178": ("data-version", "adult pneumococcal risk series: dose 4 counts from the PCV dose in 4.64"),
    "2017-UC-0015": ("data-version", "cholera: minimum age 2 years in 4.64 (18 years when written)"),
    "2020-UC-0003": ("data-version", "observation 177 (seeks MenB protection) is in no 4.64 file"),
    "2022-UC-0031": ("data-version", "observation 235 (orthopoxvirus healthcare personnel) is in no 4.64 file"),
    "2023-UC-0051": ("data-version", "RSV in pregnancy: 4.64 season starts 2025-09-01, the case is in 2023"),
    "2025-UC-0015": ("case", "HPV past due: FORECASTDT-3 minus 1 day, as cases 2016-UC-0087 and 2024-0018 apply it"),
}


@dataclass(slots=True)
class CaseResult:
    """Outcome of one case."""

    id: str
    group: str
    passed: bool
    mismatches: list[str] = field(default_factory=list)
    reasons_expected: int = 0
    reasons_agreed: int = 0


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def group_name(short: str, schedule: Schedule) -> str:
    """The schedule's vaccine group for a case's ``vaccine_group`` (CDC short names too)."""
    if short in schedule.vaccine_groups:
        return short
    return CDC_GROUP_NAMES.get(short.upper(), short)


def case_patient(case: dict[str, Any]) -> Patient:
    """Build the engine's :class:`Patient` from a test case.

    Besides the CDC fields, a case may carry ``observations``: a list of
    ``{"code", "start", "end"}`` (ISO dates, ``end`` may be null), e.g. a pregnancy.
    """
    doses = tuple(
        AdministeredDose(
            date_administered=date.fromisoformat(d["date"]),
            vaccine_code=str(d["cvx"]),
            mvx=d.get("mvx") or None,
            trade_name=d.get("trade_name") or None,
        )
        for d in case.get("doses") or []
    )
    observations = tuple(
        PatientObservation(code=str(o["code"]), start=_date(o.get("start")), end=_date(o.get("end")))
        for o in case.get("observations") or []
    )
    return Patient(
        birth_date=date.fromisoformat(case["dob"]),
        sex=case.get("gender") or "U",
        doses=doses,
        observations=observations,
    )


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def run_case(case: dict[str, Any], schedule: Schedule) -> CaseResult:
    """Run one case and compare with its expectations."""
    group = group_name(case["vaccine_group"], schedule)
    result = CaseResult(id=str(case["id"]), group=str(case["vaccine_group"]), passed=True)
    if group not in schedule.vaccine_groups:
        result.passed = False
        result.mismatches.append(f"unknown vaccine group {case['vaccine_group']!r}")
        return result
    patient = case_patient(case)
    antigens = schedule.vaccine_groups[group].antigens
    # Cases list doses of other groups too (MMR given with varicella): assess those groups.
    wanted = {group}
    for dose in patient.doses:
        vaccine = schedule.vaccines.get(dose.vaccine_code)
        for assoc in vaccine.antigens if vaccine else ():
            wanted.update(schedule.group_of_antigen(assoc.antigen))
    assessment = evaluate(patient, schedule, date.fromisoformat(case["assessment_date"]), vaccine_groups=wanted)
    for n, (expected, evaluated) in enumerate(zip(case.get("doses") or [], assessment.doses, strict=True), start=1):
        dose_antigens = antigens
        if not any(e.antigen in antigens for e in evaluated.evaluations):
            dose_antigens = tuple(e.antigen for e in evaluated.evaluations)
        status = evaluated.status_for_group(dose_antigens)
        got = status.value if status is not None else "(none)"
        if _norm(got) != _norm(expected.get("expected_status")):
            result.mismatches.append(f"dose {n} status: expected {expected.get('expected_status')}, got {got}")
        want_reason = CDC_REASONS.get(_norm(expected.get("expected_reason")))
        if want_reason is not None:
            result.reasons_expected += 1
            got_reasons = {r for e in evaluated.evaluations if e.antigen in dose_antigens for r in e.reasons}
            if want_reason in got_reasons:
                result.reasons_agreed += 1
    forecast = assessment.vaccine_groups.get(group)
    got_status = forecast.status.value if forecast is not None else "(no forecast)"
    if _norm(got_status) != _norm(case.get("expected_series_status")):
        result.mismatches.append(f"series status: expected {case.get('expected_series_status')}, got {got_status}")
    expected_forecast = case.get("expected_forecast") or {}
    for key, attr in (
        ("earliest", "earliest"),
        ("recommended", "recommended"),
        ("past_due", "past_due"),
    ):
        want = _date(expected_forecast.get(key))
        got_date = getattr(forecast, attr) if forecast is not None else None
        if want != got_date:
            result.mismatches.append(f"{key}: expected {want or '-'}, got {got_date or '-'}")
    result.passed = not result.mismatches
    return result


def run_cases(cases: Iterable[dict[str, Any]], schedule: Schedule) -> list[CaseResult]:
    """Run every case; an exception in one case is reported as its failure."""
    results = []
    for case in cases:
        try:
            results.append(run_case(case, schedule))
        except Exception as exc:  # a crash is a failing case, not a failing run
            results.append(
                CaseResult(
                    str(case.get("id")),
                    str(case.get("vaccine_group")),
                    False,
                    [f"error: {type(exc).__name__}: {exc}"],
                )
            )
    return results


def summary_lines(results: Sequence[CaseResult]) -> list[str]:
    """Per vaccine group pass counts and evaluation-reason agreement, as ``#`` lines."""
    lines = []
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        groups.setdefault(r.group, []).append(r)
    for name in sorted(groups):
        rs = groups[name]
        ok = sum(r.passed for r in rs)
        lines.append(f"# {name}: {ok}/{len(rs)} passed")
    expected = sum(r.reasons_expected for r in results)
    agreed = sum(r.reasons_agreed for r in results)
    lines.append(f"# evaluation reasons: {agreed}/{expected} agree with the expected reason")
    failed = [r for r in results if not r.passed]
    known = [r for r in failed if r.id in KNOWN_DIFFERENCES]
    if known:
        kinds: dict[str, int] = {}
        for r in known:
            kind = KNOWN_DIFFERENCES[r.id][0]
            kinds[kind] = kinds.get(kind, 0) + 1
        detail = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
        lines.append(f"# known differences: {len(known)} ({detail}); unexplained failures: {len(failed) - len(known)}")
    for r in results:
        if r.passed and r.id in KNOWN_DIFFERENCES:
            lines.append(f"# {r.id} passes: remove it from KNOWN_DIFFERENCES")
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="niis cdsi-run", description="Run CDSi-style test cases against a schedule.")
    parser.add_argument("cases", help="test cases JSON file (a list of cases)")
    parser.add_argument("--schedule", default="cdc", help="registered schedule name (default: cdc)")
    parser.add_argument("--supporting-data", help="CDC supporting data folder (for cdc)")
    parser.add_argument("--min-pass", type=int, default=None, help="exit 1 when fewer cases pass")
    parser.add_argument("--failures-only", action="store_true", help="print JSON lines for failing cases only")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        schedule = registry.get(args.schedule, supporting_data=args.supporting_data)
        cases = json.loads(Path(args.cases).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = run_cases(cases, schedule)
    out = sys.stdout
    for r in results:
        if args.failures_only and r.passed:
            continue
        record: dict[str, object] = {"id": r.id, "pass": r.passed, "mismatches": r.mismatches}
        if not r.passed and r.id in KNOWN_DIFFERENCES:
            kind, why = KNOWN_DIFFERENCES[r.id]
            record["known"] = f"{kind}: {why}"
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    for line in summary_lines(results):
        out.write(line + "\n")
    passed = sum(r.passed for r in results)
    out.write(f"{passed} passed, {len(results) - passed} failed\n")
    out.flush()
    if args.min_pass is not None and passed < args.min_pass:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

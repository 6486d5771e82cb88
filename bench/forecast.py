"""Benchmark: subjects evaluated and forecast per second, on one core.

    .venv/bin/python bench/forecast.py [--shared ../shared] [--seconds 3]

Prints, for the CDC development cases (one vaccine group per case, as the conformance
runner assesses them) and for a typical 2-year-old with a full US infant history
assessed for *every* CDC vaccine group and for the childhood groups only:

* the engine's throughput (subjects evaluated + forecast per second),
* a baseline measured in the same run: merely loading and parsing the case data
  (JSON text → dicts → Patient objects) per subject,
* the ratio baseline / engine (how many times dearer a forecast is than parsing).

The Vietnamese schedule gets its own lines once ``schedule.registry`` knows ``"vn"``
(see :func:`vn_subjects`): forecasts only (what reminders and coverage need), and
forecasts plus every dose's evaluation (``Assessment.doses`` is built on first access).
A benchmark is not a test: nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from schedule import registry  # noqa: E402
from schedule.cdc_loader import load_cdc_schedule  # noqa: E402
from schedule.conformance import case_patient, group_name  # noqa: E402
from schedule.engine import evaluate  # noqa: E402
from schedule.model import AdministeredDose, Patient, Schedule  # noqa: E402

Job = tuple[Patient, date, list[str] | None]

#: The groups of the US childhood schedule (birth to 6 years), what a child clinic assesses.
CHILDHOOD_GROUPS = (
    "HepB",
    "DTaP/Tdap/Td",
    "Hib",
    "Polio",
    "Pneumococcal",
    "Rotavirus",
    "MMR",
    "Varicella",
    "HepA",
    "Influenza",
    "COVID-19",
    "RSV",
)


def _rate(work: Callable[[], int], seconds: float) -> float:
    """Subjects per CPU-second: best ~0.25 s chunk of repeating ``work`` for ``seconds``.

    ``work`` returns how many subjects it handled. CPU time of this (single-threaded,
    one-core-pinned) process, and the best chunk rather than the mean, keep the figure
    steady on a machine shared with other jobs.
    """
    work()  # warm caches
    best = 0.0
    deadline = time.perf_counter() + seconds
    while True:
        done = 0
        start = time.process_time()
        while True:
            done += work()
            elapsed = time.process_time() - start
            if elapsed >= 0.25:
                break
        best = max(best, done / elapsed)
        if time.perf_counter() >= deadline:
            return best


def _each(jobs: list[Job], one: Callable[[Patient, date, list[str] | None], object]) -> Callable[[], int]:
    """Work for :func:`_rate`: ``one`` on every job, returning how many."""

    def work() -> int:
        for patient, when, groups in jobs:
            one(patient, when, groups)
        return len(jobs)

    return work


def cdc_jobs(cases: list[dict[str, Any]], schedule: Schedule) -> list[Job]:
    """One job per CDC case: the patient, the assessment date and the case's groups."""
    jobs: list[Job] = []
    for case in cases:
        patient = case_patient(case)
        jobs.append(
            (patient, date.fromisoformat(case["assessment_date"]), [group_name(case["vaccine_group"], schedule)])
        )
    return jobs


def two_year_old() -> Patient:
    """A typical US 2-year-old: birth HepB, 2/4/6-month combination doses, 12–15 months."""
    dob = date(2023, 11, 10)

    def at(days: int, cvx: str) -> AdministeredDose:
        return AdministeredDose(date.fromordinal(dob.toordinal() + days), cvx)

    doses = [at(0, "08")]
    for months_days in (61, 122, 183):
        doses += [
            at(months_days, "110"),
            at(months_days, "49" if months_days < 183 else "48"),
            at(months_days, "133"),
            at(months_days, "116"),
        ]
    doses += [
        at(366, "03"),
        at(366, "21"),
        at(366, "83"),
        at(366, "48"),
        at(366, "133"),
        at(457, "20"),
        at(549, "83"),
        at(300, "88"),
        at(330, "88"),
    ]
    return Patient(dob, "F", tuple(doses))


def vn_subjects() -> list[Job] | None:
    """Hook for the Vietnamese schedule: the VN histories to benchmark, or None.

    None while ``schedule.registry`` has no ``"vn"`` schedule. Uses
    ``schedule.vn.examples.typical_two_year_old`` when the VN package provides it; the
    engineer maintaining ``schedule/vn`` can return more (or more varied) subjects here.
    """
    try:
        registry.get("vn")
        from schedule.vn.examples import typical_two_year_old
    except (ImportError, KeyError, ValueError, TypeError):
        return None
    patient, when = typical_two_year_old(date(2025, 11, 10))
    return [(patient, when, None)]


def vn_screened_subjects() -> list[Job] | None:
    """The typical Vietnamese 2-year-old with three observations (HIV exposure ended,
    immunoglobulin a month ago, fever today), or None without ``schedule.vn``."""
    try:
        from schedule.vn.examples import screened_two_year_old
    except ImportError:
        return None
    patient, when = screened_two_year_old(date(2025, 11, 10))
    return [(patient, when, None)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_shared = os.environ.get("NIIS_SHARED_DIR") or str(ROOT.parent / "shared")
    parser.add_argument("--shared", default=default_shared, help="folder with cdsi/")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):  # one core, as promised in the figures
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cdsi = Path(args.shared) / "cdsi"
    cases_file = cdsi / "test-cases-healthy-v4.45-dev.json"
    if not cases_file.is_file():
        print(f"{cdsi} not found: the CDC reference material is only beside the repo")
        return 2

    t0 = time.perf_counter()
    schedule = load_cdc_schedule(cdsi / "supporting-data-4.64")
    load_ms = (time.perf_counter() - t0) * 1000
    text = cases_file.read_text(encoding="utf-8")
    cases = json.loads(text)
    jobs = cdc_jobs(cases, schedule)

    def parse_all() -> int:
        parsed = json.loads(text)
        for case in parsed:
            case_patient(case)
        return len(parsed)

    def evaluate_all() -> int:
        for patient, when, groups in jobs:
            evaluate(patient, schedule, when, groups)
        return len(jobs)

    child = two_year_old()
    child_date = date(2025, 11, 10)

    def child_all_groups() -> int:
        evaluate(child, schedule, child_date)
        return 1

    childhood = [g for g in CHILDHOOD_GROUPS if g in schedule.vaccine_groups]

    def child_childhood_groups() -> int:
        evaluate(child, schedule, child_date, childhood)
        return 1

    baseline = _rate(parse_all, args.seconds)
    engine = _rate(evaluate_all, args.seconds)
    child_rate = _rate(child_all_groups, args.seconds)
    childhood_rate = _rate(child_childhood_groups, args.seconds)
    print(f"CDC supporting data loaded in {load_ms:.0f} ms (once per process)")
    print(f"{'workload':58} {'subjects/s':>11} {'baseline/s':>11} {'ratio':>7}")
    print(
        f"{'CDC dev cases (' + str(len(jobs)) + '), one vaccine group each':58} "
        f"{engine:11.0f} {baseline:11.0f} {baseline / engine:6.1f}x"
    )
    print(
        f"{'2-year-old, 25 doses, all ' + str(len(schedule.vaccine_groups)) + ' vaccine groups':58} "
        f"{child_rate:11.0f} {baseline:11.0f} {baseline / child_rate:6.1f}x"
    )
    print(
        f"{'2-year-old, 25 doses, the ' + str(len(childhood)) + ' childhood vaccine groups':58} "
        f"{childhood_rate:11.0f} {baseline:11.0f} {baseline / childhood_rate:6.1f}x"
    )
    vn = vn_subjects()
    if vn:
        vn_schedule = registry.get("vn")

        from schedule.vn.advice import advise_assessment

        screened = vn_screened_subjects() or []
        vn_all = _each(vn, lambda p, when, groups: evaluate(p, vn_schedule, when, groups))
        vn_all_with_doses = _each(vn, lambda p, when, groups: evaluate(p, vn_schedule, when, groups).doses)
        vn_screened = _each(screened, lambda p, when, groups: evaluate(p, vn_schedule, when, groups))
        vn_screened_advice = _each(
            screened, lambda p, when, groups: advise_assessment(p, evaluate(p, vn_schedule, when, groups))
        )
        lines = [
            ("Vietnamese schedule, typical 2-year-old, all groups", vn_all),
            ("  the same, reading every dose evaluation too", vn_all_with_doses),
        ]
        if screened:
            lines += [
                ("  with 3 observations (contraindications checked)", vn_screened),
                ("  the same, with advice (do not give / postpone / refer)", vn_screened_advice),
            ]
        for label, work in lines:
            rate = _rate(work, args.seconds)
            print(f"{label:58} {rate:11.0f} {baseline:11.0f} {baseline / rate:6.1f}x")
    else:
        print("Vietnamese schedule: not measured (no 'vn' schedule or example subjects yet)")
    print("baseline = loading and parsing the case data only (JSON → Patient), same run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Mutation testing: would the tests notice a small bug in these modules?

    .venv/bin/python bench/mutation.py [MODULE ...] [--jobs 2] [--keep] [--survivors]

mutmut (a dev dependency) makes small changes ("mutants") to one module at a time, such
as ``<`` for ``<=``, ``and`` for ``or``, a constant off by one or a dropped argument, and
runs, for each mutant, the tests that call the changed function. A mutant is *killed*
when a test fails, *survived* when every test still passes. Prints per module: mutants,
killed, survived (and timeouts, untested), the share killed, and the total.

MODULE is a name from :data:`MODULES` (default: all, one after the other, so the two
cores are never asked for more than ``--jobs`` test processes). Each module runs in a
scratch copy of the sources under ``var/mutation/<name>/`` (mutmut writes its mutated
copy and results there; removed afterwards unless ``--keep``), on SQLite only.
``--survivors`` prints each surviving mutant's diff, to judge whether a test is missing
or the mutant changes nothing observable (an equivalent mutant: see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("api", "db", "schedule", "scanning", "push")
SCRATCH = ROOT / "var" / "mutation"


@dataclass(frozen=True)
class Module:
    path: str  # the file mutated
    # The tests that exercise it (those not written yet are left out); mutmut then runs,
    # for each mutant, only those that call the function it changed.
    tests: tuple[str, ...]


# The nightly command's test runs the CLI in a subprocess, outside mutmut's reach.
NO_CLI = "--deselect=tests/api/test_registry_duplicates.py::test_the_nightly_command_runs_for_the_country_or_one_area"
MODULES: dict[str, Module] = {
    "dates": Module(
        "schedule/dates.py", ("tests/schedule/test_schedule_dates.py", "tests/schedule/test_schedule_engine.py")
    ),
    "codes": Module("api/registry/identity/codes.py", ("tests/registry/test_codes.py",)),
    "duplicates": Module(
        "api/registry/duplicates/services.py",
        ("tests/registry/test_duplicate_rules.py", "tests/api/test_registry_duplicates.py", NO_CLI),
    ),
    "duplicate_job": Module("api/registry/duplicates/job.py", ("tests/api/test_registry_duplicates.py", NO_CLI)),
    "merge": Module(
        "api/registry/duplicates/merge.py", ("tests/api/test_registry_merge.py", "tests/api/test_merge_details.py")
    ),
    "validation": Module(
        "api/registry/subjects/validation.py", ("tests/registry/test_validation.py", "tests/api/test_registry.py")
    ),
    "sessions": Module("api/auth/sessions.py", ("tests/api/test_sessions.py",)),
    "scope": Module(
        "api/scope.py",
        (
            "tests/api/test_scope.py",
            "tests/api/test_scope_rules.py",
            "tests/api/test_visibility.py",
            "tests/api/test_list_scopes.py",
            "tests/api/test_authorization_matrix.py",
            "tests/api/test_place_history.py",
        ),
    ),
    "access": Module(
        "api/registry/subjects/deps.py",
        ("tests/api/test_visibility.py", "tests/api/test_registry.py", "tests/api/test_parent_linking.py"),
    ),
}
# The modules the goal (≥ 85 % killed) is set for; duplicate_job is measured too.
GOAL = 0.85


@dataclass
class Result:
    name: str
    counts: Counter[str]
    seconds: float
    survivors: list[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def share(self) -> float:
        """Killed over all mutants: one that no test runs counts as surviving."""
        return self.counts["killed"] / self.total if self.total else 0.0


def _copy_sources(into: Path, module: Module) -> None:
    """The sources, tests and configuration, with mutmut's settings for this module."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, into / name, ignore=ignore)
    shutil.copytree(ROOT / "tests", into / "tests", ignore=ignore)
    present = [name for name in SOURCES if (ROOT / name).is_dir()]
    tests = [t for t in module.tests if t.startswith("-") or (ROOT / t).exists()]
    settings = (
        "\n[tool.mutmut]\n"
        f"source_paths = {json.dumps(present)}\n"
        f"only_mutate = {json.dumps([module.path])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
    )
    (into / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text() + settings)


def _statuses(workdir: Path, module: Module) -> dict[str, str]:
    """Each mutant's status, from mutmut's results file for the module."""
    from mutmut.stats import status_by_exit_code

    meta = workdir / "mutants" / (module.path + ".meta")
    if not meta.is_file():
        raise SystemExit(f"mutmut left no results for {module.path}: see the output above")
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


def run_module(name: str, *, jobs: int, keep: bool, show: bool) -> Result:
    module = MODULES[name]
    workdir = SCRATCH / name
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    _copy_sources(workdir, module)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIIS_TEST_")}  # SQLite only
    env["PICCOLO_CONF"] = "db.piccolo_conf"
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.monotonic()
    print(f"== {name}: {module.path}, tests {' '.join(module.tests)}", flush=True)
    done = subprocess.run(
        [str(mutmut), "run", "--max-children", str(jobs)], cwd=workdir, env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
        raise SystemExit(f"mutmut failed on {name} (exit {done.returncode})")
    statuses = _statuses(workdir, module)
    survivors = sorted(m for m, status in statuses.items() if status != "killed")
    if show:
        for mutant in survivors:
            shown = subprocess.run([str(mutmut), "show", mutant], cwd=workdir, env=env, capture_output=True, text=True)
            print(f"--- {statuses[mutant]}: {mutant}\n{shown.stdout}")
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return Result(name, Counter(statuses.values()), seconds, survivors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], metavar="MODULE", help=", ".join(MODULES))
    parser.add_argument("--jobs", type=int, default=2, help="test processes at once (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep var/mutation/<module>/ (mutmut's results)")
    parser.add_argument("--survivors", action="store_true", help="print the diff of each surviving mutant")
    args = parser.parse_args()
    results = [run_module(n, jobs=args.jobs, keep=args.keep, show=args.survivors) for n in args.modules or MODULES]

    columns = ("mutants", "killed", "survived", "timeout", "no tests", "killed %", "time")
    print("\n" + f"{'module':<14} " + " ".join(f"{c:>8}" for c in columns))
    total: Counter[str] = Counter()
    for r in results:
        total.update(r.counts)
        print(
            f"{r.name:<14} {r.total:>8} {r.counts['killed']:>8} {r.counts['survived']:>8} {r.counts['timeout']:>8}"
            f" {r.counts['no tests']:>8} {r.share:>8.1%} {r.seconds:>7.0f}s"
        )
    whole = Result("total", total, sum(r.seconds for r in results), [])
    print(
        f"{'total':<14} {whole.total:>8} {total['killed']:>8} {total['survived']:>8} {total['timeout']:>8}"
        f" {total['no tests']:>8} {whole.share:>8.1%} {whole.seconds:>7.0f}s"
    )
    below = [r.name for r in results if r.share < GOAL and r.name != "duplicate_job"]
    if below:
        print(f"below the goal of {GOAL:.0%} killed: {', '.join(below)}")


if __name__ == "__main__":
    main()

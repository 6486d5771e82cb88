"""All 608 CDC development test cases, against a floor that may only go up.

Runs the conformance runner in-process (about half a second). Raise PASS_FLOOR when the
engine improves; never lower it to make a change pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schedule.conformance import KNOWN_DIFFERENCES, main, run_cases, summary_lines
from schedule.model import Schedule

pytestmark = pytest.mark.shared

#: Cases that must pass (of 608). Reached on 2026-11-27: 608/608.
PASS_FLOOR = 608
CASES = "test-cases-healthy-v4.45-dev.json"


@pytest.fixture(scope="module")
def cases(cdsi: Path) -> list[dict[str, object]]:
    return json.loads((cdsi / CASES).read_text(encoding="utf-8"))


def test_cdc_development_cases_pass_at_least_the_floor(cases: list[dict[str, object]], cdc_schedule: Schedule) -> None:
    results = run_cases(cases, cdc_schedule)
    assert len(results) == 608
    failing = [f"{r.id} ({r.group}): {'; '.join(r.mismatches)}" for r in results if not r.passed]
    passed = len(results) - len(failing)
    report = "\n".join([*summary_lines(results), *failing[:40]])
    assert passed >= PASS_FLOOR, f"{passed} passed < floor {PASS_FLOOR}\n{report}"


#: CDC underlying-condition cases (193 of v4.6's 337) that must pass. Reached on
#: 2026-11-28: 183/193; the other 10 are exactly KNOWN_DIFFERENCES.
CONDITION_PASS_FLOOR = 183
CONDITION_CASES = "test-cases-conditions-v4.6-dev.json"


def test_cdc_condition_cases_pass_and_every_failure_is_a_known_difference(cdsi: Path, cdc_schedule: Schedule) -> None:
    cases = json.loads((cdsi / CONDITION_CASES).read_text(encoding="utf-8"))
    results = run_cases(cases, cdc_schedule)
    assert len(results) == 193
    failing = {r.id: r.mismatches for r in results if not r.passed}
    report = "\n".join([*summary_lines(results), *(f"{k}: {v}" for k, v in failing.items())])
    assert len(results) - len(failing) >= CONDITION_PASS_FLOOR, report
    # A regression fails, and so does a "difference" that silently appears or goes away.
    assert set(failing) == set(KNOWN_DIFFERENCES), report


def test_runner_reports_known_differences_apart(cdsi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = json.loads((cdsi / CONDITION_CASES).read_text(encoding="utf-8"))
    few = [c for c in cases if c["id"] in ("2022-UC-0031", "2016-UC-0056")]
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps(few), encoding="utf-8")
    assert main(["--supporting-data", str(cdsi / "supporting-data-4.64"), "--failures-only", str(cases_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0])["known"].startswith("data-version: observation 235")
    assert "# known differences: 1 (data-version 1); unexplained failures: 0" in lines
    assert lines[-1] == "1 passed, 1 failed"


def test_evaluation_reasons_agree(cases: list[dict[str, object]], cdc_schedule: Schedule) -> None:
    results = run_cases(cases, cdc_schedule)
    expected = sum(r.reasons_expected for r in results)
    agreed = sum(r.reasons_agreed for r in results)
    assert expected > 100 and agreed == expected


def test_command_line_output_format(cdsi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    few = json.loads((cdsi / CASES).read_text(encoding="utf-8"))[:5]
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps(few), encoding="utf-8")
    data = str(cdsi / "supporting-data-4.64")
    assert main(["--supporting-data", data, str(cases_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = json.loads(lines[0])
    assert set(first) == {"id", "pass", "mismatches"}
    assert lines[-1] == "5 passed, 0 failed"
    assert main(["--supporting-data", data, "--min-pass", "6", str(cases_file)]) == 1
    assert main(["--schedule", "nowhere", str(cases_file)]) == 2

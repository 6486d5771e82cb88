"""All 608 CDC development test cases, against a floor that may only go up.

Runs the conformance runner in-process (about half a second). Raise PASS_FLOOR when the
engine improves; never lower it to make a change pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schedule.conformance import main, run_cases, summary_lines
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

"""The browser tests count days as the server does: Vietnam's date (api.clock), not the
machine's. From 17:00 UTC the UTC date is a day behind Vietnam's, so a test that takes
`date.today()` or a zone-less `datetime.now()` expects yesterday's day on the screen."""

from __future__ import annotations

import ast

from tests.conftest import REPO

E2E = REPO / "tests" / "e2e"
# Calls that read the machine's local (on CI: UTC) date or a naive time.
NAIVE = {"today", "utcnow", "utcfromtimestamp"}


def _naive_clock_reads(source: str) -> list[int]:
    """Lines of `source` that read today's date or the time without a zone."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = ast.unparse(node.func.value)
        if not (owner.endswith("date") or owner.endswith("datetime")):
            continue  # SystemClock().today() and the like count Vietnam's day
        if node.func.attr in NAIVE or (node.func.attr == "now" and not node.args and not node.keywords):
            found.append(node.lineno)
    return found


def test_the_guard_sees_each_way_of_reading_the_machines_date() -> None:
    source = "\n".join(
        [
            "date.today()",
            "dt.date.today()",
            "datetime.now()",
            "datetime.datetime.utcnow()",
            "datetime.now(UTC)",
            "SystemClock().today()",
            "datetime.now(tz=VIETNAM)",
        ]
    )
    assert _naive_clock_reads(source) == [1, 2, 3, 4]


def test_browser_tests_take_vietnams_date() -> None:
    tests = sorted(E2E.glob("*.py"))
    assert len(tests) > 5  # the folder is where this test looks
    offending = {
        f"{path.relative_to(REPO)}:{line}" for path in tests for line in _naive_clock_reads(path.read_text("utf-8"))
    }
    assert offending == set(), "use api.clock.SystemClock().today() (Vietnam's date), as the server does"

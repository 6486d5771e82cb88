"""Run Vietnamese conformance cases, which may carry patient observations.

The cases use the CDC test-case JSON shape (see ``tests/schedule/vn/cases.json``) plus
one optional key, ``observations``: a list of ``{"code", "start", "end"}`` (ISO dates,
``end`` may be null), e.g. a pregnancy for the Td-for-women series::

    "observations": [{"code": "VN-PREGNANT", "start": "2025-09-01", "end": null}]

:mod:`schedule.conformance` (the engine's runner, ``niis cdsi-run``) does not read
observations yet; until it does, this module runs the same comparison with them:

    python -m schedule.vn.conformance tests/schedule/vn/cases.json

It accepts the same options as ``niis cdsi-run`` and uses the ``vn`` schedule unless
``--schedule`` says otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any
from unittest import mock

from schedule import conformance
from schedule.model import Patient, PatientObservation, Schedule

__all__ = ["case_observations", "case_patient", "main", "run_cases"]

_engine_case_patient = conformance.case_patient


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def case_observations(case: dict[str, Any]) -> tuple[PatientObservation, ...]:
    """The ``observations`` of a case as the engine's :class:`PatientObservation`."""
    return tuple(
        PatientObservation(code=str(o["code"]), start=_day(o.get("start")), end=_day(o.get("end")))
        for o in case.get("observations") or []
    )


def case_patient(case: dict[str, Any]) -> Patient:
    """The engine runner's patient for ``case``, with the case's observations added."""
    patient = _engine_case_patient(case)
    observations = case_observations(case)
    if not observations or patient.observations:
        return patient
    return replace(patient, observations=observations)


@contextmanager
def _with_observations() -> Iterator[None]:
    # The engine's runner builds patients in one function; give it ours for the run.
    with mock.patch.object(conformance, "case_patient", case_patient):
        yield


def run_cases(cases: Iterable[dict[str, Any]], schedule: Schedule) -> list[conformance.CaseResult]:
    """:func:`schedule.conformance.run_cases`, reading each case's observations too."""
    with _with_observations():
        return conformance.run_cases(list(cases), schedule)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``niis cdsi-run`` options; default ``--schedule vn``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not any(a == "--schedule" or a.startswith("--schedule=") for a in args):
        args = ["--schedule", "vn", *args]
    with _with_observations():
        return conformance.main(args)


if __name__ == "__main__":
    raise SystemExit(main())

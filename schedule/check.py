"""Consistency checks for a :class:`~schedule.model.Schedule` built from data files.

Meant for schedule authors (e.g. the Vietnamese schedule data): run it in a test so that
a typo in a vaccine code or an antigen name fails loudly instead of silently never
matching a dose::

    assert check_schedule(schedule) == []
"""

from __future__ import annotations

from schedule.model import Schedule, SeriesType

__all__ = ["check_schedule"]


def check_schedule(schedule: Schedule) -> list[str]:
    """Return human-readable problems; an empty list means the schedule is consistent."""
    problems: list[str] = []
    antigens = set(schedule.antigens)
    codes = set(schedule.vaccines)
    for group in schedule.vaccine_groups.values():
        for member in group.antigens:
            if member not in antigens:
                problems.append(f"vaccine group {group.name!r}: unknown antigen {member!r}")
    for vaccine in schedule.vaccines.values():
        if not vaccine.antigens:
            problems.append(f"vaccine {vaccine.code!r}: no antigen")
        for assoc in vaccine.antigens:
            if assoc.antigen not in antigens:
                problems.append(f"vaccine {vaccine.code!r}: unknown antigen {assoc.antigen!r}")
    grouped = {a for g in schedule.vaccine_groups.values() for a in g.antigens}
    for name, antigen in schedule.antigens.items():
        if name not in grouped:
            problems.append(f"antigen {name!r} belongs to no vaccine group")
        if not antigen.series:
            problems.append(f"antigen {name!r}: no series")
        for series in antigen.series:
            where = f"{name} / {series.name}"
            if series.target_disease != name:
                problems.append(f"{where}: target disease {series.target_disease!r} is not the antigen")
            if not series.doses:
                problems.append(f"{where}: no target doses")
            if series.series_type is SeriesType.RISK and not series.indications:
                problems.append(f"{where}: risk series without an indication never applies")
            for n, dose in enumerate(series.doses, start=1):
                if dose.dose_number != n:
                    problems.append(f"{where}: dose {dose.dose_number} listed in position {n}")
                if not dose.preferable_vaccines and not dose.allowable_vaccines:
                    problems.append(f"{where} dose {n}: no vaccine can satisfy it")
                for rule in (*dose.preferable_vaccines, *dose.allowable_vaccines):
                    if rule.code not in codes:
                        problems.append(f"{where} dose {n}: vaccine code {rule.code!r} not in the vaccine map")
                for interval in dose.intervals + dose.allowable_intervals:
                    target = interval.from_target_dose
                    if target is not None and not 1 <= target < n:
                        problems.append(f"{where} dose {n}: interval from target dose {target}")
                    waiver = interval.waived_by_new_observation
                    if waiver is not None and waiver not in schedule.observations:
                        problems.append(f"{where} dose {n}: interval waived by unknown observation {waiver!r}")
    return problems

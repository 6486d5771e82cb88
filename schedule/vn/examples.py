"""Example patients for benchmarks and demonstrations (not clinical data).

:func:`typical_two_year_old` is a child who followed the EPI schedule on time and had
the common service vaccines: about thirty doses, every vaccine group of a toddler in play.
"""

from __future__ import annotations

from datetime import date

from schedule.dates import Duration, add
from schedule.model import AdministeredDose, Patient, PatientObservation

__all__ = ["screened_two_year_old", "typical_two_year_old"]

# (age at the visit, vaccine code, trade name) in visit order. Codes: see schedule.toml.
_HISTORY: tuple[tuple[str, str, str], ...] = (
    ("0 days", "08", "Gene-HBvax"),
    ("3 days", "19", "BCG"),
    ("2 months", "198", "SII Pentavac PFS"),
    ("2 months", "178", "bOPV"),
    ("2 months", "119", "Rotarix"),
    ("2 months", "133", "Prevenar 13"),
    ("3 months", "198", "SII Pentavac PFS"),
    ("3 months", "178", "bOPV"),
    ("3 months", "119", "Rotarix"),
    ("3 months", "133", "Prevenar 13"),
    ("4 months", "198", "SII Pentavac PFS"),
    ("4 months", "178", "bOPV"),
    ("4 months", "133", "Prevenar 13"),
    ("5 months", "10", "IPV"),
    ("6 months", "150", "Vaxigrip Tetra"),
    ("7 months", "150", "Vaxigrip Tetra"),
    ("9 months", "05", "MVVAC"),
    ("9 months", "10", "IPV"),
    ("12 months", "39", "Jevax"),
    ("12 months", "21", "Varivax"),
    ("12 months", "133", "Prevenar 13"),
    ("12 months", "83", "Havrix 720"),
    ("12 months + 1 week", "39", "Jevax"),
    ("15 months", "21", "Varivax"),
    ("18 months", "04", "MRVAC"),
    ("18 months", "01", "DTP"),
    ("18 months", "83", "Havrix 720"),
    ("18 months + 2 weeks", "150", "Vaxigrip Tetra"),
)


def typical_two_year_old(today: date) -> tuple[Patient, date]:
    """A girl born two years before ``today`` with a complete, on-time history.

    Returns ``(patient, assessment_date)`` for ``engine.evaluate(patient, schedule,
    assessment_date)``; the assessment date is ``today``. The third JE dose (one year
    after the second) is not yet due, so JE and DTP (Td at 7 years) are "Not Complete"
    while the infant series are complete.
    """
    birth = add(today, Duration(years=-2))
    doses = tuple(
        AdministeredDose(
            date_administered=add(birth, Duration.parse(age)),
            vaccine_code=code,
            trade_name=trade,
            id=f"example-{n}",
        )
        for n, (age, code, trade) in enumerate(_HISTORY, start=1)
    )
    return Patient(birth_date=birth, sex="F", doses=doses), today


def screened_two_year_old(today: date) -> tuple[Patient, date]:
    """The same girl with what screenings record: born to a mother with HIV (excluded
    at 6 weeks), immunoglobulin a month ago, fever today. Every observation is read by
    the engine (contraindications) or by :mod:`schedule.vn.advice` (precautions)."""
    patient, day = typical_two_year_old(today)
    birth = patient.birth_date
    observations = (
        PatientObservation("VN-HIV-EXPOSED", birth, add(birth, Duration.parse("6 weeks"))),
        PatientObservation("VN-IMMUNOGLOBULIN", add(today, Duration(months=-1)), add(today, Duration(months=-1))),
        PatientObservation("VN-FEVER", today, today),
    )
    return Patient(birth_date=birth, sex=patient.sex, doses=patient.doses, observations=observations), day

"""The QR code of the Vietnamese citizen ID card (CCCD / căn cước).

The usual payload is seven ``|``-separated fields::

    ID12|oldID9|Full name|DDMMYYYY birth|Nam or Nữ|address|DDMMYYYY issue

but some cards leave the old ID empty or out, some readers add an expiry
date, and newer cards may carry more. Fields are therefore recognised by
what they contain (12 digits, 9 digits, a date, Nam/Nữ, words), in the order
they appear, and whatever is left over is kept in ``other_fields``. What does
not fit (the ID number against the birth date and sex, impossible dates,
missing fields) is listed in ``discrepancies`` instead of failing the scan.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from scanning.errors import CitizenIdError
from scanning.payloads.personal_id import Discrepancy, Sex, check_personal_id
from scanning.payloads.registry import Payload

_SEXES = {"nam": Sex.MALE, "nữ": Sex.FEMALE, "nu": Sex.FEMALE}


@dataclass(frozen=True, slots=True)
class CitizenIdCard(Payload):
    """The holder's data from a citizen ID card QR code."""

    kind = "citizen_id"

    id_number: str
    old_id_number: str | None = None
    full_name: str | None = None
    birth_date: dt.date | None = None
    sex: Sex | None = None
    address: str | None = None
    issue_date: dt.date | None = None
    expiry_date: dt.date | None = None
    other_fields: tuple[str, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()

    @property
    def consistent(self) -> bool:
        """True when nothing on the card contradicts anything else."""
        return not self.discrepancies


def parse_citizen_id(text: str) -> CitizenIdCard:
    """Parse a citizen ID card QR payload; raises :class:`CitizenIdError`."""
    card = citizen_id_parser(text, "")
    if card is None:
        raise CitizenIdError(
            "The text is not a citizen ID card QR payload (expected fields separated by '|' with a 12-digit ID number)."
        )
    return card


def citizen_id_parser(text: str, symbology_identifier: str) -> CitizenIdCard | None:
    """The registry parser: claims ``|``-separated card payloads."""
    fields = [unicodedata.normalize("NFC", f.strip()) for f in text.strip().split("|")]
    if len(fields) < 3 or not _looks_like_card(fields):
        return None
    return _card(fields)


def _looks_like_card(fields: list[str]) -> bool:
    has_id = any(_is_digits(f, 12) for f in fields)
    has_sex = any(f.casefold() in _SEXES for f in fields)
    has_date = any(_is_digits(f, 8) for f in fields)
    return has_id or (has_sex and has_date)


def _card(fields: list[str]) -> CitizenIdCard:
    problems: list[Discrepancy] = []
    ids = [i for i, f in enumerate(fields) if _is_digits(f, 12)]
    if not ids:
        raise CitizenIdError("No 12-digit ID number in the card payload.", field="id_number")
    id_at = ids[0]
    used = {id_at}
    old_id = None
    for i in range(id_at + 1, len(fields)):
        value = fields[i]
        if _is_digits(value, 9) or (_is_digits(value, 12) and value != fields[id_at]):
            old_id = value
            used.add(i)
            break
        if value and not value.isdigit():
            break

    sex_at = next((i for i, f in enumerate(fields) if f.casefold() in _SEXES), None)
    sex = _SEXES[fields[sex_at].casefold()] if sex_at is not None else None
    if sex_at is not None:
        used.add(sex_at)

    before: list[dt.date] = []
    after: list[dt.date] = []
    for i, value in enumerate(fields):
        if i in used or not _is_digits(value, 8):
            continue
        used.add(i)
        date = _date(value)
        if date is None:
            problems.append(Discrepancy("date", f"Field {i + 1} ({value}) is not a valid date."))
            continue
        (before if sex_at is None or i < sex_at else after).append(date)
    birth_date, issue_date, expiry_date, spare_dates = _assign_dates(before, after, sex_at is not None)

    words = [i for i, f in enumerate(fields) if i not in used and f and _is_words(f)]
    name_at = next((i for i in words if not any(c.isdigit() for c in fields[i])), None)
    if name_at is not None:
        used.add(name_at)
    address_at = next((i for i in words if i != name_at), None)
    if address_at is not None:
        used.add(address_at)
    other = tuple(f for i, f in enumerate(fields) if i not in used and f)
    other += tuple(d.strftime("%d%m%Y") for d in spare_dates)

    if name_at is None:
        problems.append(Discrepancy("full_name", "The card payload has no name."))
    if birth_date is None:
        problems.append(Discrepancy("birth_date", "The card payload has no birth date."))
    if sex is None:
        problems.append(Discrepancy("sex", "The card payload has no sex (Nam/Nữ)."))
    if other:
        problems.append(Discrepancy("other_fields", f"{len(other)} field(s) were not understood."))
    today = dt.date.today()
    if birth_date and birth_date > today:
        problems.append(Discrepancy("birth_date", f"The birth date {birth_date} is in the future."))
    if birth_date and issue_date and issue_date < birth_date:
        problems.append(Discrepancy("issue_date", "The card was issued before the birth date."))
    problems.extend(check_personal_id(fields[id_at], birth_date=birth_date, sex=sex))

    return CitizenIdCard(
        id_number=fields[id_at],
        old_id_number=old_id,
        full_name=fields[name_at] if name_at is not None else None,
        birth_date=birth_date,
        sex=sex,
        address=fields[address_at] if address_at is not None else None,
        issue_date=issue_date,
        expiry_date=expiry_date,
        other_fields=other,
        discrepancies=tuple(problems),
    )


def _assign_dates(
    before: list[dt.date], after: list[dt.date], has_sex: bool
) -> tuple[dt.date | None, dt.date | None, dt.date | None, list[dt.date]]:
    """Birth, issue and expiry dates, and any dates left over.

    In the usual layout the birth date comes before the sex field and the
    card dates after it; position then decides, so an issue date earlier
    than the birth date is caught. When all dates are on one side (an
    unusual layout), they are told apart by time: birth first.
    """
    spare: list[dt.date] = []
    if has_sex and before and after:
        birth: dt.date | None = before[0]
        spare, rest = before[1:], after
    else:
        ordered = before + after
        if has_sex and len(ordered) > 1:
            ordered = sorted(ordered)
        if not has_sex or before or len(ordered) > 1:
            birth, rest = (ordered[0] if ordered else None), ordered[1:]
        else:
            # A lone date after the sex field is where the issue date goes.
            birth, rest = None, ordered
    issue = rest[0] if rest else None
    expiry = rest[1] if len(rest) > 1 else None
    return birth, issue, expiry, spare + rest[2:]


def _is_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def _is_words(value: str) -> bool:
    return any(c.isalpha() for c in value)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return None

"""CDSi date arithmetic (spec 3.4): the examples of table 3-6 and month-end edge cases."""

from datetime import date

import pytest

from schedule.dates import Duration, add, parse_date


def d(text: str) -> Duration:
    return Duration.parse(text)


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (date(2000, 1, 1), "3 years", date(2003, 1, 1)),  # CALCDT-1
        (date(2000, 1, 1), "6 months", date(2000, 7, 1)),  # CALCDT-2
        (date(2000, 11, 1), "6 months", date(2001, 5, 1)),
        (date(2000, 1, 1), "3 days", date(2000, 1, 4)),  # CALCDT-3
        (date(2000, 1, 1), "3 weeks", date(2000, 1, 22)),
        (date(2000, 2, 1), "5 weeks", date(2000, 3, 7)),  # leap year
        (date(2001, 2, 1), "5 weeks", date(2001, 3, 8)),
        (date(2000, 1, 15), "-4 days", date(2000, 1, 11)),  # CALCDT-4
        (date(2000, 3, 31), "6 months", date(2000, 10, 1)),  # CALCDT-5: 31 September
        (date(2000, 8, 31), "6 months", date(2001, 3, 1)),  # 31 February
        (date(2000, 1, 31), "6 months - 4 days", date(2000, 7, 27)),  # CALCDT-6
    ],
)
def test_spec_examples(start: date, duration: str, expected: date) -> None:
    assert add(start, d(duration)) == expected


def test_31st_moves_to_first_of_next_month_before_days_are_subtracted() -> None:
    # 31 March + 6 months = "31 September" = 1 October; then - 4 days.
    assert add(date(2000, 3, 31), d("6 months - 4 days")) == date(2000, 9, 27)
    assert add(date(2021, 1, 31), d("1 month")) == date(2021, 3, 1)
    assert add(date(2021, 12, 31), d("2 months")) == date(2022, 3, 3 - 2)


def test_leap_day_birthdays() -> None:
    assert add(date(2020, 2, 29), d("1 year")) == date(2021, 3, 1)
    assert add(date(2020, 2, 29), d("4 years")) == date(2024, 2, 29)
    assert add(date(2020, 2, 29), d("12 months")) == date(2021, 3, 1)
    assert add(date(2024, 1, 29), d("1 month")) == date(2024, 2, 29)
    assert add(date(2100, 1, 29), d("1 month")) == date(2100, 3, 1)  # 2100 is not leap


def test_parse_forms() -> None:
    assert d("6 months - 4 days") == Duration(0, 6, -4, "6 months - 4 days")
    assert (d("1 year + 2 weeks").years, d("1 year + 2 weeks").days) == (1, 14)
    assert d("4 years - 2 months").months == -2
    assert d(" 12 years").years == 12
    assert d("0 days").is_zero()
    with pytest.raises(ValueError):
        d("soon")


def test_parse_date_formats() -> None:
    assert parse_date("20161216") == date(2016, 12, 16)
    assert parse_date("01/01/1957") == date(1957, 1, 1)
    assert parse_date("2025-11-10") == date(2025, 11, 10)
    assert parse_date("n/a") is None
    assert parse_date("") is None


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # The 400-year rule: 2000 is a leap year, 1900 and 2100 are not.
        (date(2000, 1, 29), "1 month", date(2000, 2, 29)),
        (date(2000, 1, 31), "1 month", date(2000, 3, 1)),
        (date(1900, 1, 29), "1 month", date(1900, 3, 1)),
        (date(2100, 1, 29), "1 month", date(2100, 3, 1)),
        (date(1996, 2, 29), "4 years", date(2000, 2, 29)),
        (date(2096, 2, 29), "4 years", date(2100, 3, 1)),
        (date(1896, 2, 29), "4 years", date(1900, 3, 1)),
        (date(2000, 2, 29), "100 years", date(2100, 3, 1)),
        (date(1999, 8, 29), "6 months", date(2000, 2, 29)),
        (date(2099, 8, 29), "6 months", date(2100, 3, 1)),
        # Days across 29 February: a plain day count.
        (date(2000, 2, 28), "1 day", date(2000, 2, 29)),
        (date(2000, 2, 28), "2 days", date(2000, 3, 1)),
        (date(2100, 2, 28), "1 day", date(2100, 3, 1)),
        (date(2000, 3, 1), "-1 day", date(2000, 2, 29)),
        (date(2100, 3, 1), "-1 day", date(2100, 2, 28)),
        # The month is set first, then the days: "29 February 2100" is 1 March, then - 4 days.
        (date(2099, 12, 29), "2 months - 4 days", date(2100, 2, 25)),
        (date(1999, 12, 29), "2 months - 4 days", date(2000, 2, 25)),
        # Month ends that exist in every year are kept.
        (date(2100, 1, 28), "1 month", date(2100, 2, 28)),
        (date(2000, 1, 30), "3 months", date(2000, 4, 30)),
        (date(2000, 1, 31), "3 months", date(2000, 5, 1)),
        (date(2000, 12, 31), "12 months", date(2001, 12, 31)),
        (date(2000, 10, 31), "1 month", date(2000, 12, 1)),
        (date(2000, 11, 30), "1 month", date(2000, 12, 30)),
        (date(2000, 12, 31), "2 months", date(2001, 3, 1)),  # "31 February"
        (date(2000, 5, 31), "-1 month", date(2000, 5, 1)),
        (date(2000, 12, 15), "1 month", date(2001, 1, 15)),
        (date(2001, 1, 15), "-1 month", date(2000, 12, 15)),
    ],
)
def test_month_ends_and_leap_years(start: date, duration: str, expected: date) -> None:
    assert add(start, d(duration)) == expected


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (date(2000, 1, 30), "1 month", date(2000, 3, 1)),  # no 30 February, even in a leap year
        (date(2000, 1, 15), "1 year + 2 months", date(2001, 3, 15)),
        (date(2000, 1, 15), "2 years - 1 month", date(2001, 12, 15)),
        # The ends of the calendar: the largest or smallest date, never an error.
        (date(9998, 6, 1), "1 year", date(9999, 6, 1)),
        (date(9999, 6, 1), "1 year", date.max),
        (date(2, 6, 1), "-1 year", date(1, 6, 1)),
        (date(1, 6, 1), "-1 year", date.min),
        (date(9999, 12, 30), "1 day", date(9999, 12, 31)),
        (date(9999, 12, 31), "1 day", date.max),
        (date(9999, 12, 31), "5 days", date.max),
        (date(1, 1, 2), "-1 day", date(1, 1, 1)),
        (date(1, 1, 1), "-1 day", date.min),
    ],
)
def test_years_with_months_and_the_ends_of_the_calendar(start: date, duration: str, expected: date) -> None:
    assert add(start, d(duration)) == expected


def test_a_duration_built_directly() -> None:
    """Durations made in code (not parsed): what ``add`` uses, and how they are shown."""
    from datetime import timedelta

    mixed = Duration(1, 2, -4)
    assert (mixed.total_months, mixed.delta, mixed.key) == (14, timedelta(days=-4), 139_999_996)
    assert add(date(2000, 1, 15), mixed) == date(2001, 3, 11)
    assert Duration(1).key == Duration(0, 12).key == 120_000_000 != Duration(1, 0, 1).key
    assert Duration(0, 0, 3).key == 3
    assert [Duration(*parts).is_zero() for parts in ((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1))] == [
        True,
        False,
        False,
        False,
    ]
    assert str(Duration(1, 2, -4)) == "1 year + 2 months + -4 days"
    assert str(Duration(2, 1, 1)) == "2 years + 1 month + 1 day"
    assert str(Duration(0, 0, -1)) == "-1 day"
    assert str(Duration()) == "0 days"
    assert str(d("6 months - 4 days")) == "6 months - 4 days"  # as written


def test_parse_date_compact_and_us_forms() -> None:
    assert parse_date(" 20000229 ") == date(2000, 2, 29)
    assert parse_date("1/1/2016") == date(2016, 1, 1)
    assert parse_date("N/A") is None
    assert parse_date(None) is None
    with pytest.raises(ValueError):
        parse_date("21000229")  # 2100 is no leap year

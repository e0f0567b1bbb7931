"""Working days: Monday to Friday (public holidays are not known here)."""

from __future__ import annotations

from datetime import date, timedelta


def next_working_day(day: date) -> date:
    """The first weekday after ``day``.

    >>> next_working_day(date(2026, 11, 27)), next_working_day(date(2026, 11, 24))
    (datetime.date(2026, 11, 30), datetime.date(2026, 11, 25))
    """
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


def next_period(day: date) -> str:
    """The calendar month after ``day``'s, as ``YYYY-MM``: when a plan change takes effect.

    >>> next_period(date(2026, 12, 31))
    '2027-01'
    """
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return f"{year:04d}-{month:02d}"

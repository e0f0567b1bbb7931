"""Calendar months (``YYYY-MM`` periods) and the look-back window that plan advice rates.

>>> window_periods(date(2026, 11, 23), 6)
('2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10')
"""

from __future__ import annotations

from datetime import date


def period_of(day: date) -> str:
    """The period a day falls in: ``date(2026, 11, 23)`` -> ``'2026-11'``."""
    return f"{day.year:04d}-{day.month:02d}"


def first_day(period: str) -> date:
    """The first day of a period: ``'2026-05'`` -> ``date(2026, 5, 1)``."""
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def add_months(period: str, months: int) -> str:
    """The period ``months`` after (or before, if negative) ``period``."""
    start = first_day(period)
    index = start.year * 12 + start.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def window_periods(asof: date, lookback_months: int) -> tuple[str, ...]:
    """The ``lookback_months`` complete calendar months before the month of ``asof``."""
    if lookback_months < 1:
        raise ValueError(f"lookback_months={lookback_months}: look back at least one month")
    current = period_of(asof)
    return tuple(add_months(current, -m) for m in range(lookback_months, 0, -1))


def history_months(
    window: tuple[str, ...], started_on: date, periods_with_usage: set[str]
) -> tuple[str, ...]:
    """The months of ``window`` that count as a subscription's history.

    A month counts when usage was recorded for it and the subscription was live from its
    first day: a month it started part-way through would make its use look small.
    """
    return tuple(p for p in window if p in periods_with_usage and first_day(p) >= started_on)

"""Amounts and quantities as a person would write them: £7.50, 2.1 GB, 31 December 2026."""

from __future__ import annotations

import re
from datetime import date, datetime

_SYMBOLS = {"GBP": "£", "EUR": "€"}
# ISO 4217 currencies whose minor unit is not a hundredth; every other has two decimals.
_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3}
MB_PER_GB = 1000  # the ledger's data_mb is decimal megabytes, as operators sell them
# Spelled out rather than strftime("%B"), which follows the process's locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_money(amount_minor: int, currency: str) -> str:
    """An amount of minor units with its currency; whole amounts drop the ``.00``.

    >>> format_money(750, "GBP"), format_money(1000, "EUR"), format_money(123456, "USD")
    ('£7.50', '€10', '1,234.56 USD')
    >>> format_money(-750, "GBP")
    '-£7.50'
    """
    exponent = _EXPONENTS.get(currency, 2)
    whole, minor = divmod(abs(amount_minor), 10**exponent)
    number = f"{whole:,}" if minor == 0 else f"{whole:,}.{minor:0{exponent}d}"
    sign = "-" if amount_minor < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def format_gb(megabytes: float) -> str:
    """Data in gigabytes with one decimal: ``format_gb(2140) == '2.1 GB'``."""
    return f"{megabytes / MB_PER_GB:,.1f} GB"


def format_day(value: date | datetime | str) -> str:
    """A day written out: ``format_day('2026-12-31') == '31 December 2026'``.

    Accepts a date, a datetime, or an ISO 8601 date or timestamp string.
    """
    day = _as_date(value)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_month(period: str, short: bool = False) -> str:
    """A calendar month written out: ``format_month('2026-11') == 'November 2026'``
    (``'Nov 2026'`` when ``short``)."""
    year, month = int(period[:4]), int(period[5:7])
    name = _MONTHS[month - 1]
    return f"{name[:3] if short else name} {year}"


_DAY_OR_MONTH = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")


def months_in_words(text: str) -> str:
    """Every ``YYYY-MM-DD`` and ``YYYY-MM`` in ``text`` written out.

    >>> months_in_words("ARPU in 2026-11, sent on 2026-11-02")
    'ARPU in November 2026, sent on 2 November 2026'
    """

    def words(found: re.Match[str]) -> str:
        year, month, day = found.groups()
        if not 1 <= int(month) <= 12:
            return found.group(0)
        if day:
            return format_day(found.group(0))
        return format_month(f"{year}-{month}")

    return _DAY_OR_MONTH.sub(words, text)


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip().replace("Z", "+00:00")
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text[:10])

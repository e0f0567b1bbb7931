"""Minimum terms and the notices UK rules require around them (Ofcom GC C1.10-C1.21).

* A subscription is **in contract** while ``asof`` is on or before ``contract_end`` (the
  last day of its minimum term); with no ``contract_end`` it is rolling, out of contract.
* The **end-of-contract notice** goes out 10 to 40 days before the minimum term ends
  (Ofcom GC C1.10): it is due when ``contract_end - asof`` is 10 to 40 days, inclusive.
* The **annual best-tariff notice** (GC C1.13) goes to customers out of contract once a
  year: it is due in the calendar month of each anniversary of the day they went out of
  contract (the day after ``contract_end``; for a rolling subscription, its start), from
  the first anniversary on.
"""

from __future__ import annotations

from datetime import date, timedelta

#: The end-of-contract notice goes out this many days before the term ends, inclusive.
NOTICE_DAYS_MIN, NOTICE_DAYS_MAX = 10, 40


def in_contract(contract_end: date | None, asof: date) -> bool:
    """Whether the minimum term still runs on ``asof``."""
    return contract_end is not None and asof <= contract_end


def end_of_contract_notice_due(contract_end: date | None, asof: date) -> bool:
    """Whether the end-of-contract notice is due on ``asof`` (10-40 days before the end)."""
    if contract_end is None:
        return False
    return NOTICE_DAYS_MIN <= (contract_end - asof).days <= NOTICE_DAYS_MAX


def out_of_contract_since(contract_end: date | None, started_on: date) -> date:
    """The first day without a minimum term."""
    return started_on if contract_end is None else contract_end + timedelta(days=1)


def annual_notice_due(contract_end: date | None, started_on: date, asof: date) -> bool:
    """Whether the annual best-tariff notice is due in ``asof``'s month."""
    if in_contract(contract_end, asof):
        return False
    since = out_of_contract_since(contract_end, started_on)
    return since.month == asof.month and since.year < asof.year


def pays_loyalty_penalty(contract_end: date | None, asof: date, device_fee_minor: int) -> bool:
    """A device fee still charged after the minimum term ended (the device is paid for)."""
    return contract_end is not None and contract_end < asof and device_fee_minor > 0

"""Compensation arithmetic at the edges: grace, day one, the cap, on time, never kept, bad data.

Golden amounts come from Ofcom's automatic compensation scheme, 2019 base amounts:
repair £8 a calendar day after 2 full working days, missed appointment £25, delayed
service start £5 a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from goodwill.domain.compensation import (
    DEFAULT_TERMS,
    CompensationPolicy,
    KindTerms,
    compensation_minor,
    grace_end,
)

MADE = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
DUE = datetime(2026, 3, 5, 17, tzinfo=UTC)  # Thursday 5 March, 17:00
FLAT = KindTerms(fixed_minor=200, per_day_minor=100, grace_days=2, cap_minor=900)


def on(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_kept_exactly_on_time_earns_nothing() -> None:
    c = compensation_minor(MADE, DUE, DUE, on(20), FLAT)
    assert (c.amount_minor, c.verdict) == (0, "on_time")


def test_not_yet_due_earns_nothing() -> None:
    c = compensation_minor(MADE, DUE, None, DUE - timedelta(seconds=1), FLAT)
    assert (c.amount_minor, c.verdict) == (0, "not_due")


def test_within_grace_earns_only_the_fixed_amount() -> None:
    c = compensation_minor(MADE, DUE, on(7), on(20), FLAT)  # 2 days late, grace 2
    assert (c.amount_minor, c.days_late, c.chargeable_days) == (200, 2, 0)


def test_within_grace_with_no_fixed_amount_is_free() -> None:
    terms = KindTerms(per_day_minor=800, grace_days=2)
    c = compensation_minor(MADE, DUE, on(7), on(20), terms)
    assert (c.amount_minor, c.verdict) == (0, "within_grace")


def test_day_one_after_grace_pays_one_day() -> None:
    c = compensation_minor(MADE, DUE, on(8), on(20), FLAT)
    assert (c.amount_minor, c.chargeable_days, c.verdict) == (300, 1, "late")


def test_an_hour_late_on_the_due_day_pays_the_fixed_amount() -> None:
    c = compensation_minor(MADE, DUE, DUE + timedelta(hours=1), on(20), FLAT)
    assert (c.amount_minor, c.days_late) == (200, 0)


def test_cap_reached_exactly_is_not_capped_and_beyond_is() -> None:
    at_cap = compensation_minor(MADE, DUE, on(14), on(20), FLAT)  # 9 late: 200 + 7*100
    beyond = compensation_minor(MADE, DUE, on(15), on(20), FLAT)
    assert (at_cap.amount_minor, at_cap.verdict) == (900, "late")
    assert (beyond.amount_minor, beyond.verdict) == (900, "capped")


def test_never_kept_counts_up_to_now() -> None:
    c = compensation_minor(MADE, DUE, None, on(10), FLAT)  # 5 days late, 3 chargeable
    assert (c.amount_minor, c.days_late, c.verdict) == (500, 5, "late")


def test_kept_after_now_is_not_known_yet() -> None:
    c = compensation_minor(MADE, DUE, on(15), on(10), FLAT)
    assert (c.amount_minor, c.days_late) == (500, 5)


def test_kept_before_made_is_invalid_and_free() -> None:
    c = compensation_minor(MADE, DUE, MADE - timedelta(hours=1), on(20), FLAT)
    assert (c.amount_minor, c.verdict) == (0, "invalid")


def test_ofcom_repair_grace_is_two_working_days() -> None:
    """Due Thursday: Friday and Monday are the grace, Tuesday 10 March is paid for."""
    repair = DEFAULT_TERMS["repair"]
    assert grace_end(date(2026, 3, 5), repair) == date(2026, 3, 9)
    assert compensation_minor(MADE, DUE, on(9), on(20), repair).amount_minor == 0
    assert compensation_minor(MADE, DUE, on(10), on(20), repair).amount_minor == 800
    assert compensation_minor(MADE, DUE, on(12), on(20), repair).amount_minor == 2400


def test_ofcom_missed_appointment_and_late_start() -> None:
    appointment = DEFAULT_TERMS["engineer_appointment"]
    start = DEFAULT_TERMS["service_start"]
    assert compensation_minor(MADE, DUE, None, on(30), appointment).amount_minor == 2500
    assert compensation_minor(MADE, DUE, on(8), on(20), start).amount_minor == 1500


def test_unknown_kind_earns_nothing_and_terms_refuse_negatives() -> None:
    policy = CompensationPolicy()
    assert compensation_minor(MADE, DUE, None, on(30), policy.for_kind("other")).amount_minor == 0
    with pytest.raises(ValueError, match="cannot be negative"):
        KindTerms(per_day_minor=-1)

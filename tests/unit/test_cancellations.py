"""A promise we cancelled: broken with less notice than the policy asks, not broken with more.

Golden amount: Ofcom's automatic compensation scheme (2019 base) pays £25 for a missed
engineer appointment "or one cancelled with less than 24 hours' notice".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from goodwill.analytics.detectors.promise_policy import policy_from_mapping
from goodwill.domain.compensation import DEFAULT_TERMS, CompensationPolicy, compensation_minor
from goodwill.domain.promises import at_risk, cancelled_summary

MADE = datetime(2026, 3, 2, 9, tzinfo=UTC)
DUE = datetime(2026, 3, 12, 10, tzinfo=UTC)  # the engineer's visit, 10:00 on 12 March
NOW = datetime(2026, 3, 20, 23, tzinfo=UTC)
VISIT = DEFAULT_TERMS["engineer_appointment"]


@pytest.mark.parametrize(
    ("notice", "amount", "verdict"),
    [
        (timedelta(hours=23, minutes=59), 2500, "cancelled_late"),
        (timedelta(hours=24), 0, "cancelled_in_time"),
        (timedelta(days=3), 0, "cancelled_in_time"),
        (-timedelta(hours=1), 2500, "cancelled_late"),  # called off after the time agreed
    ],
)
def test_notice_decides_whether_a_cancelled_visit_is_broken(
    notice: timedelta, amount: int, verdict: str
) -> None:
    c = compensation_minor(MADE, DUE, None, NOW, VISIT, DUE - notice)
    assert (c.amount_minor, c.verdict) == (amount, verdict)


def test_a_visit_never_cancelled_is_judged_as_before() -> None:
    assert compensation_minor(MADE, DUE, DUE, NOW, VISIT, None).verdict == "on_time"
    missed = compensation_minor(MADE, DUE, None, NOW, VISIT, None)
    assert (missed.amount_minor, missed.verdict) == (2500, "late")


def test_a_cancellation_not_known_yet_or_before_the_promise() -> None:
    later = compensation_minor(MADE, DUE, DUE, DUE, VISIT, DUE + timedelta(days=1))
    assert later.verdict == "on_time"  # the run is before the cancellation: not known yet
    bad = compensation_minor(MADE, DUE, None, NOW, VISIT, MADE - timedelta(hours=1))
    assert (bad.amount_minor, bad.verdict) == (0, "invalid")


def test_a_kind_without_a_notice_period_is_broken_only_when_cancelled_too_late() -> None:
    callback = DEFAULT_TERMS["callback"]
    assert compensation_minor(MADE, DUE, None, NOW, callback, DUE).verdict == "cancelled_in_time"


def test_the_policy_file_sets_the_notice_per_kind() -> None:
    policy = policy_from_mapping(
        {"kinds": {"callback": {"fixed_minor": 500, "late_cancel_notice_hours": 2}}}
    )
    callback = policy.for_kind("callback")
    assert callback.late_cancel_notice == timedelta(hours=2)
    c = compensation_minor(MADE, DUE, None, NOW, callback, DUE - timedelta(hours=1))
    assert (c.amount_minor, c.verdict) == (500, "cancelled_late")
    assert policy.for_kind("engineer_appointment").late_cancel_notice == timedelta(hours=24)


@pytest.mark.parametrize(
    ("cancelled_at", "words"),
    [
        (datetime(2026, 3, 11, 19, tzinfo=UTC), "the evening before"),
        (datetime(2026, 3, 11, 11, tzinfo=UTC), "the day before"),
        (datetime(2026, 3, 12, 8, tzinfo=UTC), "on the day"),
        (datetime(2026, 3, 9, 8, tzinfo=UTC), "on 9 March 2026, 3 days before"),
    ],
)
def test_the_summary_says_when_in_one_plain_sentence(cancelled_at: datetime, words: str) -> None:
    summary = cancelled_summary("engineer_appointment", DUE, cancelled_at)
    assert summary == f"Your engineer visit on 12 March 2026 was cancelled {words}."


def test_a_cancelled_promise_is_not_at_risk() -> None:
    policy = CompensationPolicy()
    now = datetime(2026, 3, 11, 20, tzinfo=UTC)
    due = datetime(2026, 3, 12, 10, tzinfo=UTC)
    assert at_risk("sim_delivery", due, None, now, policy) is not None
    assert at_risk("sim_delivery", due, None, now, policy, now - timedelta(hours=1)) is None

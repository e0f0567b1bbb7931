"""Merging a customer's care moments into one repeated-failures message."""

from __future__ import annotations

from goodwill.domain.merge import merge_repeated_failures
from goodwill.domain.moments import Moment


def care(kind: str, customer: str, subject: str, credit: int = 0) -> Moment:
    return Moment(
        customer,
        subject,
        kind,
        "2026-11-01",
        credit,
        credit,
        "GBP",
        {"summary": f"{kind} {subject}"},
        message_type="care",
        gift="credit" if credit else "message",
    )


REPEATED = Moment(
    "C1",
    None,
    "repeated_failures",
    "2026-11",
    2000,
    2000,
    "GBP",
    {"failures": 3},
    "care",
    gift="credit",
)


def test_the_other_care_moments_of_that_customer_are_merged_into_one() -> None:
    advice = Moment("C1", "S1", "better_plan", "2026-11", 3000, 3000, "GBP")
    others = [
        care("broken_promise", "C1", "P1", 800),
        care("slow_first_response", "C1", "T1"),
        care("broken_promise", "C2", "P2", 500),
    ]
    result = merge_repeated_failures([advice, *others, REPEATED])
    assert [m.subscription_id for m in result.merged] == ["P1", "T1"]
    kinds = sorted((m.customer_id, m.kind) for m in result.to_decide)
    assert kinds == [("C1", "better_plan"), ("C1", "repeated_failures"), ("C2", "broken_promise")]
    [repeated] = [m for m in result.to_decide if m.kind == "repeated_failures"]
    assert repeated.evidence["merged"] == ("broken_promise P1", "slow_first_response T1")
    assert repeated.cost_to_business_minor == 2000  # the gesture is more than the £8 it replaces


def test_the_gesture_is_never_less_than_the_credits_it_replaces() -> None:
    others = [care("broken_promise", "C1", f"P{i}", 1500) for i in range(3)]
    result = merge_repeated_failures([*others, REPEATED])
    [repeated] = result.to_decide
    assert repeated.cost_to_business_minor == repeated.value_to_customer_minor == 4500
    assert repeated.evidence["credit_minor"] == 4500


def test_without_a_repeated_failures_moment_nothing_is_merged() -> None:
    moments = [care("broken_promise", "C1", "P1", 800), care("slow_first_response", "C1", "T1")]
    result = merge_repeated_failures(moments)
    assert result.merged == () and list(result.to_decide) == moments

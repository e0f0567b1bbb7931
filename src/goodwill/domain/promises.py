"""Promises in a sentence, and the rule that says one is at risk.

A nightly care run for day ``asof`` sees everything up to the end of that day:
:func:`run_instant` is that moment, the "now" of every promise and SLA rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from goodwill.domain.compensation import CompensationPolicy
from goodwill.domain.formatting import format_day

# (what was promised, what happened when it was kept, what it is while not kept)
_WORDS = {
    "sim_delivery": ("Your new SIM", "arrived", "has not arrived yet"),
    "device_delivery": ("Your new phone", "arrived", "has not arrived yet"),
    "repair": ("Your repair", "was finished", "is not finished yet"),
    "engineer_appointment": ("Our engineer's visit", "happened", "has not happened yet"),
    "callback": ("Our call back", "came", "has not come yet"),
    "service_start": ("Your new service", "started", "has not started yet"),
    "refund": ("Your refund", "was sent", "has not been sent yet"),
}


def run_instant(asof: date) -> datetime:
    """The last instant of ``asof`` in UTC: what a run for that day counts as now."""
    return datetime.combine(asof, time.max, tzinfo=UTC)


def _words(kind: str) -> tuple[str, str, str]:
    thing = kind.replace("_", " ")
    return _WORDS.get(kind, (f"Your {thing}", "was done", "is not done yet"))


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def broken_summary(kind: str, due_at: datetime, kept_at: datetime | None, days_late: int) -> str:
    """One sentence: 'Your new SIM was promised for 12 March 2026 and arrived on 15 March
    2026: 3 days late.'
    """
    subject, done, not_yet = _words(kind)
    promised = f"{subject} was promised for {format_day(due_at)}"
    if kept_at is None:
        return f"{promised} and {not_yet}: {_days(days_late)} late so far."
    if days_late == 0:
        return f"{promised} and {done} later that day."
    return f"{promised} and {done} on {format_day(kept_at)}: {_days(days_late)} late."


# What was cancelled, as the customer knew it.
_CANCELLED = {
    "engineer_appointment": "Your engineer visit",
    "callback": "Our call back",
    "repair": "Your repair",
}


def cancelled_summary(kind: str, due_at: datetime, cancelled_at: datetime) -> str:
    """One sentence: 'Your engineer visit on 12 March 2026 was cancelled the evening before.'"""
    thing = _CANCELLED.get(kind, _words(kind)[0])
    return f"{thing} on {format_day(due_at)} was cancelled {_when_cancelled(due_at, cancelled_at)}."


def _when_cancelled(due_at: datetime, cancelled_at: datetime) -> str:
    days_before = (due_at.date() - cancelled_at.date()).days
    if cancelled_at > due_at:
        return "after the time we'd agreed"
    if days_before == 0:
        return "on the day"
    if days_before == 1:
        return "the evening before" if cancelled_at.hour >= 17 else "the day before"
    return f"on {format_day(cancelled_at)}, {_days(days_before)} before"


def at_risk_summary(kind: str, due_at: datetime, expected_by: date) -> str:
    """One sentence: 'Your new SIM is due on 12 March 2026, and we now expect it by 13 March 2026.'"""
    subject, _, _ = _words(kind)
    return (
        f"{subject} is due on {format_day(due_at)}, and we now expect it by "
        f"{format_day(expected_by)}."
    )


@dataclass(frozen=True)
class AtRisk:
    """A promise we can no longer keep on time, and the day we now expect to keep it by."""

    expected_by: date


def at_risk(
    kind: str,
    due_at: datetime,
    kept_at: datetime | None,
    now: datetime,
    policy: CompensationPolicy,
    cancelled_at: datetime | None = None,
) -> AtRisk | None:
    """Whether a promise not yet kept, due within the window, can no longer make its lead time.

    A promise already due is broken, not at risk: the two never overlap. A kind with no
    known lead time is never at risk, and neither is a cancelled promise.
    """
    lead = policy.for_kind(kind).lead_time
    kept = any(t is not None and t <= now for t in (kept_at, cancelled_at))
    due_soon = now < due_at <= now + policy.at_risk_window
    if kept or not due_soon or lead <= timedelta(0) or now + lead <= due_at:
        return None
    return AtRisk(expected_by=max((now + lead).date(), due_at.date() + timedelta(days=1)))

"""Built-in detector ``repeated_failures``: a customer let down several times lately.

Failures are broken promises (due in the window and kept late or not at all), first
responses later than the channel's service level, and complaints. A customer with at
least ``repeated_failures_threshold`` of them in ``repeated_failures_days`` is the one
whose story becomes a public horror story: they get a senior owner and one meaningful
gesture, and the run merges their other care messages into this one
(:mod:`goodwill.domain.merge`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import ClassVar

import ibis

from goodwill.analytics.detectors.base import DetectorContext
from goodwill.analytics.detectors.promise_policy import policy_for
from goodwill.analytics.detectors.tickets import sla_policy_for
from goodwill.domain.periods import period_of
from goodwill.domain.promises import run_instant


def _utc(value: datetime) -> ibis.Scalar:
    return ibis.literal(value, type="timestamp('UTC')")


class RepeatedFailures:
    """One moment per customer with several failures in the window: a senior owner and a gesture."""

    name: ClassVar[str] = "repeated_failures"
    message_type: ClassVar[str] = "care"
    mandatory: ClassVar[bool] = False
    gift: ClassVar[str] = "credit"

    def parameters(self, context: DetectorContext) -> Mapping[str, object]:
        s = context.settings
        return {
            "threshold": s.repeated_failures_threshold,
            "days": s.repeated_failures_days,
            "gesture_minor": s.repeated_failures_gesture_minor,
        }

    def detect(self, context: DetectorContext) -> ibis.Table:
        s = context.settings
        end = run_instant(context.asof)
        start = end - timedelta(days=s.repeated_failures_days)
        failures = self._failures(context, _utc(start), _utc(end))
        counted = failures.group_by("customer_id").aggregate(
            n=failures.count(),
            broken=(failures.what == "broken_promise").sum(),
            slow=(failures.what == "slow_first_response").sum(),
            complaints=(failures.what == "complaint").sum(),
        )
        hit = counted.filter(counted.n >= s.repeated_failures_threshold)
        evidence = ibis.struct(
            {
                "failures": hit.n,
                "broken_promises": hit.broken,
                "slow_responses": hit.slow,
                "complaints": hit.complaints,
                "days": ibis.literal(s.repeated_failures_days),
                "credit_minor": ibis.literal(s.repeated_failures_gesture_minor),
            }
        )
        return hit.select(
            "customer_id",
            subscription_id=ibis.null().cast("string"),
            kind=ibis.literal(self.name),
            detected_for=ibis.literal(period_of(context.asof)),
            value_to_customer_minor=ibis.literal(s.repeated_failures_gesture_minor).cast("int64"),
            cost_to_business_minor=ibis.literal(s.repeated_failures_gesture_minor).cast("int64"),
            currency=ibis.literal(policy_for(s).currency),
            evidence=evidence.cast("json").cast("string"),
        )

    def _failures(
        self, context: DetectorContext, start: ibis.Scalar, end: ibis.Scalar
    ) -> ibis.Table:
        promises = context.ledger.table("promises")
        broken = promises.filter(
            (promises.due_at >= start)
            & (promises.due_at < end)
            & (promises.kept_at.isnull() | (promises.kept_at > promises.due_at))
        ).select("customer_id", what=ibis.literal("broken_promise"))
        tickets = context.ledger.table("tickets")
        opened = tickets.filter((tickets.opened_at >= start) & (tickets.opened_at < end))
        policy = sla_policy_for(context.settings)
        target = opened.channel.cases(
            *((c, int(t.total_seconds() // 60)) for c, t in policy.first_response.items()),
            else_=24 * 60,
        )
        complaint_target = int(policy.complaint_first_response.total_seconds() // 60)
        target = ibis.ifelse(opened.is_complaint, ibis.least(target, complaint_target), target)
        answered = opened.first_response_at.coalesce(end)
        waited = (answered.epoch_seconds() - opened.opened_at.epoch_seconds()) / 60
        slow = opened.filter(waited > target).select(
            "customer_id", what=ibis.literal("slow_first_response")
        )
        complaints = opened.filter(opened.is_complaint).select(
            "customer_id", what=ibis.literal("complaint")
        )
        return broken.union(slow).union(complaints)

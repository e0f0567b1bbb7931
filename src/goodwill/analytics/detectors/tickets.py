"""Built-in detector ``slow_first_response``: a ticket answered later than its channel's SLA.

The ledger holds each ticket's ``opened_at`` and ``first_response_at``; a ticket nobody
has answered by the end of the run's day counts as waiting until then. Time spent waiting
on the customer (the optional ``ticket_events``) is not counted. One moment per
ticket (its id in ``subscription_id``, its opening day in ``detected_for``), for tickets
opened within the policy's lookback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

import ibis

from goodwill.analytics.detectors.base import DetectorContext
from goodwill.analytics.detectors.promise_policy import policy_for
from goodwill.analytics.detectors.promises import in_utc, moments_table
from goodwill.analytics.paused_time import with_paused_days
from goodwill.domain.promises import run_instant
from goodwill.domain.sla import SlaPolicy, first_response_summary


def sla_policy_for(settings: object) -> SlaPolicy:
    """The SLA policy: ``settings.sla_first_response_minutes`` per channel, or the defaults."""
    given = getattr(settings, "sla_first_response_minutes", None) or {}
    complaint = getattr(settings, "sla_complaint_first_response_minutes", None)
    default = SlaPolicy()
    targets = {**default.first_response, **{c: timedelta(minutes=m) for c, m in given.items()}}
    return SlaPolicy(
        first_response=targets,
        complaint_first_response=timedelta(minutes=complaint)
        if complaint
        else default.complaint_first_response,
    )


class SlowFirstResponse:
    """A ticket whose first answer came later than its SLA: an apology and priority handling."""

    name: ClassVar[str] = "slow_first_response"
    message_type: ClassVar[str] = "care"
    mandatory: ClassVar[bool] = False
    gift: ClassVar[str] = "message"

    def parameters(self, context: DetectorContext) -> Mapping[str, object]:
        policy = sla_policy_for(context.settings)
        return {
            "first_response_minutes": {
                c: t.total_seconds() / 60 for c, t in sorted(policy.first_response.items())
            },
            "complaint_first_response_minutes": policy.complaint_first_response.total_seconds()
            / 60,
            "lookback_days": policy.lookback.days,
        }

    def detect(self, context: DetectorContext) -> ibis.Table:
        policy = sla_policy_for(context.settings)
        now = run_instant(context.asof)
        t = context.ledger.table("tickets")
        recent = t.filter((t.opened_at >= now - policy.lookback) & (t.opened_at < now))
        events = context.ledger.table("ticket_events")
        answered = ibis.ifelse(recent.first_response_at <= now, recent.first_response_at, now)
        recent = with_paused_days(recent, events.filter(events.at <= now), answered)
        rows = [in_utc(r) for r in context.ledger.con.to_pyarrow(recent).to_pylist()]
        currency = policy_for(context.settings).currency
        moments = [m for r in rows if (m := self._moment(r, policy, now, currency))]
        return moments_table(moments)

    def _moment(
        self, row: dict[str, Any], policy: SlaPolicy, now: datetime, currency: str
    ) -> dict[str, Any] | None:
        target = policy.first_response_target(row["channel"], bool(row["is_complaint"]))
        answered = row["first_response_at"]
        answered = answered if answered is not None and answered <= now else None
        waited = (answered or now) - row["opened_at"] - timedelta(days=row["paused_days"])
        if waited <= target:
            return None
        evidence = {
            "ticket_id": row["ticket_id"],
            "channel": row["channel"],
            "category": row["category"],
            "is_complaint": bool(row["is_complaint"]),
            "opened_at": row["opened_at"].isoformat(),
            "first_response_at": answered.isoformat() if answered else None,
            "waited_minutes": int(waited.total_seconds() // 60),
            "paused_minutes": int(row["paused_days"] * 24 * 60),
            "target_minutes": int(target.total_seconds() // 60),
            "priority": True,
            "summary": first_response_summary(
                row["channel"], row["opened_at"], waited, target, answered is not None
            ),
        }
        return {
            "customer_id": row["customer_id"],
            "subscription_id": row["ticket_id"],
            "kind": self.name,
            "detected_for": row["opened_at"].date().isoformat(),
            "value_to_customer_minor": 0,
            "cost_to_business_minor": 0,
            "currency": currency,
            "evidence": json.dumps(evidence, sort_keys=True),
        }

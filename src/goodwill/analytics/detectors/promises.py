"""Built-in detectors ``broken_promise`` and ``promise_at_risk``.

Both read the few promises near the run's day from the ledger with ibis, then apply the
domain rules (:mod:`goodwill.domain.compensation`, :mod:`goodwill.domain.promises`) row
by row, so the arithmetic has one reference implementation. One moment per promise: its
``subscription_id`` carries the promise id and ``detected_for`` the day it was due, so
the moment's dedupe key names the promise and a re-run never credits it twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import ibis
import pyarrow as pa
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from goodwill.analytics.detectors.base import MOMENT_SCHEMA, DetectorContext
from goodwill.analytics.detectors.promise_policy import policy_for
from goodwill.domain.compensation import CompensationPolicy, compensation_minor
from goodwill.domain.promises import (
    at_risk,
    at_risk_summary,
    broken_summary,
    cancelled_summary,
    run_instant,
)


def _parameters(policy: CompensationPolicy) -> dict[str, object]:
    return {
        "currency": policy.currency,
        "at_risk_hours": policy.at_risk_window.total_seconds() / 3600,
        "lookback_days": policy.lookback.days,
        "terms": {
            kind: {k: v for k, v in vars(t).items() if not isinstance(v, timedelta)}
            | {
                "lead_time_hours": t.lead_time.total_seconds() / 3600,
                "late_cancel_notice_hours": t.late_cancel_notice.total_seconds() / 3600,
            }
            for kind, t in sorted(policy.terms.items())
        },
    }


def _promises(context: DetectorContext, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The ledger's promises due in [since, until), and the ones goodwill made itself (in
    the store, as ``web-<id>``) that the ledger does not report on yet: once the operator's
    fulfilment feed has a row with that id, the ledger's row (with its kept_at) wins."""
    p = context.ledger.table("promises")
    near = p.filter((p.due_at >= since) & (p.due_at < until))
    rows = [in_utc(row) for row in context.ledger.con.to_pyarrow(near).to_pylist()]
    if context.store is not None:
        known = {row["promise_id"] for row in rows}
        rows += [
            r for r in store_promises(context.store, since, until) if r["promise_id"] not in known
        ]
    return rows


def store_promises(store: Engine, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Promises goodwill made itself (self-service), due in [since, until)."""
    from goodwill.store.models import Promise

    query = select(Promise).where((Promise.due_at >= since) & (Promise.due_at < until))
    with Session(store) as session:
        return [
            {
                "promise_id": f"web-{p.id}",
                "customer_id": p.customer_id,
                "kind": p.kind,
                "made_at": p.made_at,
                "due_at": p.due_at,
                "kept_at": p.kept_at,
                "cancelled_at": None,
            }
            for p in session.scalars(query)
        ]


def in_utc(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ledger row with its timestamps in UTC, whatever the connection's time zone."""
    return {k: v.astimezone(UTC) if isinstance(v, datetime) else v for k, v in row.items()}


def known_by(at: datetime | None, now: datetime) -> datetime | None:
    """``at`` if it had happened by ``now``; a later time is not known yet."""
    return at if at is not None and at <= now else None


def _moment(
    kind: str, row: Mapping[str, Any], credit: int, currency: str, evidence: dict[str, Any]
) -> dict[str, Any]:
    return {
        "customer_id": row["customer_id"],
        "subscription_id": row["promise_id"],
        "kind": kind,
        "detected_for": row["due_at"].date().isoformat(),
        "value_to_customer_minor": credit,
        "cost_to_business_minor": credit,
        "currency": currency,
        "evidence": json.dumps(evidence, sort_keys=True),
    }


def moments_table(rows: list[dict[str, Any]]) -> ibis.Table:
    """Moment rows (dicts with MOMENT_SCHEMA's keys) as an ibis table, even when empty."""
    return ibis.memtable(pa.Table.from_pylist(rows, schema=MOMENT_SCHEMA.to_pyarrow()))


class BrokenPromise:
    """A promise due before the run's day ended and kept late or not at all: a credit."""

    name: ClassVar[str] = "broken_promise"
    message_type: ClassVar[str] = "care"
    mandatory: ClassVar[bool] = False
    gift: ClassVar[str] = "credit"

    def parameters(self, context: DetectorContext) -> Mapping[str, object]:
        return _parameters(policy_for(context.settings))

    def detect(self, context: DetectorContext) -> ibis.Table:
        policy = policy_for(context.settings)
        now = run_instant(context.asof)
        rows = _promises(context, now - policy.lookback, now)
        return moments_table(list(self._moments(rows, policy, now)))

    def _moments(
        self, rows: list[dict[str, Any]], policy: CompensationPolicy, now: datetime
    ) -> Iterator[dict[str, Any]]:
        for row in rows:
            terms = policy.for_kind(row["kind"])
            cancelled = known_by(row.get("cancelled_at"), now)
            c = compensation_minor(
                row["made_at"], row["due_at"], row["kept_at"], now, terms, cancelled
            )
            if c.amount_minor <= 0:
                continue
            kept = known_by(row["kept_at"], now)
            evidence = {
                "promise_id": row["promise_id"],
                "promise_kind": row["kind"],
                "made_at": row["made_at"].isoformat(),
                "due_at": row["due_at"].isoformat(),
                "kept_at": kept.isoformat() if kept else None,
                "cancelled_at": cancelled.isoformat() if cancelled else None,
                "days_late": c.days_late,
                "chargeable_days": c.chargeable_days,
                "verdict": c.verdict,
                "credit_minor": c.amount_minor,
                "summary": cancelled_summary(row["kind"], row["due_at"], cancelled)
                if cancelled
                else broken_summary(row["kind"], row["due_at"], kept, c.days_late),
            }
            yield _moment(self.name, row, c.amount_minor, policy.currency, evidence)


class PromiseAtRisk:
    """A promise due within the window that can no longer make its lead time: a heads-up."""

    name: ClassVar[str] = "promise_at_risk"
    message_type: ClassVar[str] = "care"
    mandatory: ClassVar[bool] = False
    gift: ClassVar[str] = "message"

    def parameters(self, context: DetectorContext) -> Mapping[str, object]:
        return _parameters(policy_for(context.settings))

    def detect(self, context: DetectorContext) -> ibis.Table:
        policy = policy_for(context.settings)
        now = run_instant(context.asof)
        rows = _promises(context, now, now + policy.at_risk_window)
        moments = []
        for row in rows:
            risk = at_risk(
                row["kind"], row["due_at"], row["kept_at"], now, policy, row.get("cancelled_at")
            )
            if risk is None:
                continue
            evidence = {
                "promise_id": row["promise_id"],
                "promise_kind": row["kind"],
                "due_at": row["due_at"].isoformat(),
                "expected_by": risk.expected_by.isoformat(),
                "summary": at_risk_summary(row["kind"], row["due_at"], risk.expected_by),
            }
            moments.append(_moment(self.name, row, 0, policy.currency, evidence))
        return moments_table(moments)

"""Built-in detector ``better_plan``: a cheaper plan fits the way this customer really uses it.

Its evidence says, besides the two plans' costs, why the current plan cost what it did:
the months the advice considered are rated again under the current plan (the reference
rating, :mod:`goodwill.domain.rating`) to find the kinds that went over their allowance,
and both plans' allowances are written out, in the same words as the my-plan page
(:mod:`goodwill.domain.plan_words`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import ibis
import pyarrow as pa

from goodwill.analytics.advice import better_plan
from goodwill.analytics.catalogue import Catalogue, load_catalogue
from goodwill.analytics.detectors.base import DetectorContext
from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.domain.advice import mean_minor
from goodwill.domain.periods import first_day, window_periods
from goodwill.domain.plan_words import allowance_words, kinds_over, why_words
from goodwill.domain.rating import MonthCost, rate_month
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings


class BetterPlan:
    """One moment per subscription that would save on another plan; its value is the yearly saving."""

    name: ClassVar[str] = "better_plan"
    message_type: ClassVar[str] = "advice"
    mandatory: ClassVar[bool] = False
    gift: ClassVar[str] = "message"

    def parameters(self, context: DetectorContext) -> Mapping[str, object]:
        s = context.settings
        return {
            "lookback_months": s.lookback_months,
            "min_history_months": s.min_history_months,
            "max_unfit_months": s.max_unfit_months,
            "min_saving_minor": s.min_saving_minor,
            "min_saving_percent": s.min_saving_percent,
        }

    def detect(self, context: DetectorContext) -> ibis.Table:
        moments = better_plan(context.ledger, context.asof, context.settings)
        return with_cost_reasons(context.ledger, context.asof, context.settings, moments)


def with_cost_reasons(
    ledger: Ledger, asof: date, settings: Settings, moments: ibis.Table
) -> ibis.Table:
    """``moments`` with each evidence's ``over_kinds`` (the kinds that cost extra, dearest
    first), ``cost_reason`` ('because of calls over your 500 minutes', or null),
    ``rated_monthly_cost_minor`` (the reference rating's mean: the advice's own figure),
    and ``current_allowances`` / ``recommended_allowances`` in words."""
    found = moments.to_pyarrow()
    if found.num_rows == 0:
        return moments
    rows = found.to_pylist()
    window = window_periods(asof, settings.lookback_months)
    use, started = _history(ledger, window, [r["subscription_id"] for r in rows])
    catalogue = load_catalogue(ledger)
    for row in rows:
        evidence = json.loads(row["evidence"])
        sub = row["subscription_id"]
        evidence.update(_reasons(catalogue, evidence, window, use[sub], started.get(sub)))
        row["evidence"] = json.dumps(evidence)
    return ibis.memtable(pa.Table.from_pylist(rows, schema=found.schema))


def _history(
    ledger: Ledger, window: tuple[str, ...], subscription_ids: list[str]
) -> tuple[dict[str, dict[str, dict[str, int]]], dict[str, datetime]]:
    """Use per (subscription, period, kind) in the window, and when each started."""
    wanted = ibis.memtable({"subscription_id": sorted(set(subscription_ids))})
    usage = ledger.table("usage")
    usage = usage.filter(usage.period.between(window[0], window[-1]))
    mine = usage.join(wanted, "subscription_id")
    grouped = mine.group_by("subscription_id", "period", "kind").aggregate(
        quantity=mine.quantity.sum()
    )
    use: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for r in grouped.to_pyarrow().to_pylist():
        use[r["subscription_id"]][r["period"]][r["kind"]] = int(r["quantity"])
    subs = ledger.table("subscriptions").join(wanted, "subscription_id")
    started = {
        r["subscription_id"]: r["started_at"]
        for r in subs.select("subscription_id", "started_at").to_pyarrow().to_pylist()
    }
    return use, started


def _reasons(
    catalogue: Catalogue,
    evidence: Mapping[str, Any],
    window: tuple[str, ...],
    use: Mapping[str, Mapping[str, int]],
    started_at: datetime | None,
) -> dict[str, Any]:
    plan = catalogue.plan(evidence["current_plan_id"])
    recommended = catalogue.plan(evidence["recommended_plan_id"])
    rates = catalogue.rates_for(plan.currency)
    # The advice's history months: usage recorded, and live on the month's first day
    # (started before the midnight after it), as the rating layout's present columns.
    months = [
        p
        for p in window
        if p in use and (started_at is None or _utc(started_at) < start_of_day_after(first_day(p)))
    ]
    costs: dict[str, MonthCost] = {p: rate_month(plan, use[p], rates) for p in months}
    total = sum(c.cost_minor for c in costs.values())
    return {
        "over_kinds": kinds_over(costs.values()),
        "cost_reason": why_words(costs, plan, rates),
        "rated_monthly_cost_minor": mean_minor(total, len(costs)) if costs else None,
        "current_allowances": allowance_words(plan),
        "recommended_allowances": allowance_words(recommended),
    }


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at

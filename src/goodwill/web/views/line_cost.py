"""What a line has really cost, month by month, and why: the scalar reference rating
(``goodwill.domain.rating``) of its recent use under its plan, in plain words, with a
small chart of use against the allowance that cost the most."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from goodwill.analytics.scorecard.window import all_rows
from goodwill.domain.formatting import format_money
from goodwill.domain.plan_words import allowance_words, why_words
from goodwill.domain.rating import Allowance, MonthCost, Plan, kind_terms, rate_month
from goodwill.ledger.reader import Ledger
from goodwill.ledger.snapshot import PerSnapshot
from goodwill.web.views.chart import BarChart, bar_chart
from goodwill.web.views.words import kind_name, month_words, quantity_words

Row = dict[str, Any]


class MonthPaid(BaseModel):
    period: str
    month: str
    cost_minor: int
    cost: str
    over: list[str]  # "Calls: 640 minutes, 140 over your 500 minutes (£35)"


class LineCost(BaseModel):
    plan_fee: str
    typical_minor: int
    typical: str
    why: str | None
    months: list[MonthPaid]
    allowances: list[str]
    chart: BarChart | None


def plan_terms(ledger: Ledger, plan_id: str) -> tuple[Plan, dict[str, Decimal]] | None:
    """The plan as the reference rating takes it, with its currency's default rates (read
    once per ledger snapshot)."""
    terms = _TERMS.get(ledger.path, plan_id, lambda: _read_plan_terms(ledger, plan_id))
    return None if terms is None else (terms[0], dict(terms[1]))


_TERMS = PerSnapshot(keep=256)


def _read_plan_terms(ledger: Ledger, plan_id: str) -> tuple[Plan, dict[str, Decimal]] | None:
    p = ledger.table("plans")
    found = all_rows(p.filter(p.plan_id == plan_id).limit(1))
    if not found:
        return None
    row = found[0]
    a = ledger.table("plan_allowances")
    allowances = tuple(
        Allowance(r["kind"], _int_or_none(r["included"]), _rate(r["overage_rate"]))
        for r in all_rows(a.filter(a.plan_id == plan_id).order_by("kind"))
    )
    plan = Plan(plan_id, row["name"], int(row["monthly_fee"]), row["currency"], allowances)
    return plan, _default_rates(ledger, row["currency"])


def line_cost(
    ledger: Ledger,
    plan_id: str,
    use_by_month: Mapping[str, Mapping[str, float]],
    typical: int | None,
) -> LineCost | None:
    """The line's recent months rated under ``plan_id``; ``typical`` (the advice's own
    figure, when there is advice) is the 'about £X a month' it shows."""
    terms = plan_terms(ledger, plan_id)
    if terms is None or not use_by_month:
        return None
    plan, rates = terms
    periods = sorted(use_by_month)
    costs = {
        p: rate_month(plan, {k: int(q) for k, q in use_by_month[p].items()}, rates) for p in periods
    }
    months = [_month(p, costs[p], plan) for p in reversed(periods)]
    mean = round(sum(c.cost_minor for c in costs.values()) / len(costs))
    shown = mean if typical is None else typical
    return LineCost(
        plan_fee=format_money(plan.monthly_fee_minor, plan.currency),
        typical_minor=shown,
        typical=format_money(shown, plan.currency),
        why=why_words(costs, plan, rates),
        months=months,
        allowances=allowance_words(plan),
        chart=_chart(plan, rates, periods, use_by_month, costs),
    )


def _month(period: str, cost: MonthCost, plan: Plan) -> MonthPaid:
    over = [
        f"{kind_name(k.kind)}: {quantity_words(k.kind, k.used)}, "
        f"{quantity_words(k.kind, k.excess)} over your {quantity_words(k.kind, k.terms.included)}"
        f" ({format_money(k.overage_minor, plan.currency)})"
        for k in cost.kinds
        if k.overage_minor > 0
    ]
    return MonthPaid(
        period=period,
        month=month_words(period),
        cost_minor=cost.cost_minor,
        cost=format_money(cost.cost_minor, plan.currency),
        over=over,
    )


def _chart(
    plan: Plan,
    rates: Mapping[str, Decimal],
    periods: list[str],
    use_by_month: Mapping[str, Mapping[str, float]],
    costs: Mapping[str, MonthCost],
) -> BarChart | None:
    """Use of the kind that cost the most extra (else data, else calls) against its allowance."""
    extra: Counter[str] = Counter()
    for cost in costs.values():
        extra.update({k.kind: k.overage_minor for k in cost.kinds if k.overage_minor})
    used = {k for month in use_by_month.values() for k in month}
    kind = next(iter(extra.most_common(1)), (None,))[0] or next(
        (k for k in ("data_mb", "voice_min", "sms") if k in used), None
    )
    if kind is None:
        return None
    included = kind_terms(plan, kind, rates).included
    values = [float(use_by_month[p].get(kind, 0)) for p in periods]
    return bar_chart(
        title=f"{kind_name(kind)} each month against your allowance",
        labels=[month_words(p, short=True) for p in periods],
        values=values,
        value_words=[quantity_words(kind, v) for v in values],
        limit=None if included is None else float(included),
        limit_words=None if included is None else f"your {quantity_words(kind, included)}",
    )


def _default_rates(ledger: Ledger, currency: str) -> dict[str, Decimal]:
    d = ledger.table("default_rates")
    rows = all_rows(d.filter(d.currency == currency))
    return {r["kind"]: Decimal(str(r["overage_rate"])) for r in rows}


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _rate(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))

"""Re-rating at scale: every history month of every active subscription under every plan.

The rules are the domain's (:mod:`goodwill.domain.rating`), written once as ibis column
expressions by :func:`month_cost`; :func:`rerate` applies them to one row per
subscription-month and plan, as one ibis expression (DuckDB by default). A property test
checks that every cost and fit flag equals the scalar reference.

>>> costs = rerate(open_ledger(Path("goodwill-data/ledger")), date(2026, 11, 23))  # doctest: +SKIP
>>> costs.filter(costs.is_current_plan).cost_minor.sum().execute()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from goodwill.analytics.catalogue import KindColumns, load_catalogue, plan_terms
from goodwill.analytics.monthly_use import usage_by_month, used_kinds
from goodwill.analytics.sqlfunctions import ceil_divide
from goodwill.domain.periods import window_periods
from goodwill.domain.rating import RATE_SCALE
from goodwill.ledger.reader import Ledger


@dataclass(frozen=True)
class MonthCostExpr:
    """A month's service cost under a plan, as column expressions."""

    fee_minor: ir.IntegerValue
    overage_minor: ir.IntegerValue
    fits: ir.BooleanValue

    @property
    def cost_minor(self) -> ir.IntegerValue:
        return self.fee_minor + self.overage_minor


def month_cost(
    use: Mapping[int, ir.IntegerValue], plan: ibis.Table, kinds: Sequence[KindColumns]
) -> MonthCostExpr:
    """Rate one month: ``use[i]`` is the use of kind ``i`` (limited kinds only); ``plan``
    has the plan terms columns.

    Per kind: overage ``ceil((used - inc) * rate / 10000)`` where used > inc (a whole
    minor-unit rate needs no division); fits unless used > cap.
    """
    overage: ir.IntegerValue = ibis.literal(0, "int64")
    fits: ir.BooleanValue = ibis.literal(True)
    for k in (k for k in kinds if k.limited):
        used, included = use[k.index], plan[f"inc_{k.index}"]
        if k.charged and k.whole_units:
            # Whole minor units: no division to skip, so no CASE either.
            excess = ibis.greatest(used - included, 0)
            overage = overage + excess * plan[f"rate_minor_{k.index}"]
        elif k.charged:
            # A CASE, so that the division runs only where there is an excess.
            charge = ceil_divide((used - included) * plan[f"rate_{k.index}"], RATE_SCALE)
            overage = overage + ibis.ifelse(used > included, charge, 0)
        if k.capped:
            fits = fits & (used <= plan[f"cap_{k.index}"])
    return MonthCostExpr(plan.monthly_fee_minor, overage, fits)


def rerate(ledger: Ledger, asof: date, lookback_months: int = 6) -> ibis.Table:
    """Costs of every history month of every active subscription under every plan on sale
    in its currency, and under its current plan (on sale or not).

    Columns: subscription_id, customer_id, period, plan_id, is_current_plan, currency,
    fee_minor, overage_minor, cost_minor (service cost: no device fee), fits.
    """
    window = window_periods(asof, lookback_months)
    kinds = used_kinds(ledger, window)
    terms, kind_columns = plan_terms(load_catalogue(ledger), kinds)
    months = usage_by_month(ledger, asof, window, kinds)
    current = terms.select(current_plan_id=terms.plan_id, current_currency=terms.currency)
    months = months.join(current, "current_plan_id")
    offered = terms.on_sale | (terms.plan_id == months.current_plan_id)
    rows = months.join(terms, (terms.currency == months.current_currency) & offered)
    cost = month_cost({i: rows[f"use_{i}"] for i in range(len(kinds))}, rows, kind_columns)
    return rows.select(
        "subscription_id",
        "customer_id",
        "period",
        "plan_id",
        "currency",
        is_current_plan=rows.plan_id == rows.current_plan_id,
        fee_minor=cost.fee_minor,
        overage_minor=cost.overage_minor,
        cost_minor=cost.cost_minor,
        fits=cost.fits,
    )

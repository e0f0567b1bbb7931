"""The financial perspective: revenue, ARPU, lifetime value, goodwill spent, advice handed back."""

from __future__ import annotations

from sqlalchemy import Engine

from goodwill.analytics.clv import ShiftedBetaGeometricFitter
from goodwill.analytics.scorecard.figures import Curve, Figure, Perspective
from goodwill.analytics.scorecard.store_reads import advice_handed_back, goodwill_spent
from goodwill.analytics.scorecard.window import Window, moments_of, one_row
from goodwill.domain.stats import Estimate, mean_estimate
from goodwill.ledger.reader import Ledger

#: How far ahead lifetime value looks, in months (undiscounted).
CLV_HORIZON_MONTHS = 60


def revenue_figures(ledger: Ledger, window: Window) -> list[Figure]:
    """Revenue over the window, ARPU in its last month, and referred customers' monthly bill."""
    bills, customers = ledger.table("bills"), ledger.table("customers")
    in_window = bills.filter(bills.period.isin(window.periods))
    total = one_row(
        in_window.aggregate(revenue=in_window.amount.sum().coalesce(0), n=in_window.count())
    )
    last = in_window.filter(in_window.period == window.periods[-1])
    per_customer = last.group_by("customer_id").aggregate(amount=last.amount.sum())
    arpu = one_row(per_customer.aggregate(**moments_of(per_customer.amount)))
    joined = in_window.join(customers, "customer_id")
    referred = joined.filter(joined.referred_by.notnull())
    ref = one_row(referred.aggregate(**moments_of(referred.amount)))
    return [
        Figure(
            "revenue",
            "Revenue over the window",
            Estimate(float(total["revenue"]), total["n"]),
            "minor",
        ),
        Figure(
            "arpu",
            f"ARPU in {window.periods[-1]}",
            mean_estimate(arpu["n"], arpu["total"], arpu["sum_squares"]),
            "minor",
        ),
        Figure(
            "referred_bill",
            "Monthly bill of referred customers",
            mean_estimate(ref["n"], ref["total"], ref["sum_squares"]),
            "minor",
        ),
    ]


def lifetime_value(arpu: Estimate, retention: Curve) -> Estimate:
    """ARPU times the expected months a new customer stays over the horizon, by an sBG fitted
    to the pooled monthly Kaplan-Meier curve; the interval carries ARPU's uncertainty only."""
    points = [p for p in retention.km.points if p.time <= 36]
    if arpu.value is None or len(points) < 2:
        return Estimate.missing(retention.km.n, "too little retention history or no ARPU")
    alive = [100.0]
    for month in range(1, int(points[-1].time) + 1):
        survival = retention.km.at(month).value
        if survival is None:
            break
        alive.append(100.0 * survival)
    try:
        sbg = ShiftedBetaGeometricFitter().fit(alive)
    except ValueError as exc:
        return Estimate.missing(retention.km.n, f"sBG could not be fitted: {exc}")
    months = float(sum(sbg.survival_function_at(list(range(CLV_HORIZON_MONTHS)))))
    scale = lambda v: None if v is None else v * months  # noqa: E731
    return Estimate(arpu.value * months, retention.km.n, scale(arpu.ci_low), scale(arpu.ci_high))


def financial_perspective(
    ledger: Ledger, window: Window, store: Engine | None, retention: Curve
) -> Perspective:
    """Every financial figure; the store's figures say why when there is no store."""
    figures = revenue_figures(ledger, window)
    clv = lifetime_value(figures[1].estimate, retention)
    figures.append(Figure("clv", f"Lifetime value over {CLV_HORIZON_MONTHS} months", clv, "minor"))
    if store is None:
        no_store = Estimate.missing(0, "no store: run `goodwill run` first")
        spent, handed = no_store, no_store
    else:
        total, count = goodwill_spent(store, window)
        spent = Estimate(float(total), count)
        total, count = advice_handed_back(store, window)
        handed = Estimate(float(total), count)
    figures.append(Figure("goodwill_spent", "Goodwill given (credits)", spent, "minor"))
    figures.append(
        Figure("advice_handed_back", "A year's savings handed back by plan advice", handed, "minor")
    )
    return Perspective("financial", tuple(figures), "")

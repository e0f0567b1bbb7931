"""The tariffs a notice lists: each subscription's current plan, and the best plans on sale
for its use, ranked from the same re-rating as plan advice."""

from __future__ import annotations

import ibis

from goodwill.analytics.advice import advice_rules, mean_minor
from goodwill.analytics.monthly_use import active_subscriptions
from goodwill.analytics.plan_scores import RatingSetup, plan_scores, rated_subscriptions
from goodwill.analytics.sqlfunctions import collect_ordered
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

#: How many tariffs a notice lists (plus the best SIM-only one when none of these is).
TARIFFS_LISTED = 3


def subscription_plans(ledger: Ledger, setup: RatingSetup) -> ibis.Table:
    """Active subscriptions with their current plan's name, fees and currency."""
    subs = active_subscriptions(ledger, setup.asof)
    plans = setup.terms.select(
        "plan_id", "plan_name", "currency", "monthly_fee_minor", "device_fee_minor", "sim_only"
    )
    rows = subs.join(plans, "plan_id")
    return rows.select(
        "subscription_id",
        "customer_id",
        "contract_end",
        "currency",
        "monthly_fee_minor",
        "device_fee_minor",
        "sim_only",
        current_plan_id=rows.plan_id,
        current_plan_name=rows.plan_name,
        started_on=rows.started_at.date(),
    )


def best_tariffs(
    ledger: Ledger, setup: RatingSetup, due: ibis.Table, settings: Settings
) -> ibis.Table:
    """For the subscriptions of ``due``: the cheapest qualifying plans on sale for their use.

    Ranked by monthly price (mean service cost plus device fee), then as advice breaks
    ties; lists TARIFFS_LISTED of them and the best SIM-only plan. Columns:
    subscription_id, months_considered, best_price_minor, best_tariffs (a list of
    {plan_id, name, monthly_cost_minor, sim_only}).
    """
    rated = rated_subscriptions(ledger, setup)
    rated = rated.semi_join(due.select("subscription_id"), "subscription_id")
    scores = plan_scores(rated, setup.terms.filter(setup.terms.on_sale), setup)
    max_unfit = advice_rules(settings).max_unfit_months
    scores = scores.filter(scores.months_considered - scores.months_fitting <= max_unfit)
    price = mean_minor(scores.total_minor, scores.months_considered) + scores.device_fee_minor
    scores = scores.mutate(monthly_price_minor=price)
    order = [
        scores.monthly_price_minor,
        -scores.months_fitting,
        -scores.headroom_permille,
        scores.plan_id,
    ]
    scores = scores.mutate(
        rank=ibis.row_number().over(group_by="subscription_id", order_by=order),
        kind_rank=ibis.row_number().over(group_by=["subscription_id", "sim_only"], order_by=order),
    )
    listed = scores.filter(
        (scores["rank"] < TARIFFS_LISTED) | (scores.sim_only & (scores.kind_rank == 0))
    )
    # Named as the notice templates read them (channels/templates/README.md).
    tariff = ibis.struct(
        {
            "plan_id": listed.plan_id,
            "name": listed.plan_name,
            "monthly_cost_minor": listed.monthly_price_minor,
            "sim_only": listed.sim_only,
        }
    )
    return listed.group_by("subscription_id").aggregate(
        months_considered=listed.months_considered.arbitrary(),
        best_price_minor=listed.monthly_price_minor.min(),
        best_tariffs=collect_ordered(tariff, listed["rank"]),
    )

"""The tariffs a notice lists: each subscription's current plan, and the best plans on sale
for its use, ranked from every plan's costs (:mod:`goodwill.analytics.plan_costs`).

The ranking: the plans on sale in the line's currency that fit in all but at most
``max_unfit_months`` of its history months, by monthly price (the mean service cost,
rounded half up, plus the device fee), then more months fitting, more headroom and the
lower plan id (as advice breaks ties); :data:`TARIFFS_LISTED` of them and the best
SIM-only plan if none of those is one.
"""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from goodwill.analytics.advice_engines import advice_rules
from goodwill.analytics.catalogue import Catalogue
from goodwill.analytics.monthly_use import active_subscriptions
from goodwill.analytics.plan_costs import PlanCosts, plan_costs
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

#: How many tariffs a notice lists (plus the best SIM-only one when none of these is).
TARIFFS_LISTED = 3

#: A listed tariff, named as the notice templates read it (channels/templates/README.md).
TARIFF = pa.struct(
    [
        ("plan_id", pa.string()),
        ("name", pa.string()),
        ("monthly_cost_minor", pa.int64()),
        ("sim_only", pa.bool_()),
    ]
)


def plan_rows(catalogue: Catalogue) -> ibis.Table:
    """One row per plan: plan_id, plan_name, currency, monthly_fee_minor, device_fee_minor,
    on_sale, sim_only."""
    plans = catalogue.plans
    return ibis.memtable(
        pa.table(
            {
                "plan_id": pa.array([p.plan_id for p in plans], pa.string()),
                "plan_name": pa.array([p.name for p in plans], pa.string()),
                "currency": pa.array([p.currency for p in plans], pa.string()),
                "monthly_fee_minor": pa.array([p.monthly_fee_minor for p in plans], pa.int64()),
                "device_fee_minor": pa.array([p.device_fee_minor for p in plans], pa.int64()),
                "on_sale": pa.array([p.on_sale for p in plans], pa.bool_()),
                "sim_only": pa.array([p.sim_only for p in plans], pa.bool_()),
            }
        )
    )


def subscription_plans(ledger: Ledger, asof: date, catalogue: Catalogue) -> ibis.Table:
    """Active subscriptions with their current plan's name, fees and currency."""
    subs = active_subscriptions(ledger, asof)
    rows = subs.join(plan_rows(catalogue).drop("on_sale"), "plan_id")
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


def best_tariffs(ledger: Ledger, asof: date, due: ibis.Table, settings: Settings) -> ibis.Table:
    """For the subscriptions of ``due`` with a history month: their best tariffs.

    Columns: subscription_id, rated_monthly_cost_minor (what the current plan cost a
    month for this use, with its device fee), and, where a tariff qualifies (else null),
    months_considered, best_price_minor and best_tariffs (a list of {plan_id, name,
    monthly_cost_minor, sim_only}, best first).
    """
    rules = advice_rules(settings)
    costs = plan_costs(ledger, asof, settings.lookback_months, due, rules)
    return ibis.memtable(tariff_table(costs, rules.max_unfit_months))


def _mean(total: npt.NDArray[np.int64], months: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """domain.advice.mean_minor, elementwise."""
    result: npt.NDArray[np.int64] = (2 * total + months) // (2 * months)
    return result


def tariff_table(costs: PlanCosts, max_unfit_months: int) -> pa.Table:
    """The rows of :func:`best_tariffs` for the subscriptions of ``costs``."""
    plans = costs.job.plans.plans
    device = np.array([p.device_fee_minor for p in plans], np.int64)
    on_sale = np.array([p.on_sale for p in plans], np.bool_)
    sim_only = np.array([p.sim_only for p in plans], np.bool_)
    months = costs.months_considered
    have = np.flatnonzero(months > 0)  # the rows of the table, in the order of ``costs``
    n = months[have, None]
    price = _mean(costs.total_minor[have], n) + device
    fitting = costs.months_fitting[have]
    qualifies = costs.rated[have] & on_sale & (n - fitting <= max_unfit_months)
    row, plan = np.nonzero(qualifies)
    order = np.lexsort(
        (
            plan,
            -costs.headroom_permille[have][row, plan],
            -fitting[row, plan],
            price[row, plan],
            row,
        )
    )
    row, plan = row[order], plan[order]
    first = np.ones(len(row), np.bool_)
    first[1:] = row[1:] != row[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(row)), 0))
    rank = np.arange(len(row)) - start
    sims = np.cumsum(sim_only[plan])
    sim_rank = sims - (sims[start] - sim_only[plan[start]]) - 1
    listed = (rank < TARIFFS_LISTED) | (sim_only[plan] & (sim_rank == 0))
    row, plan = row[listed], plan[listed]
    cost = price[row, plan]
    counts = np.bincount(row, minlength=len(have))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    none = counts == 0
    tariffs = pa.StructArray.from_arrays(
        [
            pa.array([plans[p].plan_id for p in plan], pa.string()),
            pa.array([plans[p].name for p in plan], pa.string()),
            pa.array(cost, pa.int64()),
            pa.array(sim_only[plan], pa.bool_()),
        ],
        fields=list(TARIFF),
    )
    current = costs.current[have]
    now = _mean(costs.total_minor[have, current], months[have]) + device[current]
    best = np.zeros(len(have), np.int64)
    best[~none] = cost[offsets[:-1][~none]]
    return pa.table(
        {
            "subscription_id": costs.rows.column("subscription_id").take(pa.array(have)),
            "rated_monthly_cost_minor": pa.array(now, pa.int64()),
            "months_considered": pa.array(months[have], pa.int64(), mask=none),
            "best_price_minor": pa.array(best, pa.int64(), mask=none),
            "best_tariffs": pa.ListArray.from_arrays(
                pa.array(offsets, pa.int32()), tariffs, type=pa.list_(TARIFF), mask=pa.array(none)
            ),
        }
    )

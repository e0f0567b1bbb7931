"""Re-rating laid out flat: every history month of every active subscription under every plan.

The rule is the domain's (:mod:`goodwill.domain.rating`), compiled once in the rating
kernel; :mod:`goodwill.analytics.plan_costs` applies it plan by plan, and this module
writes its costs out as one row per subscription, history month and plan. A property
test checks that every cost and fit flag equals the scalar reference.

>>> costs = rerate(open_ledger(Path("goodwill-data/ledger")), date(2026, 11, 23))  # doctest: +SKIP
>>> costs.filter(costs.is_current_plan).cost_minor.sum().execute()  # doctest: +SKIP

:func:`rerate` holds every row at once (about 20 per subscription-month): for a large
ledger, read :func:`rerate_batches` one batch at a time instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import ibis
import numpy as np
import pyarrow as pa

from goodwill.analytics.plan_costs import PlanCosts, plan_cost_batches
from goodwill.ledger.reader import Ledger

#: The columns of a re-rated row (``cost_minor`` is the service cost: no device fee).
SCHEMA = pa.schema(
    [
        ("subscription_id", pa.string()),
        ("customer_id", pa.string()),
        ("period", pa.string()),
        ("plan_id", pa.string()),
        ("currency", pa.string()),
        ("is_current_plan", pa.bool_()),
        ("fee_minor", pa.int64()),
        ("overage_minor", pa.int64()),
        ("cost_minor", pa.int64()),
        ("fits", pa.bool_()),
    ]
)


def cost_rows(costs: PlanCosts) -> pa.Table:
    """One row per history month and rated plan of every subscription of ``costs``."""
    plans = costs.job.plans
    i, m, p = np.nonzero(costs.present[:, :, None] & costs.rated[:, None, :])
    take = pa.array(i)
    fee, cost = plans.fee[p], costs.cost_minor[i, m, p]
    columns = {
        "subscription_id": costs.rows.column("subscription_id").take(take),
        "customer_id": costs.rows.column("customer_id").take(take),
        "period": pa.array(costs.job.window, pa.string()).take(pa.array(m)),
        "plan_id": pa.array(plans.plan_ids, pa.string()).take(pa.array(p)),
        "currency": pa.array(plans.currencies, pa.string()).take(pa.array(plans.currency[p])),
        "is_current_plan": pa.array(p == costs.current[i], pa.bool_()),
        "fee_minor": pa.array(fee, pa.int64()),
        "overage_minor": pa.array(cost - fee, pa.int64()),
        "cost_minor": pa.array(cost, pa.int64()),
        "fits": pa.array(costs.fits[i, m, p], pa.bool_()),
    }
    return pa.table(columns, schema=SCHEMA)


def rerate_batches(
    ledger: Ledger, asof: date, lookback_months: int = 6, batch_rows: int = 65_536
) -> Iterator[pa.RecordBatch]:
    """The rows of :func:`rerate`, ``batch_rows`` subscriptions at a time."""
    for costs in plan_cost_batches(ledger, asof, lookback_months, batch_rows):
        yield from cost_rows(costs).to_batches()


def rerate(ledger: Ledger, asof: date, lookback_months: int = 6) -> ibis.Table:
    """Costs of every history month of every active subscription under every plan on sale
    in its currency, and under its current plan (on sale or not), computed now.

    Columns: subscription_id, customer_id, period, plan_id, currency, is_current_plan,
    fee_minor, overage_minor, cost_minor (service cost: no device fee), fits.
    """
    batches = list(rerate_batches(ledger, asof, lookback_months))
    return ibis.memtable(pa.Table.from_batches(batches, schema=SCHEMA))

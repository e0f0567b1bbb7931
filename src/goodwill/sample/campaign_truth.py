"""The campaign's truths for ``truth.json``, and ``campaign.csv``: who was advised of what.

"Truth" is the *sample average treatment effect* over the eligible customers, from each
one's two simulated potential outcomes (advised, held out; same draws): e.g.
``campaign_true_retained_90d_difference`` is the mean over eligible customers of
[still a customer 90 days after the campaign date if advised] minus [the same if held out].
It is exactly what the scorecard's treatment-minus-holdout difference estimates without
bias, so its 95% interval should cover it in 95% of samples (a little more: Welch's
variance is conservative for a sample effect).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from goodwill.sample.campaign_outcome import REVENUE_MONTHS, CampaignOutcome
from goodwill.sample.catalogue import PLANS
from goodwill.sample.clock import DAY
from goodwill.sample.columns import id_width, ids, pick

PLAN_IDS = [plan.plan_id for plan in PLANS]
#: The file :func:`campaign_table` is written to, next to the ledger tables.
CAMPAIGN_FILE = "campaign.csv"


def campaign_truth(o: CampaignOutcome) -> dict[str, Any]:
    """The ``campaign_*`` keys of truth.json."""
    plan, eligible = o.plan, o.eligible
    treated = eligible & plan.treated
    left = o.left_worlds[:, eligible]
    revenue = o.revenue_worlds
    truth: dict[str, Any] = {
        "campaign_params": plan.params.to_json(),
        "campaign_date": plan.date.isoformat(),
        "campaign_kind": plan.params.kind,
        "campaign_salt": plan.params.salt,
        "campaign_holdout_percent": plan.params.holdout_percent,
        "campaign_churn_hazard_ratio": plan.params.churn_hazard_ratio,
        "campaign_eligible_customers": int(eligible.sum()),
        "campaign_treated_customers": int(treated.sum()),
        "campaign_held_out_customers": int((eligible & ~plan.treated).sum()),
        "campaign_eligible_subscriptions": int(o.line_eligible.sum()),
        "campaign_advised_subscriptions": int((o.advised_plan >= 0).sum()),
        "campaign_revenue_months": REVENUE_MONTHS,
        "campaign_overpaying_tally": {
            "months": [int(x) for x in o.tally.months],
            "leavers": [int(x) for x in o.tally.leavers],
        },
    }
    for days in (90, 180):
        stayed = (left >= plan.start_s + days * DAY).astype(np.float64)
        truth[f"campaign_true_retained_{days}d_difference"] = _mean(stayed[1] - stayed[0])
    truth["campaign_true_net_revenue_difference_minor"] = _mean(revenue[1] - revenue[0])
    held_out = _mean(revenue[0])
    relative = _mean(revenue[1]) / held_out - 1 if held_out else None
    truth["campaign_true_net_revenue_relative"] = None if relative is None else round(relative, 9)
    return truth


def _mean(values: np.ndarray) -> float:
    return round(float(values.mean()), 9) if len(values) else 0.0


def campaign_table(o: CampaignOutcome, customers: int, lines: int, line_customer: Any) -> pa.Table:
    """One row per eligible subscription: its customer, arm, and the advice it got."""
    index = np.flatnonzero(o.line_eligible)
    who = line_customer[index]
    advised = o.advised_plan[index]
    saving = o.monthly_saving[index]
    return pa.table(
        {
            "subscription_id": ids("S", index, id_width(lines)),
            "customer_id": ids("C", who, id_width(customers)),
            "arm": pick(["holdout", "treatment"], o.plan.treated[who].astype(np.int64)),
            "current_plan_id": pick(PLAN_IDS, o.from_plan[index]),
            "recommended_plan_id": pick(PLAN_IDS, advised),
            "monthly_saving_minor": pa.array(saving),
            "annual_saving_minor": pa.array(12 * saving),
        }
    )

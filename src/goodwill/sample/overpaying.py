"""Which lines pay more than they need: the rule of plan advice (goodwill.domain.advice).

The months considered are a line's *history months* among the last 6 complete months:
months with use recorded that the line was live from the first day of. A line active at
asof with at least 3 of them is *overpaying* when some plan on sale without a device fee
fits in all but at most 1 of those months and its total service cost over them is below
the current plan's by at least 100 pence a month and at least 5% (tested exactly on
totals). A month a plan does not fit still counts, at its fee plus the other kinds'
overage. Costs are service costs: device fees are left out.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from goodwill.sample.catalogue import RatingTable
from goodwill.sample.clock import DAY, month_start
from goodwill.sample.rating import rate_months

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

LOOKBACK_MONTHS = 6
MIN_MONTHS = 3
MAX_UNFIT_MONTHS = 1
MIN_SAVING_MINOR = 100
MIN_SAVING_PERCENT = 5


def history_months(active: Bools, started_s: Ints, months: Ints) -> Bools:
    """``[line, lookback month]``: months with use that the line was live from the first day of.

    A month it started part-way through would make its use look small.
    """
    recent = months[-LOOKBACK_MONTHS:]
    first_days_end = month_start(recent) + DAY
    result: Bools = active[:, -LOOKBACK_MONTHS:] & (started_s[:, None] < first_days_end[None, :])
    return result


def eligible(history: Bools, still_active: Bools) -> Bools:
    """Lines active at asof with enough history months to judge."""
    result: Bools = still_active & (history.sum(axis=1) >= MIN_MONTHS)
    return result


def find_overpaying(
    quantity: npt.NDArray[np.int32], history: Bools, plan: Ints, table: RatingTable
) -> Bools:
    """For each line, whether a plan on sale would save it money (rule in the module doc)."""
    q = quantity[:, :, -LOOKBACK_MONTHS:]
    months = history.sum(axis=1)
    now_cost, _ = rate_months(q, plan, table)
    now_total = (now_cost * history).sum(axis=1)
    found = np.zeros(len(plan), dtype=np.bool_)
    for other in np.flatnonzero(table.on_sale & (table.device_fee == 0)):
        cost, fits = rate_months(q, int(other), table)
        unfit = months - (fits & history).sum(axis=1)
        saving = now_total - (cost * history).sum(axis=1)
        found |= (
            (unfit <= MAX_UNFIT_MONTHS)
            & (saving > 0)
            & (saving >= MIN_SAVING_MINOR * months)
            & (100 * saving >= MIN_SAVING_PERCENT * now_total)
        )
    return found

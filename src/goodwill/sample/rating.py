"""Vectorized rating: what a month of use costs on a plan, in whole minor units.

The rule (DESIGN.md, "Rating and plan advice"): the monthly fee plus, for every kind,
``ceil(max(0, used - included) * overage_rate)``; a capped kind used beyond its allowance
means the plan does not fit that month. Rates are integers of 1/10,000 minor unit, so the
rounding up is exact integer arithmetic.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from goodwill.sample.catalogue import KINDS, RATE_SCALE, UNLIMITED, RatingTable

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def rate_months(
    quantity: npt.NDArray[np.int32], plan: Ints | int, table: RatingTable
) -> tuple[Ints, Bools]:
    """Service cost ``[line, month]`` (no device fee) and whether the plan fits.

    ``quantity`` is ``[kind, line, month]``; ``plan`` is one plan for every line, or one per line.
    """
    plans = np.broadcast_to(np.asarray(plan, dtype=np.int64), quantity.shape[1:2])
    cost = np.broadcast_to(table.monthly_fee[plans][:, None], quantity.shape[1:]).copy()
    fits = np.ones(quantity.shape[1:], dtype=np.bool_)
    for k in range(len(KINDS)):
        if (table.included[plans, k] >= UNLIMITED).all():
            continue  # unlimited on every plan asked about: never costs, always fits
        included = table.included[plans, k][:, None]
        rate = table.rate[plans, k][:, None]
        excess = np.maximum(quantity[k].astype(np.int64) - included, 0)
        fits &= (rate >= 0) | (excess == 0)
        cost += (excess * np.maximum(rate, 0) + RATE_SCALE - 1) // RATE_SCALE
    return cost, fits


def charged_months(quantity: npt.NDArray[np.int32], plan: Ints, table: RatingTable) -> Ints:
    """What each line was charged each month on its own plan: service cost plus device fee."""
    cost, _ = rate_months(quantity, plan, table)
    charged: Ints = cost + table.device_fee[plan][:, None]
    return charged

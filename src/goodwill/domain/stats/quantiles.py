"""A quantile of a small sample with its distribution-free 95% interval."""

from __future__ import annotations

import math
from collections.abc import Sequence

from goodwill.domain.stats.estimate import Z_95, Estimate


def quantile_estimate(values: Sequence[float], q: float, what: str = "values") -> Estimate:
    """The q-quantile of ``values`` with the order-statistic interval at ranks
    n·q ± z·sqrt(n·q·(1-q)) (Conover 1999, section 3.2); no values gives a reason, not 0.

    >>> quantile_estimate([1, 2, 3, 4, 5], 0.5).value
    3
    """
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return Estimate.missing(0, f"no {what}")
    spread = Z_95 * math.sqrt(n * q * (1 - q))

    def at(rank: float) -> float:
        return ordered[min(n - 1, max(0, math.ceil(rank) - 1))]

    return Estimate(at(n * q), n, at(n * q - spread), at(n * q + spread))

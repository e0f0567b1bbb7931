"""Statistics over sufficient statistics: pure functions, degenerate input gives a reason.

The database computes n, sums and sums of squares; these functions turn them into
figures with 95% intervals (the gbstats style): proportions and rates, NPS, Welch /
delta-method lift, CUPED, Kaplan-Meier, AUC and risk ratios.
"""

from __future__ import annotations

from goodwill.domain.stats.auc import auc_from_counts
from goodwill.domain.stats.cuped import CupedResult, cuped_lift
from goodwill.domain.stats.estimate import Z_95, Estimate
from goodwill.domain.stats.lift import LiftResult, lift_test
from goodwill.domain.stats.moments import PairedStats, SampleStats
from goodwill.domain.stats.proportions import (
    mean_estimate,
    net_promoter_score,
    nps_counts,
    proportion,
    rate_per,
)
from goodwill.domain.stats.quantiles import quantile_estimate
from goodwill.domain.stats.ratios import risk_ratio
from goodwill.domain.stats.survival import (
    KaplanMeier,
    SurvivalPoint,
    SurvivalStep,
    kaplan_meier,
    steps_from_durations,
)

__all__ = [
    "Z_95",
    "CupedResult",
    "Estimate",
    "KaplanMeier",
    "LiftResult",
    "PairedStats",
    "SampleStats",
    "SurvivalPoint",
    "SurvivalStep",
    "auc_from_counts",
    "cuped_lift",
    "kaplan_meier",
    "lift_test",
    "mean_estimate",
    "net_promoter_score",
    "nps_counts",
    "proportion",
    "quantile_estimate",
    "rate_per",
    "risk_ratio",
    "steps_from_durations",
]

"""CUPED: use each customer's pre-period value to take variance out of the comparison.

Deng, Xu, Kohavi & Walker (2013): Y_cv = Y - θ(X - mean(X)) with θ = cov(X, Y)/var(X),
pooled over both arms. Each arm's adjusted mean keeps the same expectation when X is not
affected by the treatment (it was measured before), and its variance is
(var Y + θ² var X - 2θ cov(X, Y)) / n, never more than var Y / n at the pooled optimum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from goodwill.domain.stats.lift import LiftResult, finish_test, lift_test, welch_dof
from goodwill.domain.stats.moments import PairedStats


@dataclass(frozen=True)
class CupedResult:
    """The CUPED-adjusted lift, the unadjusted one, and how much variance was removed."""

    adjusted: LiftResult
    unadjusted: LiftResult
    theta: float | None
    variance_reduction: float | None  # 1 - var_adjusted / var_unadjusted of the estimate


def _adjusted_variance(arm: PairedStats, theta: float) -> float:
    return max(
        0.0, arm.post.variance + theta * theta * arm.pre.variance - 2 * theta * arm.covariance
    )


def cuped_lift(
    control: PairedStats, treatment: PairedStats, relative: bool = True, alpha: float = 0.05
) -> CupedResult:
    """The lift of treatment over control after CUPED adjustment by the pre-period.

    Falls back to the unadjusted test (``theta`` None) when the pre-period has no variance.
    """
    unadjusted = lift_test(control.post, treatment.post, relative, alpha)
    pooled = control + treatment
    if unadjusted.reason or pooled.pre.variance == 0:
        return CupedResult(unadjusted, unadjusted, None, None)
    theta = pooled.covariance / pooled.pre.variance
    pre_mean = pooled.pre.mean
    mc = control.post.mean - theta * (control.pre.mean - pre_mean)
    mt = treatment.post.mean - theta * (treatment.pre.mean - pre_mean)
    vc = _adjusted_variance(control, theta) / control.n
    vt = _adjusted_variance(treatment, theta) / treatment.n
    if relative and mc == 0:
        return CupedResult(unadjusted, unadjusted, theta, None)
    if relative:
        estimate, var = mt / mc - 1, vt / (mc * mc) + vc * mt * mt / mc**4
    else:
        estimate, var = mt - mc, vt + vc
    dof = welch_dof(vc, control.n, vt, treatment.n)
    base = LiftResult(unadjusted.kind, control.n, treatment.n, None, None, None)
    adjusted = finish_test(base, mc, mt, estimate, math.sqrt(var), dof, alpha)
    reduction = 1 - var / unadjusted.se**2 if unadjusted.se else None
    return CupedResult(adjusted, unadjusted, theta, reduction)

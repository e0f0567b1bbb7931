"""Treatment against control: relative lift, Welch's t-test and the delta method (gbstats).

The relative lift is mean_t / mean_c - 1. Its variance by the delta method is
var_t / (mean_c² n_t) + var_c mean_t² / (mean_c⁴ n_c); the degrees of freedom are
Welch-Satterthwaite's on the unscaled variances, as in GrowthBook's frequentist engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from goodwill.domain.stats.moments import SampleStats


@dataclass(frozen=True)
class LiftResult:
    """A two-sided frequentist test of treatment against control, with its 95% interval.

    ``relative`` is the lift as a fraction (0.07 = +7%); ``absolute`` is mean_t - mean_c.
    ``ci_low``/``ci_high`` bound whichever of the two the test was asked for (``kind``).
    When the test cannot be run, every figure is None and ``reason`` says why.
    """

    kind: str  # "relative" or "absolute"
    n_control: int
    n_treatment: int
    mean_control: float | None
    mean_treatment: float | None
    estimate: float | None
    se: float | None = None
    dof: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    reason: str | None = None

    def covers(self, truth: float) -> bool:
        """Whether the 95% interval contains ``truth``."""
        if self.ci_low is None or self.ci_high is None:
            return False
        return self.ci_low <= truth <= self.ci_high

    def as_dict(self) -> dict[str, float | int | str | None]:
        """A JSON-ready mapping."""
        return dict(self.__dict__)


def welch_dof(var_mean_c: float, n_c: int, var_mean_t: float, n_t: int) -> float:
    """Welch-Satterthwaite degrees of freedom, from each arm's variance of the mean and n."""
    return (var_mean_c + var_mean_t) ** 2 / (var_mean_c**2 / (n_c - 1) + var_mean_t**2 / (n_t - 1))


def _degenerate(control: SampleStats, treatment: SampleStats, relative: bool) -> str | None:
    if control.n < 2 or treatment.n < 2:
        return "fewer than two observations in an arm"
    if control.variance == 0 and treatment.variance == 0:
        return "no variance in either arm"
    if relative and control.mean == 0:
        return "control mean is zero: no relative lift"
    return None


def lift_test(
    control: SampleStats, treatment: SampleStats, relative: bool = True, alpha: float = 0.05
) -> LiftResult:
    """Welch's t-test of treatment against control on the relative (delta method) or
    absolute difference of means.

    >>> c = SampleStats.from_moments(3407, 0.41, 3.9)
    >>> t = SampleStats.from_moments(3461, 0.70, 6.2)
    >>> round(lift_test(c, t).estimate, 5)
    0.70732
    """
    kind = "relative" if relative else "absolute"
    base = LiftResult(kind, control.n, treatment.n, None, None, None)
    reason = _degenerate(control, treatment, relative)
    if reason:
        return LiftResult(**{**base.__dict__, "reason": reason})
    mc, mt = control.mean, treatment.mean
    vc, vt = control.variance / control.n, treatment.variance / treatment.n
    if relative:
        estimate = mt / mc - 1
        var = vt / (mc * mc) + vc * mt * mt / mc**4
    else:
        estimate, var = mt - mc, vt + vc
    dof = welch_dof(vc, control.n, vt, treatment.n)
    return finish_test(base, mc, mt, estimate, math.sqrt(var), dof, alpha)


def finish_test(
    base: LiftResult, mc: float, mt: float, estimate: float, se: float, dof: float, alpha: float
) -> LiftResult:
    from scipy.stats import t as student_t

    half = float(student_t.ppf(1 - alpha / 2, dof)) * se
    p_value = 2 * float(student_t.sf(abs(estimate / se), dof)) if se > 0 else 0.0
    return LiftResult(
        kind=base.kind,
        n_control=base.n_control,
        n_treatment=base.n_treatment,
        mean_control=mc,
        mean_treatment=mt,
        estimate=estimate,
        se=se,
        dof=dof,
        ci_low=estimate - half,
        ci_high=estimate + half,
        p_value=p_value,
    )

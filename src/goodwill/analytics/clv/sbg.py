"""The shifted-beta-geometric model of contractual retention (Fader & Hardie 2007).

Each customer renews every period with a probability 1 - theta of their own; theta varies over
customers as Beta(alpha, beta). Fitted by maximum likelihood to the number still alive after
each period, exactly as "How to Project Customer Retention" (Journal of Interactive
Marketing 21(1), 2007) does; the tests reproduce its estimates for the "regular" and
"high end" segments.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln

from goodwill.analytics.clv.base import Fitter, maximise


def churn_probabilities(alpha: float, beta: float, periods: int) -> np.ndarray:
    """P(T = t) for t = 1..periods: a customer's first non-renewal is at the end of t."""
    t = np.arange(1, periods + 1)
    return np.exp(betaln(alpha + 1, beta + t - 1) - betaln(alpha, beta))


def survival(alpha: float, beta: float, t: np.ndarray | float) -> np.ndarray:
    """S(t) = B(alpha, beta + t) / B(alpha, beta): the share still a customer after t periods."""
    return np.exp(betaln(alpha, beta + np.asarray(t, dtype=float)) - betaln(alpha, beta))


class ShiftedBetaGeometricFitter(Fitter):
    """sBG retention fitted to a cohort's survivors per period.

    >>> f = ShiftedBetaGeometricFitter().fit([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
    >>> round(f.params_["alpha"], 3), round(f.params_["beta"], 3)
    (0.704, 1.182)
    """

    param_names = ("alpha", "beta")

    def fit(self, alive: ArrayLike) -> ShiftedBetaGeometricFitter:
        """Fit to ``alive[t]``, the customers (or percent) still active after t periods;
        ``alive[0]`` is the cohort's size. Counts need not be whole numbers.
        """
        counts = np.asarray(alive, dtype=float)
        if counts.ndim != 1 or len(counts) < 3:
            raise ValueError("sBG needs the cohort size and at least two periods of survivors")
        lost = counts[:-1] - counts[1:]
        if np.any(lost < 0) or counts[-1] < 0:
            raise ValueError("survivors must never increase from one period to the next")
        periods = len(counts) - 1

        def neg_log_lik(params: np.ndarray) -> float:
            alpha, beta = params
            p = churn_probabilities(alpha, beta, periods)
            s_end = survival(alpha, beta, periods)
            # The optimiser may try parameters where a probability underflows to 0: that
            # point is infinitely unlikely, not an error.
            with np.errstate(divide="ignore", invalid="ignore"):
                value = -float(np.sum(lost * np.log(p)) + counts[-1] * np.log(s_end))
            return value if np.isfinite(value) else np.inf

        self.periods_ = periods
        self._store(neg_log_lik, maximise(neg_log_lik, [1.0, 1.0]), round(float(counts[0])))
        return self

    def survival_function_at(self, t: Sequence[float] | np.ndarray | float) -> np.ndarray:
        """S(t) under the fitted parameters (1.0 at t = 0)."""
        self._check_fitted()
        return survival(self.params_["alpha"], self.params_["beta"], np.asarray(t))

    def retention_rate(self, t: int) -> float:
        """r(t) = (beta + t - 1) / (alpha + beta + t - 1): the renewal rate in period t (t ≥ 1)."""
        self._check_fitted()
        a, b = self.params_["alpha"], self.params_["beta"]
        return (b + t - 1) / (a + b + t - 1)

    def project(self, until: int, start: float = 100.0) -> list[float]:
        """The survivors after each of periods 0..``until``, out of ``start``."""
        return [float(start * s) for s in self.survival_function_at(np.arange(until + 1))]

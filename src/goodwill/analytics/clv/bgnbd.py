"""The BG/NBD model of non-contractual repeat buying (Fader, Hardie & Lee 2005).

While active, a customer buys as a Poisson process of rate lambda ~ Gamma(r, alpha); after each
repeat purchase they drop out for good with probability p ~ Beta(a, b). Fitted by
maximum likelihood to each customer's (x, t_x, T): repeat purchases, time of the last,
and time observed ("Counting Your Customers the Easy Way", Marketing Science 24(2), 2005,
equation 6).

It reproduces the paper's CDNOW estimates (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
LL = -9582.4) on the CDNOW summary (tests/unit/test_clv_cdnow.py); the tests also recover
known parameters from data simulated from the model (``simulate_bgnbd``) and check the
log-likelihood against a hand computation of equation 6.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln, gammaln

from goodwill.analytics.clv.base import Fitter, maximise


def bgnbd_log_likelihood(
    params: Sequence[float] | np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """Each customer's log-likelihood under (r, alpha, a, b), equation 6 of the paper."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1 + a2 + np.logaddexp(a3, a4)


class BetaGeoFitter(Fitter):
    """BG/NBD fitted to per-customer ``frequency`` (x), ``recency`` (t_x) and ``T``."""

    param_names = ("r", "alpha", "a", "b")

    def fit(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BetaGeoFitter:
        """Fit by maximum likelihood; times in any unit (weeks in the paper)."""
        x, t_x, big_t = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        _check(x, t_x, big_t)

        def neg_log_lik(params: np.ndarray) -> float:
            return -float(np.sum(bgnbd_log_likelihood(params, x, t_x, big_t)))

        self._store(neg_log_lik, maximise(neg_log_lik, [1.0, 1.0, 1.0, 1.0]), len(x))
        return self

    def probability_alive(self, frequency: float, recency: float, T: float) -> float:
        """P(still active | x, t_x, T), equation 11 of the paper."""
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self.param_names)
        if frequency == 0:
            return 1.0
        odds = (a / (b + frequency - 1)) * ((alpha + T) / (alpha + recency)) ** (r + frequency)
        return float(1 / (1 + odds))

    def expected_purchases(self, t: float) -> float:
        """E[X(t)] for a new customer over a period of length t, equation 7."""
        from scipy.special import hyp2f1

        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self.param_names)
        z = t / (alpha + t)
        return float(
            (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
        )


def _check(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> None:
    if not len(x) == len(t_x) == len(big_t) or len(x) == 0:
        raise ValueError("frequency, recency and T must be non-empty and of the same length")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > big_t):
        raise ValueError("need frequency >= 0 and 0 <= recency <= T for every customer")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("a customer with no repeat purchase must have recency 0")

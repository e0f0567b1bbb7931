"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV").

Each transaction's value is Gamma(p, nu); nu varies over customers as Gamma(q, gamma). Fitted by
maximum likelihood to each repeat customer's (x, m_x): number of transactions and their
average value. It reproduces the published CDNOW estimates (p = 6.25, q = 3.74,
gamma = 15.44) on the 946 repeat buyers (tests/unit/test_clv_cdnow.py); the tests also
recover known parameters from data simulated from the model (``simulate_gamma_gamma``) and
check the log-likelihood against a hand computation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln

from goodwill.analytics.clv.base import Fitter, maximise


def gamma_gamma_log_likelihood(
    params: Sequence[float] | np.ndarray, x: np.ndarray, m_x: np.ndarray
) -> np.ndarray:
    """Each customer's log-density of their average spend m_x given x transactions."""
    p, q, gamma = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m_x * x)
    )


class GammaGammaFitter(Fitter):
    """Gamma-Gamma fitted to ``frequency`` (x ≥ 1) and ``monetary_value`` (m_x > 0)."""

    param_names = ("p", "q", "gamma")

    def fit(self, frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaFitter:
        """Fit by maximum likelihood; pass repeat customers only (x ≥ 1, m_x > 0)."""
        x, m_x = np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
        if len(x) != len(m_x) or len(x) == 0:
            raise ValueError("frequency and monetary_value must be non-empty, of the same length")
        if np.any(x < 1) or np.any(m_x <= 0):
            raise ValueError(
                "Gamma-Gamma needs frequency >= 1 and monetary_value > 0; drop the rest"
            )

        def neg_log_lik(params: np.ndarray) -> float:
            return -float(np.sum(gamma_gamma_log_likelihood(params, x, m_x)))

        self._store(neg_log_lik, maximise(neg_log_lik, [1.0, 1.0, 1.0]), len(x))
        return self

    def conditional_expected_average_profit(self, frequency: float, monetary_value: float) -> float:
        """E[M | x, m_x] = (p(gamma + x m_x)) / (p x + q - 1), the paper's equation 5."""
        self._check_fitted()
        p, q, gamma = (self.params_[k] for k in self.param_names)
        return p * (gamma + frequency * monetary_value) / (p * frequency + q - 1)

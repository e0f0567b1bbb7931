"""sBG against Fader & Hardie (2007); BG/NBD and Gamma-Gamma by recovery and by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from goodwill.analytics.clv import (
    BetaGeoFitter,
    GammaGammaFitter,
    ShiftedBetaGeometricFitter,
    bgnbd_log_likelihood,
    gamma_gamma_log_likelihood,
    simulate_bgnbd,
    simulate_gamma_gamma,
)
from goodwill.analytics.clv.base import LOG_BOUND

REGULAR = [100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1]
HIGH_END = [100, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1]


@pytest.mark.parametrize(
    ("alive", "alpha", "beta"), [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)]
)
def test_sbg_reproduces_fader_hardie_2007(alive: list[float], alpha: float, beta: float) -> None:
    """Fader & Hardie, "How to Project Customer Retention", J. Interactive Marketing 21(1)
    2007, Table 1 (% alive, years 0-7) and the MLEs of section 4: regular
    alpha = 0.704, beta = 1.182; high end alpha = 0.668, beta = 3.806.
    """
    fitted = ShiftedBetaGeometricFitter().fit(alive)
    assert fitted.params_["alpha"] == pytest.approx(alpha, abs=1e-3)
    assert fitted.params_["beta"] == pytest.approx(beta, abs=1e-3)
    assert fitted.summary.loc["alpha", "se(coef)"] > 0


def test_sbg_projects_years_8_to_12_by_the_survivor_recursion() -> None:
    """S(t) = S(t-1)·r(t) with r(t) = (beta + t - 1)/(alpha + beta + t - 1) (paper, equation 5)."""
    fitted = ShiftedBetaGeometricFitter().fit(REGULAR)
    projected = fitted.project(12)
    assert len(projected) == 13 and projected[0] == 100.0
    for t in range(1, 13):
        assert projected[t] == pytest.approx(projected[t - 1] * fitted.retention_rate(t))
    assert all(a > b for a, b in itertools.pairwise(projected[8:]))
    assert 15 < projected[12] < projected[7] < 26  # the model tracks the observed 24.1 at 7


def test_sbg_counts_and_percent_give_the_same_estimates() -> None:
    pct = ShiftedBetaGeometricFitter().fit(REGULAR)
    counts = ShiftedBetaGeometricFitter().fit([10 * v for v in REGULAR])
    assert counts.params_["alpha"] == pytest.approx(pct.params_["alpha"], abs=1e-5)
    assert counts.log_likelihood_ == pytest.approx(10 * pct.log_likelihood_, rel=1e-6)


def test_sbg_refuses_rising_survivors() -> None:
    with pytest.raises(ValueError, match="never increase"):
        ShiftedBetaGeometricFitter().fit([100, 90, 95])


def test_bgnbd_log_likelihood_by_hand() -> None:
    """Equation 6 of Fader, Hardie & Lee (2005) for one customer, x=2, t_x=30.43, T=38.86,
    at the CDNOW estimates, written out with math.lgamma."""
    r, al, a, b, x, tx, big_t = 0.243, 4.414, 0.793, 2.426, 2.0, 30.43, 38.86
    lbeta = lambda u, v: math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)  # noqa: E731
    common = math.lgamma(r + x) - math.lgamma(r) + r * math.log(al)
    common += lbeta(a, b + x) - lbeta(a, b)
    term1 = (al + big_t) ** -(r + x)
    term2 = a / (b + x - 1) * (al + tx) ** -(r + x)
    expected = common + math.log(term1 + term2)
    got = bgnbd_log_likelihood((r, al, a, b), np.array([x]), np.array([tx]), np.array([big_t]))
    assert got[0] == pytest.approx(expected, rel=1e-12)
    no_repeat = bgnbd_log_likelihood(
        (r, al, a, b), np.array([0.0]), np.array([0.0]), np.array([big_t])
    )
    assert no_repeat[0] == pytest.approx(r * math.log(al / (al + big_t)), rel=1e-12)


def test_bgnbd_recovers_simulated_parameters() -> None:
    """Simulated from BG/NBD at the paper's CDNOW estimates (the CDNOW data is not
    available offline); each estimate must lie within 3 standard errors of the truth."""
    truth = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    fitted = BetaGeoFitter().fit(*simulate_bgnbd(6000, *truth.values(), T=39.0, seed=5))
    for name, value in truth.items():
        assert abs(fitted.params_[name] - value) < 3 * fitted.standard_errors_[name], name
    assert 0 < fitted.probability_alive(2, 30.43, 38.86) < 1
    assert fitted.probability_alive(0, 0, 38.86) == 1.0
    assert fitted.expected_purchases(39.0) > 0


def test_gamma_gamma_log_likelihood_by_hand() -> None:
    """Density of m_x (Fader, Hardie & Lee 2005, "RFM and CLV", equation 3) for x=3,
    m_x=35.5 at p=6.25, q=3.74, gamma=15.44."""
    p, q, g, x, m = 6.25, 3.74, 15.44, 3.0, 35.5
    expected = (
        math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q)
        + q * math.log(g) + (p * x - 1) * math.log(m) + p * x * math.log(x)
        - (p * x + q) * math.log(g + m * x)
    )  # fmt: skip
    got = gamma_gamma_log_likelihood((p, q, g), np.array([x]), np.array([m]))
    assert got[0] == pytest.approx(expected, rel=1e-12)


def test_gamma_gamma_recovers_simulated_parameters() -> None:
    """Simulated at the paper's CDNOW estimates p=6.25, q=3.74, gamma=15.44; within 3 SE."""
    truth = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    fitted = GammaGammaFitter().fit(*simulate_gamma_gamma(4000, *truth.values(), seed=3))
    for name, value in truth.items():
        assert abs(fitted.params_[name] - value) < 3 * fitted.standard_errors_[name], name
    prm = fitted.params_
    population_mean = prm["p"] * prm["gamma"] / (prm["q"] - 1)
    expected = fitted.conditional_expected_average_profit(3, 60.0)
    assert population_mean < expected < 60.0  # shrunk from the customer's own 60 toward the mean


def test_unfitted_model_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="call fit"):
        _ = GammaGammaFitter().summary


#: The demo's pooled Kaplan-Meier retention (seed 7, as of 2026-12-01), in percent: churn
#: close to a constant 1.2% a month.
DEMO_RETENTION = [100.0, 98.6478, 97.3784, 96.2127, 95.0156, 93.9278, 92.7857, 91.7504, 90.6808,
                  89.7012, 88.669, 87.5497, 86.5231, 85.4975, 84.5989, 83.4856, 82.575, 81.6677,
                  80.6042, 79.5752, 78.4821, 77.554, 76.4758, 75.6364, 74.7458, 73.5797, 72.5143,
                  71.6116, 70.7605, 69.9736, 69.1946, 68.2625, 67.5489, 66.5565, 65.7873, 65.064,
                  64.0712]  # fmt: skip


def test_sbg_on_a_near_constant_churn_rate_stays_finite_and_geometric() -> None:
    """A constant churn rate has no interior maximum: alpha and beta run off to infinity
    together. The bounded search must still give the near-geometric curve, not the
    overflowed garbage it once gave the demo's scorecard (a lifetime value of 10^200)."""
    fitted = ShiftedBetaGeometricFitter().fit(DEMO_RETENTION)
    # Unbounded, the search wandered to alpha ~ 1e9..1e16, where betaln cancels into noise.
    assert max(fitted.params_.values()) <= math.exp(LOG_BOUND) * 1.0001
    survival = fitted.survival_function_at(list(range(60)))
    assert np.all(np.isfinite(survival)) and np.all((survival >= 0) & (survival <= 1))
    assert np.allclose(survival[:37], np.array(DEMO_RETENTION) / 100, atol=0.01)
    assert 0.45 < survival[59] < 0.52  # the same ~1.2% a month carried on

"""Data simulated from the BG/NBD and Gamma-Gamma models, to test that fitting recovers them."""

from __future__ import annotations

import numpy as np


def simulate_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, T: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) of ``n`` customers observed for ``T`` after their first purchase."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    freq, rec = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i]) if lam[i] > 0 else np.inf
            if t > T:
                break
            freq[i] += 1
            rec[i] = t
            if rng.random() < p[i]:
                break
    return freq, rec, np.full(n, float(T))


def simulate_gamma_gamma(
    n: int, p: float, q: float, gamma: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(frequency, monetary_value) of ``n`` repeat customers with 1 + Poisson(3) transactions."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1 / gamma, n)
    x = 1 + rng.poisson(3, n)
    spend = np.array([rng.gamma(p, 1 / nu[i], x[i]).mean() for i in range(n)])
    return x.astype(float), spend

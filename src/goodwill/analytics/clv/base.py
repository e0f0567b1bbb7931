"""What every lifetime-value fitter shares: maximum likelihood, standard errors, a summary.

Why a small scipy MLE of our own: ``lifetimes`` (the usual Python home of these models)
is unmaintained and pins old numpy/pandas, and ``pymc-marketing`` fits them the Bayesian
way with a heavy PyMC stack. The papers fit by maximum likelihood, so we do the same, in
a few lines, and test against the papers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from goodwill.domain.stats import Z_95

if TYPE_CHECKING:
    import pandas as pd

NegLogLik = Callable[[np.ndarray], float]


#: The largest |log(parameter)| the fitters search (parameters within e^-15 .. e^15).
LOG_BOUND = 15.0


def maximise(neg_log_lik: NegLogLik, start: Sequence[float]) -> np.ndarray:
    """The positive parameters that minimise ``neg_log_lik``, searched on the log scale.

    L-BFGS-B finds the basin; Nelder-Mead with tight tolerances then polishes it, since the
    published estimates are given to three decimals.
    """
    from scipy.optimize import minimize

    def on_log_scale(log_params: np.ndarray) -> float:
        value = neg_log_lik(np.exp(log_params))
        return value if np.isfinite(value) else 1e300

    x0 = np.log(np.asarray(start, dtype=float))
    # Bounded: where the data has no interior optimum (a constant churn rate drives the
    # sBG's alpha and beta to infinity together), the search stops at e^15 ≈ 3.3M instead
    # of reaching numbers whose log-beta functions cancel into garbage.
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(x0)
    first = minimize(
        on_log_scale, x0, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-14, "gtol": 1e-9}
    )
    polished = minimize(
        on_log_scale,
        first.x,
        method="Nelder-Mead",
        bounds=bounds,
        options={"xatol": 1e-7, "fatol": 1e-9, "maxfev": 3_000},
    )
    return np.exp(polished.x)


def standard_errors(neg_log_lik: NegLogLik, params: np.ndarray) -> np.ndarray:
    """Standard errors from the inverse of the observed information (a numerical Hessian).

    NaN where the Hessian cannot be inverted (a flat likelihood).
    """
    k = len(params)
    steps = 1e-4 * np.maximum(1.0, np.abs(params))
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            hess[i, j] = _second_difference(neg_log_lik, params, steps, i, j)
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    diag = np.diag(cov)
    return np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)


def _second_difference(f: NegLogLik, x: np.ndarray, h: np.ndarray, i: int, j: int) -> float:
    def at(di: float, dj: float) -> float:
        y = x.copy()
        y[i] += di * h[i]
        y[j] += dj * h[j]
        return f(y)

    return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[i] * h[j])


class Fitter:
    """Base of the fitters, in the lifelines style: ``fit(...) -> self``, then read
    ``params_`` (name → estimate), ``standard_errors_``, ``log_likelihood_``, ``summary``.
    """

    param_names: tuple[str, ...] = ()
    params_: dict[str, float]
    standard_errors_: dict[str, float]
    log_likelihood_: float
    n_: int

    def _store(self, neg_log_lik: NegLogLik, params: np.ndarray, n: int) -> None:
        self.params_ = dict(zip(self.param_names, map(float, params), strict=True))
        ses = standard_errors(neg_log_lik, params)
        self.standard_errors_ = dict(zip(self.param_names, map(float, ses), strict=True))
        self.log_likelihood_ = -float(neg_log_lik(params))
        self.n_ = n

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise ValueError(f"{type(self).__name__} is not fitted yet; call fit(...) first")

    @property
    def summary(self) -> pd.DataFrame:
        """One row per parameter: coef, se(coef), and the 95% Wald interval."""
        import pandas as pd

        return pd.DataFrame(self.summary_rows()).set_index("param")

    def summary_rows(self) -> list[dict[str, Any]]:
        """The summary as JSON-ready rows."""
        self._check_fitted()
        rows = []
        for name in self.param_names:
            coef, se = self.params_[name], self.standard_errors_[name]
            rows.append(
                {
                    "param": name,
                    "coef": coef,
                    "se(coef)": se,
                    "lower 0.95": coef - Z_95 * se,
                    "upper 0.95": coef + Z_95 * se,
                }
            )
        return rows

    def print_summary(self) -> None:
        """Print the summary, the log-likelihood and n."""
        print(type(self).__name__, f"n={self.n_}", f"log-likelihood={self.log_likelihood_:.4f}")
        print(self.summary.to_string(float_format=lambda v: f"{v:.4f}"))

"""BG/NBD and Gamma-Gamma reproduce the published CDNOW estimates.

Source: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative
to the Pareto/NBD model", Marketing Science 24(2) — BG/NBD on the CDNOW cohort of 2,357
customers over 39 weeks: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
analysis", JMR 42(4), and Fader & Hardie's note "The Gamma-Gamma model of monetary value"
(2013) — on the 946 repeat buyers: p = 6.25, q = 3.74, gamma = 15.44.

The data is the copy of the CDNOW summary shipped in the `lifetimes` package (a test-only
dependency; goodwill does not import it): we read its CSV file.
"""

from __future__ import annotations

from importlib.metadata import distribution

import pandas as pd
import pytest

from goodwill.analytics.clv.bgnbd import BetaGeoFitter
from goodwill.analytics.clv.gamma_gamma import GammaGammaFitter


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    path = distribution("lifetimes").locate_file(
        "lifetimes/datasets/cdnow_customers_summary_with_transactions.csv"
    )
    return pd.read_csv(str(path))


def test_the_cdnow_cohort_is_the_papers(cdnow: pd.DataFrame) -> None:
    assert len(cdnow) == 2357
    assert int((cdnow.x > 0).sum()) == 946


def test_bgnbd_reproduces_the_published_estimates(cdnow: pd.DataFrame) -> None:
    fitted = BetaGeoFitter().fit(cdnow.x.to_numpy(), cdnow.t_x.to_numpy(), cdnow["T"].to_numpy())
    assert fitted.params_["r"] == pytest.approx(0.243, abs=0.001)
    assert fitted.params_["alpha"] == pytest.approx(4.414, abs=0.001)
    assert fitted.params_["a"] == pytest.approx(0.793, abs=0.001)
    assert fitted.params_["b"] == pytest.approx(2.426, abs=0.001)
    assert fitted.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_reproduces_the_published_estimates(cdnow: pd.DataFrame) -> None:
    repeat = cdnow[cdnow.x > 0]
    fitted = GammaGammaFitter().fit(repeat.x.to_numpy(), repeat.zbar.to_numpy())
    assert fitted.params_["p"] == pytest.approx(6.25, abs=0.01)
    assert fitted.params_["q"] == pytest.approx(3.74, abs=0.01)
    assert fitted.params_["gamma"] == pytest.approx(15.44, abs=0.01)

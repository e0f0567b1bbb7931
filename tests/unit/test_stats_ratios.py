"""The risk ratio (Katz log interval) against numbers worked by hand and by simulation."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from goodwill.domain.stats import risk_ratio


def test_matches_the_worked_katz_interval() -> None:
    """20/100 vs 10/100: RR 2, se = sqrt(1/20 - 1/100 + 1/10 - 1/100) = 0.3606, so the
    interval is exp(ln 2 ± 1.96·0.3606) = 0.9866 … 4.0545 (computed by hand)."""
    est = risk_ratio(20, 100, 10, 100)
    assert est.value == 2.0
    assert math.isclose(est.ci_low or 0, 0.9866, abs_tol=1e-3)
    assert math.isclose(est.ci_high or 0, 4.0545, abs_tol=1e-3)


def test_empty_groups_give_reasons() -> None:
    assert risk_ratio(0, 0, 1, 10).reason == "no one in the group"
    assert risk_ratio(1, 10, 0, 0).reason == "no one to compare with"
    assert risk_ratio(0, 10, 0, 10).reason == "no events in either group"
    assert risk_ratio(11, 10, 0, 10).reason == "more events than people"


@given(st.integers(1, 500), st.integers(1, 500), st.data())
def test_interval_brackets_the_ratio(n: int, other_n: int, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, n))
    c = data.draw(st.integers(0, other_n))
    est = risk_ratio(a, n, c, other_n)
    if a + c == 0:
        assert not est.ok
        return
    assert est.ok and est.ci_low is not None and est.ci_high is not None
    assert 0 < est.ci_low <= (est.value or 0) <= est.ci_high < math.inf


def test_covers_the_true_ratio_about_95_percent_of_the_time() -> None:
    """2,000 simulated studies with true risks 0.15 and 0.10 (RR 1.5), 800 per group."""
    rng = np.random.Generator(np.random.PCG64(1))
    a = rng.binomial(800, 0.15, 2_000)
    c = rng.binomial(800, 0.10, 2_000)
    covered = np.mean(
        [risk_ratio(int(x), 800, int(y), 800).covers(1.5) for x, y in zip(a, c, strict=True)]
    )
    assert 0.93 <= covered <= 0.97

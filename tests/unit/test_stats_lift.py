"""Welch / delta-method lift and CUPED against published and simulated values."""

from __future__ import annotations

import random

import pytest

from goodwill.domain.stats import PairedStats, SampleStats, cuped_lift, lift_test


def test_growthbook_frequentist_golden() -> None:
    """GrowthBook's frequentist example (gbstats tests, TwoSidedTTest, relative lift):
    control mean 0.41, sd 3.9, n 3407; treatment mean 0.70, sd 6.2, n 3461 →
    relative lift 0.70732, 95% CI [-0.03526, 1.44989], p-value 0.06191.
    """
    control = SampleStats.from_moments(3407, 0.41, 3.9)
    treatment = SampleStats.from_moments(3461, 0.70, 6.2)
    result = lift_test(control, treatment)
    assert result.estimate == pytest.approx(0.70732, abs=5e-6)
    assert result.ci_low == pytest.approx(-0.03526, abs=5e-6)
    assert result.ci_high == pytest.approx(1.44989, abs=5e-6)
    assert result.p_value == pytest.approx(0.06191, abs=5e-6)
    assert result.reason is None


def test_absolute_difference_matches_welch_by_hand() -> None:
    """Absolute lift: difference of means, se sqrt(s1²/n1 + s2²/n2) (Welch 1947)."""
    control = SampleStats.of([1.0, 2.0, 3.0, 4.0])
    treatment = SampleStats.of([2.0, 4.0, 6.0, 8.0, 10.0])
    result = lift_test(control, treatment, relative=False)
    assert result.estimate == pytest.approx(3.5)
    assert result.se == pytest.approx((10 / 5 + (5 / 3) / 4) ** 0.5)
    assert result.ci_low is not None and result.ci_low < 3.5 < (result.ci_high or 0)


@pytest.mark.parametrize(
    ("control", "treatment", "reason"),
    [
        (SampleStats(0, 0.0, 0.0), SampleStats(5, 5.0, 5.0), "fewer than two"),
        (SampleStats.of([1.0, 1.0]), SampleStats.of([2.0, 2.0]), "no variance"),
        (SampleStats.of([-1.0, 1.0]), SampleStats.of([2.0, 3.0]), "control mean is zero"),
    ],
)
def test_degenerate_input_gives_reason(
    control: SampleStats, treatment: SampleStats, reason: str
) -> None:
    result = lift_test(control, treatment)
    assert result.estimate is None
    assert result.reason is not None and reason in result.reason


def _arm(rng: random.Random, n: int, effect: float) -> PairedStats:
    pre = [rng.gauss(10, 3) for _ in range(n)]
    post = [x + rng.gauss(0, 1) + effect for x in pre]
    return PairedStats.of(pre, post)


def test_cuped_reduces_variance_and_keeps_the_estimate() -> None:
    """With post = pre + noise, CUPED should remove most of the variance (ρ² ≈ 0.9)."""
    rng = random.Random(7)
    result = cuped_lift(_arm(rng, 2000, 0.0), _arm(rng, 2000, 1.0), relative=False)
    assert result.theta == pytest.approx(1.0, abs=0.05)
    assert result.variance_reduction is not None and result.variance_reduction > 0.8
    assert result.adjusted.covers(1.0)
    assert (result.adjusted.se or 1) < (result.unadjusted.se or 0)


def test_cuped_without_pre_variance_falls_back() -> None:
    control = PairedStats.of([1.0] * 5, [1.0, 2.0, 3.0, 4.0, 5.0])
    treatment = PairedStats.of([1.0] * 5, [2.0, 3.0, 4.0, 5.0, 6.0])
    result = cuped_lift(control, treatment)
    assert result.theta is None
    assert result.adjusted == result.unadjusted


def test_lift_ci_covers_truth_about_95_percent() -> None:
    """Coverage: 200 simulated experiments with true relative lift 0.10."""
    rng = random.Random(11)
    covered = 0
    for _ in range(200):
        control = SampleStats.of([rng.expovariate(1 / 10) for _ in range(300)])
        treatment = SampleStats.of([rng.expovariate(1 / 11) for _ in range(300)])
        covered += lift_test(control, treatment).covers(0.10)
    assert 180 <= covered <= 199

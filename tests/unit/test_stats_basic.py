"""Proportions, rates per population, NPS, AUC and Kaplan-Meier: edge cases and hand values."""

from __future__ import annotations

import itertools
import random

import pytest

from goodwill.domain.stats import (
    SurvivalStep,
    auc_from_counts,
    kaplan_meier,
    mean_estimate,
    net_promoter_score,
    nps_counts,
    proportion,
    rate_per,
    steps_from_durations,
)


def test_nps_with_no_answers_is_no_nps_not_zero() -> None:
    result = net_promoter_score(0, 0, 0)
    assert result.value is None and result.reason == "no answers" and result.n == 0


def test_nps_by_hand() -> None:
    """50 promoters, 30 passives, 20 detractors: NPS 30; var = (0.5+0.2-0.09)/100."""
    result = net_promoter_score(50, 30, 20)
    assert result.value == pytest.approx(30.0)
    half = 1.959964 * 100 * (0.61 / 100) ** 0.5
    assert result.ci_low == pytest.approx(30 - half, abs=1e-4)
    assert result.ci_high == pytest.approx(30 + half, abs=1e-4)


def test_nps_all_promoters_has_zero_width_and_stays_in_range() -> None:
    result = net_promoter_score(10, 0, 0)
    assert result.value == 100.0 and result.ci_high == 100.0 and result.ci_low == 100.0


def test_nps_counts_bands() -> None:
    """Promoters 9-10, passives 7-8, detractors 0-6 (Reichheld 2003)."""
    assert nps_counts([0, 6, 7, 8, 9, 10]) == (2, 2, 2)


def test_complaints_per_thousand_with_zero_customers() -> None:
    result = rate_per(4, 0, per=1000)
    assert result.value is None and result.reason == "no customers"


def test_complaints_per_hundred_thousand_exact_poisson() -> None:
    """Garwood exact limits for 10 events: [4.7954, 18.3904] (Ulm 1990 tables)."""
    result = rate_per(10, 100_000, per=100_000)
    assert result.value == 10.0
    assert result.ci_low == pytest.approx(4.7954, abs=1e-3)
    assert result.ci_high == pytest.approx(18.3904, abs=1e-3)


def test_zero_complaints_has_a_positive_upper_limit() -> None:
    result = rate_per(0, 1000)
    assert result.value == 0.0 and result.ci_low == 0.0
    assert result.ci_high == pytest.approx(3.6889, abs=1e-3)  # -ln(0.025)


def test_wilson_interval_by_hand() -> None:
    """Wilson (1927) for 8/10: [0.4902, 0.9433] (Newcombe 1998, Table I method 3)."""
    result = proportion(8, 10)
    assert result.ci_low == pytest.approx(0.4902, abs=1e-4)
    assert result.ci_high == pytest.approx(0.9433, abs=1e-4)
    assert proportion(0, 0).value is None


def test_mean_of_one_has_no_interval() -> None:
    assert mean_estimate(1, 5.0, 25.0).ci_low is None
    assert mean_estimate(0, 0.0, 0.0).reason == "no observations"


def test_kaplan_meier_with_censoring_by_hand() -> None:
    """Six customers: left at 1, 3, 3, 6; censored at 2 and 5.

    S(1)=5/6; S(3)=5/6·(1-2/4)=5/12; S(6)=5/12·0=0 (at risk 1). Greenwood at 3:
    S²·(1/(6·5) + 2/(4·2)) = (5/12)²·(1/30+1/4).
    """
    km = kaplan_meier(steps_from_durations([1, 2, 3, 3, 5, 6], [1, 0, 1, 1, 0, 1]))
    assert [p.time for p in km.points] == [1, 3, 6]
    assert [p.at_risk for p in km.points] == [6, 4, 1]
    assert km.points[0].survival == pytest.approx(5 / 6)
    assert km.points[1].survival == pytest.approx(5 / 12)
    assert km.points[2].survival == 0.0
    assert km.at(2.5).value == pytest.approx(5 / 6)
    at3 = km.at(4)
    assert at3.ci_low is not None and at3.ci_low < 5 / 12 < (at3.ci_high or 0)
    assert km.at(7).value is None  # nobody followed that long


def test_kaplan_meier_all_censored_stays_at_one() -> None:
    km = kaplan_meier([SurvivalStep(3, 0, 4)])
    assert km.at(3).value == 1.0 and km.at(2).value == 1.0


def test_kaplan_meier_empty_cohort() -> None:
    km = kaplan_meier([])
    assert km.at(12).value is None and km.at(12).reason == "no customers"


def test_auc_matches_pairwise_count() -> None:
    rng = random.Random(3)
    pos = [rng.randint(0, 10) for _ in range(40)]
    neg = [rng.randint(0, 7) for _ in range(60)]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    result = auc_from_counts(_counts(pos), _counts(neg))
    assert result.value == pytest.approx(wins / (40 * 60))
    assert result.n == 100


def test_auc_hanley_mcneil_se_by_hand() -> None:
    """A = 0.5 with 10/10: Q1 = 1/3, Q2 = 1/3, var = (0.25 + 9·(1/3-1/4)·2)/100."""
    result = auc_from_counts({0: 5, 1: 5}, {0: 5, 1: 5})
    se = ((0.25 + 18 * (1 / 3 - 0.25)) / 100) ** 0.5
    assert result.value == 0.5
    assert result.ci_high == pytest.approx(0.5 + 1.959964 * se, abs=1e-5)


def test_auc_without_positives_has_reason() -> None:
    assert auc_from_counts({}, {1: 2}).reason == "no positives"
    assert auc_from_counts({1: 2}, {}).reason == "no negatives"


def _counts(values: list[int]) -> dict[float, int]:
    out: dict[float, int] = {}
    for v in values:
        out[float(v)] = out.get(float(v), 0) + 1
    return out

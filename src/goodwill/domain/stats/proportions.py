"""Proportions, rates per population, and the Net Promoter Score, each with its 95% CI."""

from __future__ import annotations

import math

from goodwill.domain.stats.estimate import Z_95, Estimate


def proportion(successes: int, n: int) -> Estimate:
    """``successes / n`` with a Wilson score 95% interval (sound near 0 and 1 and for small n).

    >>> round(proportion(5, 10).value, 2)
    0.5
    >>> proportion(0, 0).reason
    'no observations'
    """
    if n <= 0:
        return Estimate.missing(0, "no observations")
    if not 0 <= successes <= n:
        return Estimate.missing(n, f"{successes} successes is not between 0 and {n}")
    p = successes / n
    z2 = Z_95 * Z_95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(value=p, n=n, ci_low=max(0.0, centre - half), ci_high=min(1.0, centre + half))


def rate_per(events: int, population: int, per: int = 1000) -> Estimate:
    """Events per ``per`` members of a population (Ofcom: complaints per 1,000 / 100,000).

    The interval is the exact (Garwood) Poisson interval of the count, scaled. With no
    population there is no rate, which is not the same as a rate of 0.

    >>> rate_per(3, 0).reason
    'no customers'
    >>> rate_per(5, 2000).value
    2.5
    """
    from scipy.stats import chi2

    if population <= 0:
        return Estimate.missing(0, "no customers")
    scale = per / population
    low = float(chi2.ppf(0.025, 2 * events)) / 2 if events > 0 else 0.0
    high = float(chi2.ppf(0.975, 2 * events + 2)) / 2
    return Estimate(value=events * scale, n=population, ci_low=low * scale, ci_high=high * scale)


def net_promoter_score(promoters: int, passives: int, detractors: int) -> Estimate:
    """NPS in points (-100…100) from the counts of promoters (9-10) and detractors (0-6).

    The score is 100·(p_P - p_D); its variance is that of a difference of two shares of
    one multinomial sample, (p_P + p_D - (p_P - p_D)²)/n. No answers is no NPS (not 0).

    >>> net_promoter_score(6, 2, 2).value
    40.0
    >>> net_promoter_score(0, 0, 0).reason
    'no answers'
    """
    n = promoters + passives + detractors
    if n <= 0:
        return Estimate.missing(0, "no answers")
    p_pro, p_det = promoters / n, detractors / n
    score = p_pro - p_det
    se = math.sqrt(max(0.0, p_pro + p_det - score * score) / n)
    est = Estimate.normal(100 * score, 100 * se, n)
    return Estimate(
        value=est.value,
        n=n,
        ci_low=max(-100.0, est.ci_low or 0.0),
        ci_high=min(100.0, est.ci_high or 0.0),
    )


def nps_counts(scores: list[int]) -> tuple[int, int, int]:
    """(promoters, passives, detractors) among 0-10 scores."""
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return promoters, len(scores) - promoters - detractors, detractors


def mean_estimate(n: int, total: float, sum_squares: float) -> Estimate:
    """A mean with a normal 95% interval from sufficient statistics (CSAT, revenue …)."""
    if n <= 0:
        return Estimate.missing(0, "no observations")
    mean = total / n
    if n < 2:
        return Estimate(value=mean, n=n, reason="one observation: no interval")
    var = max(0.0, (sum_squares - total * total / n) / (n - 1))
    return Estimate.normal(mean, math.sqrt(var / n), n)

"""Kaplan-Meier survival from counts per time step, with Greenwood's variance.

The database sends, per (cohort, time), how many left (``events``) and how many were last
seen still there (``censored``); the estimator needs nothing else. Intervals are the
log(-log) transform of Greenwood's variance (lifelines' and R survival's default), which
stays inside [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from goodwill.domain.stats.estimate import Z_95, Estimate


@dataclass(frozen=True)
class SurvivalStep:
    """At ``time``, ``events`` left and ``censored`` were observed for the last time."""

    time: float
    events: int
    censored: int = 0


@dataclass(frozen=True)
class SurvivalPoint:
    """S(t) just after ``time``, with the number still at risk at ``time`` and its CI."""

    time: float
    at_risk: int
    events: int
    survival: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier curve. ``points`` is empty (with a ``reason``) for an empty cohort."""

    n: int
    points: tuple[SurvivalPoint, ...]
    followed_until: float = 0.0  # the longest time anyone was observed, left or not
    reason: str | None = None

    def at(self, time: float) -> Estimate:
        """S(time): the curve's value at the last step at or before ``time``.

        Beyond the last observed time the curve is unknown, so that returns a reason.
        """
        if self.n == 0:
            return Estimate.missing(0, self.reason or "no customers")
        if time > self.followed_until:
            return Estimate.missing(self.n, f"no one was followed for {time:g}")
        last = SurvivalPoint(0.0, self.n, 0, 1.0, 1.0, 1.0)
        for point in self.points:
            if point.time > time:
                break
            last = point
        return Estimate(last.survival, self.n, last.ci_low, last.ci_high)


def steps_from_durations(
    durations: Iterable[float], observed: Iterable[bool]
) -> list[SurvivalStep]:
    """Aggregate individual (duration, left?) pairs into steps (for tests and small data)."""
    counts: dict[float, list[int]] = {}
    for time, left in zip(durations, observed, strict=True):
        slot = counts.setdefault(float(time), [0, 0])
        slot[0 if left else 1] += 1
    return [SurvivalStep(t, e, c) for t, (e, c) in sorted(counts.items())]


def kaplan_meier(steps: Sequence[SurvivalStep]) -> KaplanMeier:
    """The Kaplan-Meier estimate from counts per time; censoring at t counts as at risk at t.

    >>> km = kaplan_meier([SurvivalStep(1, 1), SurvivalStep(2, 1, 1), SurvivalStep(3, 1)])
    >>> [round(p.survival, 3) for p in km.points]
    [0.75, 0.5, 0.0]
    """
    n = sum(s.events + s.censored for s in steps)
    if n == 0:
        return KaplanMeier(0, (), reason="no customers")
    at_risk, survival, greenwood = n, 1.0, 0.0
    points = []
    for step in sorted(steps, key=lambda s: s.time):
        if step.events:
            survival *= 1 - step.events / at_risk
            if at_risk > step.events:
                greenwood += step.events / (at_risk * (at_risk - step.events))
            low, high = _loglog_ci(survival, greenwood)
            points.append(SurvivalPoint(step.time, at_risk, step.events, survival, low, high))
        at_risk -= step.events + step.censored
    return KaplanMeier(n, tuple(points), followed_until=max(s.time for s in steps))


def _loglog_ci(survival: float, greenwood: float) -> tuple[float, float]:
    if survival <= 0.0:
        return 0.0, 0.0
    if survival >= 1.0 or greenwood == 0.0:
        return survival, survival
    log_s = math.log(survival)
    se = math.sqrt(greenwood) / abs(log_s)
    # exp(-exp(log(-log S) ± z·se)) = S^exp(∓z·se)
    return survival ** math.exp(Z_95 * se), survival ** math.exp(-Z_95 * se)

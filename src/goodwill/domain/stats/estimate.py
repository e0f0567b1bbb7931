"""The value every statistic returns: a figure, its n, its 95% interval, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass

#: Two-sided 97.5th percentile of the standard normal, for 95% intervals.
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A figure with the number of observations behind it and, for an estimate, its 95% CI.

    Degenerate input (no observations, zero variance) does not raise: ``value`` is None
    and ``reason`` says why, as gbstats does. ``ci_low``/``ci_high`` are None for exact
    counts and wherever no interval can be computed.

    >>> Estimate.missing(0, "no answers")
    Estimate(value=None, n=0, ci_low=None, ci_high=None, reason='no answers')
    """

    value: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    reason: str | None = None

    @classmethod
    def missing(cls, n: int, reason: str) -> Estimate:
        """No figure: ``reason`` says why (e.g. ``"no answers"``)."""
        return cls(value=None, n=n, reason=reason)

    @classmethod
    def normal(cls, value: float, se: float, n: int) -> Estimate:
        """``value`` with a normal-approximation 95% interval of standard error ``se``."""
        return cls(value=value, n=n, ci_low=value - Z_95 * se, ci_high=value + Z_95 * se)

    @property
    def ok(self) -> bool:
        """Whether there is a figure."""
        return self.value is not None

    def covers(self, truth: float) -> bool:
        """Whether the 95% interval contains ``truth`` (False when there is no interval)."""
        if self.ci_low is None or self.ci_high is None:
            return False
        return self.ci_low <= truth <= self.ci_high

    def as_dict(self) -> dict[str, float | int | str | None]:
        """A JSON-ready mapping."""
        return {
            "value": self.value,
            "n": self.n,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "reason": self.reason,
        }

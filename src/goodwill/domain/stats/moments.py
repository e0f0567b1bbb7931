"""Sufficient statistics of a sample, as a database computes them: n, sum, sum of squares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SampleStats:
    """``n`` observations with their ``total`` and ``sum_squares`` (one SQL GROUP BY row).

    >>> s = SampleStats.of([1.0, 2.0, 3.0])
    >>> s.mean, s.variance
    (2.0, 1.0)
    """

    n: int
    total: float
    sum_squares: float

    @classmethod
    def of(cls, values: Iterable[float]) -> SampleStats:
        """The sufficient statistics of ``values`` (for tests and small samples)."""
        xs = list(values)
        return cls(n=len(xs), total=float(sum(xs)), sum_squares=float(sum(x * x for x in xs)))

    @classmethod
    def from_moments(cls, n: int, mean: float, sd: float) -> SampleStats:
        """Rebuild the sums from a published mean and (sample) standard deviation."""
        total = mean * n
        sum_squares = sd * sd * (n - 1) + total * total / n if n else 0.0
        return cls(n=n, total=total, sum_squares=sum_squares)

    @property
    def mean(self) -> float:
        """The sample mean (0.0 when empty)."""
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        """The sample variance with Bessel's correction (0.0 below two observations)."""
        if self.n < 2:
            return 0.0
        return max(0.0, (self.sum_squares - self.total * self.total / self.n) / (self.n - 1))


@dataclass(frozen=True)
class PairedStats:
    """Sufficient statistics of (pre, post) pairs, for CUPED: sums of x, y, x², y², xy."""

    n: int
    sum_x: float
    sum_y: float
    sum_x2: float
    sum_y2: float
    sum_xy: float

    @classmethod
    def of(cls, xs: Iterable[float], ys: Iterable[float]) -> PairedStats:
        """The sufficient statistics of paired values (for tests and small samples)."""
        pairs = list(zip(xs, ys, strict=True))
        return cls(
            n=len(pairs),
            sum_x=float(sum(x for x, _ in pairs)),
            sum_y=float(sum(y for _, y in pairs)),
            sum_x2=float(sum(x * x for x, _ in pairs)),
            sum_y2=float(sum(y * y for _, y in pairs)),
            sum_xy=float(sum(x * y for x, y in pairs)),
        )

    @property
    def pre(self) -> SampleStats:
        """The pre-period sample alone."""
        return SampleStats(self.n, self.sum_x, self.sum_x2)

    @property
    def post(self) -> SampleStats:
        """The post-period sample alone."""
        return SampleStats(self.n, self.sum_y, self.sum_y2)

    @property
    def covariance(self) -> float:
        """Sample covariance of pre and post (0.0 below two pairs)."""
        if self.n < 2:
            return 0.0
        return (self.sum_xy - self.sum_x * self.sum_y / self.n) / (self.n - 1)

    def __add__(self, other: PairedStats) -> PairedStats:
        return PairedStats(
            self.n + other.n,
            self.sum_x + other.sum_x,
            self.sum_y + other.sum_y,
            self.sum_x2 + other.sum_x2,
            self.sum_y2 + other.sum_y2,
            self.sum_xy + other.sum_xy,
        )

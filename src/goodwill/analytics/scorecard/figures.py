"""What a scorecard holds: figures with their n and interval, curves, lifts, readings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from goodwill.domain.stats import Estimate, KaplanMeier, LiftResult


@dataclass(frozen=True)
class Figure:
    """One figure of a perspective. ``unit`` says how to show it:

    ``share`` (0-1), ``points`` (NPS), ``minor`` (money in minor units of ``currency``),
    ``rate`` (per the ``per`` in the label), ``auc`` (0-1), ``minutes``, ``hours``, ``days``,
    ``months`` or ``count``.
    """

    key: str
    label: str
    estimate: Estimate
    unit: str = "count"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "unit": self.unit, **self.estimate.as_dict()}


@dataclass(frozen=True)
class Curve:
    """A Kaplan-Meier retention curve of a group of customers (months since joining)."""

    label: str
    km: KaplanMeier

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "n": self.km.n,
            "reason": self.km.reason,
            "months": [0.0, *(p.time for p in self.km.points)],
            "survival": [1.0, *(p.survival for p in self.km.points)],
            "ci_low": [1.0, *(p.ci_low for p in self.km.points)],
            "ci_high": [1.0, *(p.ci_high for p in self.km.points)],
        }


@dataclass(frozen=True)
class Lift:
    """Treatment against holdout of one gift kind on one metric."""

    kind: str
    metric: str
    result: LiftResult
    variance_reduction: float | None = None  # from CUPED, when used

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "metric": self.metric,
            "variance_reduction": self.variance_reduction,
            **self.result.as_dict(),
        }


@dataclass(frozen=True)
class Perspective:
    """One of the four Balanced Scorecard perspectives, with a plain-language reading."""

    name: str
    figures: tuple[Figure, ...]
    reading: str
    curves: tuple[Curve, ...] = ()
    lifts: tuple[Lift, ...] = ()

    def figure(self, key: str) -> Figure:
        """The figure called ``key``."""
        for f in self.figures:
            if f.key == key:
                return f
        raise KeyError(f"perspective {self.name} has no figure {key!r}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "reading": self.reading,
            "figures": [f.as_dict() for f in self.figures],
            "curves": [c.as_dict() for c in self.curves],
            "lifts": [lift.as_dict() for lift in self.lifts],
        }


@dataclass(frozen=True)
class Scorecard:
    """The four perspectives as of a day, in one currency."""

    asof: date
    currency: str
    perspectives: tuple[Perspective, ...] = field(default_factory=tuple)

    def perspective(self, name: str) -> Perspective:
        """The perspective called ``name`` (customer, financial, process, learning)."""
        for p in self.perspectives:
            if p.name == name:
                return p
        raise KeyError(f"the scorecard has no perspective {name!r}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "asof": self.asof.isoformat(),
            "currency": self.currency,
            "perspectives": [p.as_dict() for p in self.perspectives],
        }

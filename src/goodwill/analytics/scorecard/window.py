"""The time window a scorecard looks at, and small ibis helpers every perspective uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from goodwill.domain.periods import window_periods

#: Average days in a month (365.25 / 12): tenure in months is days / this.
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Window:
    """As of ``asof`` (exclusive), over the ``months`` complete months before its month."""

    asof: date
    months: int = 12

    @property
    def periods(self) -> tuple[str, ...]:
        return window_periods(self.asof, self.months)

    @property
    def end(self) -> datetime:
        """The first instant not counted: midnight UTC at the start of ``asof``."""
        return datetime(self.asof.year, self.asof.month, self.asof.day, tzinfo=UTC)

    @property
    def start(self) -> datetime:
        """The first instant counted: the start of the window's first month."""
        first = self.periods[0]
        return datetime(int(first[:4]), int(first[5:]), 1, tzinfo=UTC)

    @property
    def through_asof(self) -> datetime:
        """The end of the as-of day: what goodwill itself did (the store) counts up to here,
        so a scorecard made right after a care run shows what that run gave."""
        return self.end + timedelta(days=1)

    @property
    def periods_through_asof(self) -> tuple[str, ...]:
        """The window's months and the as-of month so far (for what the store records)."""
        current = f"{self.asof.year:04d}-{self.asof.month:02d}"
        return self.periods if self.periods[-1] == current else (*self.periods, current)

    def days_before(self, days: int) -> datetime:
        return self.end - timedelta(days=days)


def ts(value: datetime) -> ir.TimestampScalar:
    """A UTC timestamp literal comparable with the ledger's TIMESTAMPTZ columns."""
    return ibis.literal(value, type="timestamp('UTC')")


def days_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """Days from ``start`` to ``end`` as a float."""
    return (end.epoch_seconds() - start.epoch_seconds()).cast("float64") / 86400.0


def one_row(expr: ibis.Table) -> dict[str, Any]:
    """The single row of an aggregate, as plain Python values (None for NULL)."""
    rows = expr.to_pyarrow().to_pylist()
    return rows[0] if rows else {}


def all_rows(expr: ibis.Table) -> list[dict[str, Any]]:
    """Every row of a (small) result, as plain Python values."""
    rows: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
    return rows


def moments_of(value: ir.NumericValue) -> dict[str, ir.Scalar]:
    """n, sum and sum of squares of a column: the sufficient statistics of its mean."""
    as_float = value.cast("float64")
    return {
        "n": value.count(),
        "total": as_float.sum().coalesce(0.0),
        "sum_squares": (as_float * as_float).sum().coalesce(0.0),
    }

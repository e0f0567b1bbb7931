"""One rating run: what every batch needs (plans, window, rules) and the rows it reads.

A :class:`RatingJob` is made once per run (catalogue read, kinds found, plans laid out,
the kernel compiled or loaded from its cache) and is small and picklable: DuckDB's
batches and Spark's partitions are rated by the same :func:`goodwill.analytics.
advice_batch.rate_batch` with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from goodwill.analytics.catalogue import load_catalogue
from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.analytics.plan_arrays import PlanArrays, plan_arrays
from goodwill.domain.advice import AdviceRules
from goodwill.domain.periods import first_day, window_periods
from goodwill.errors import LedgerError
from goodwill.ledger.rating_usage import RatingUsage, seen_column, use_column
from goodwill.ledger.reader import Ledger

#: Quantities above this would overflow the kernel's 64-bit sums (with 6 months of rates).
MAX_QUANTITY = 2**40 - 1


@dataclass(frozen=True)
class RatingJob:
    """Everything a batch of subscriptions is rated with."""

    asof: date
    window: tuple[str, ...]
    recorded: tuple[str, ...]  # the window's months with any usage in the ledger
    cells: frozenset[tuple[str, str]]  # the window's (month, kind) with any usage
    plans: PlanArrays  # laid out for the window's kinds, in name order
    rules: AdviceRules
    min_months: int  # rows with fewer history months are left out
    limited: tuple[str, ...]  # kinds some plan limits: they get an ``avg_`` column

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.plans.kinds


def rating_job(
    ledger: Ledger,
    usage: RatingUsage,
    asof: date,
    lookback_months: int,
    rules: AdviceRules,
    min_months: int | None = None,
) -> RatingJob:
    """Read the catalogue and lay it out for the kinds used in the window."""
    window = window_periods(asof, lookback_months)
    kinds = usage.kinds_in(window)
    too_big = sorted({k for (p, k), q in usage.cells.items() if p in window and q > MAX_QUANTITY})
    if too_big:
        raise LedgerError(
            f"usage of {', '.join(too_big)} has a monthly quantity over {MAX_QUANTITY:,}; "
            "record it in a larger unit (e.g. GB instead of MB)"
        )
    plans = plan_arrays(load_catalogue(ledger), kinds)
    limited = tuple(k for j, k in enumerate(kinds) if (plans.included[:, j] >= 0).any())
    recorded = tuple(p for p in window if p in usage.periods)
    floor = rules.min_history_months if min_months is None else min_months
    cells = frozenset(c for c in usage.cells if c[0] in window)
    return RatingJob(asof, window, recorded, cells, plans, rules, max(floor, 1), limited)


def quote_for(dialect: str, name: str) -> str:
    """A column name quoted for DuckDB (``"a"``) or Spark SQL (`` `a` ``)."""
    if dialect == "spark":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def _timestamp(day: date, dialect: str) -> str:
    stamp = start_of_day_after(day).strftime("%Y-%m-%d %H:%M:%S")
    return f"TIMESTAMP '{stamp}'" if dialect == "spark" else f"TIMESTAMPTZ '{stamp}+00'"


def window_select(job: RatingJob, relation: str, dialect: str = "duckdb") -> str:
    """The active subscriptions' rows of the rating-ready table, with the window's columns:
    ``use/{m}/{j}`` (window month m, kind j) and ``present/{m}`` (a history month)."""
    q = lambda name: quote_for(dialect, name)  # noqa: E731
    columns = ["subscription_id", "customer_id", "plan_id", "contract_end"]
    for m, period in enumerate(job.window):
        recorded = period in job.recorded
        for j, kind in enumerate(job.kinds):
            source = q(use_column(period, kind)) if (period, kind) in job.cells else "0"
            columns.append(f"{source} AS {q(f'use/{m}/{j}')}")
        live = f"started_at < {_timestamp(first_day(period), dialect)}"
        present = f"({q(seen_column(period))} AND {live})" if recorded else "false"
        columns.append(f"{present} AS {q(f'present/{m}')}")
    cutoff = _timestamp(job.asof, dialect)
    return (
        f"SELECT {', '.join(columns)} FROM {relation} "
        f"WHERE started_at < {cutoff} AND (ended_at IS NULL OR ended_at >= {cutoff})"
    )


def use_names(job: RatingJob) -> Sequence[str]:
    return [f"use/{m}/{j}" for m in range(len(job.window)) for j in range(len(job.kinds))]


def present_names(job: RatingJob) -> Sequence[str]:
    return [f"present/{m}" for m in range(len(job.window))]

"""One rating run: what every batch needs (plans, window, rules) and the rows it reads.

A :class:`RatingJob` is made once per run (catalogue read, kinds found, plans laid out,
the kernel compiled or loaded from its cache) and is small and picklable: DuckDB's
batches and Spark's partitions are rated by the same :func:`goodwill.analytics.
advice_batch.rate_batch` with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from goodwill.analytics.catalogue import load_catalogue
from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.analytics.plan_arrays import PlanArrays, plan_arrays
from goodwill.domain.advice import AdviceRules
from goodwill.domain.periods import window_periods
from goodwill.errors import LedgerError
from goodwill.ledger.rating_usage import (
    SUBSCRIPTION_COLUMNS,
    RatingUsage,
    seen_column,
    use_column,
)
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


def window_columns(job: RatingJob) -> list[str]:
    """The rating-ready table's columns a run reads: the subscription's, then the window's
    use cells recorded (``use/{period}/{kind}``) and months recorded (``seen/{period}``)."""
    columns = list(SUBSCRIPTION_COLUMNS)
    columns += [use_column(p, k) for p in job.window for k in job.kinds if (p, k) in job.cells]
    return columns + [seen_column(p) for p in job.window if p in job.recorded]


def window_select(job: RatingJob, relation: str, dialect: str = "duckdb") -> str:
    """The active subscriptions' rows of the rating-ready table, with the window's columns
    (:func:`window_columns`); a batch of its rows is what
    :func:`goodwill.analytics.advice_batch.rate_batch` rates."""
    columns = ", ".join(quote_for(dialect, c) for c in window_columns(job))
    cutoff = _timestamp(job.asof, dialect)
    return (
        f"SELECT {columns} FROM {relation} "
        f"WHERE started_at < {cutoff} AND (ended_at IS NULL OR ended_at >= {cutoff})"
    )


def window_rows(job: RatingJob, rows: pa.Table) -> pa.Table:
    """What :func:`window_select` selects, from rows of the rating-ready table already
    in memory (one customer's lines): the active ones, with the window's columns."""
    cutoff = pa.scalar(start_of_day_after(job.asof), rows.schema.field("started_at").type)
    ended = rows.column("ended_at")
    active = pc.and_kleene(
        pc.less(rows.column("started_at"), cutoff),
        pc.or_kleene(pc.is_null(ended), pc.greater_equal(ended, cutoff)),
    )
    return rows.filter(pc.fill_null(active, False)).select(window_columns(job))

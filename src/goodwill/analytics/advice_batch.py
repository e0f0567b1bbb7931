"""Advice rows for one batch of subscriptions: the rating kernel's choice, summed up.

The same function rates a DuckDB record batch on one machine and a Spark partition on a
cluster (:mod:`goodwill.analytics.advice_engines`): the batch's columns become the
kernel's arrays (:func:`window_arrays`), and its choices the advice rows
(:mod:`goodwill.analytics.advice_rows`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from goodwill.analytics.advice_rows import advice_rows, advice_schema, advised, warm_up_rows
from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.analytics.rating_job import RatingJob
from goodwill.analytics.rating_kernel import NO_CANDIDATE, BestPlans, best_plans, use_block
from goodwill.analytics.rating_kernel import warm_up as warm_up_kernel
from goodwill.domain.periods import first_day
from goodwill.ledger.rating_usage import seen_column, use_column

__all__ = ["advice_schema", "advised_batch", "rate_batch", "warm_up", "window_arrays"]

Ints = npt.NDArray[np.int32] | npt.NDArray[np.int64]
#: A timestamp after every other: a missing start never began, a missing end never ends.
NEVER = 2**63 - 1


def _micros(column: pa.ChunkedArray | pa.Array, missing: int) -> npt.NDArray[np.int64]:
    """A timestamp column as microseconds since the epoch (UTC), ``missing`` for nulls."""
    typed = column.type
    assert isinstance(typed, pa.TimestampType), typed
    micros = pc.cast(column.cast(pa.timestamp("us", typed.tz)), pa.int64())
    found: npt.NDArray[np.int64] = pc.fill_null(micros, missing).to_numpy(zero_copy_only=False)
    return found


def _at(day: date) -> int:
    """The microsecond where the day after ``day`` begins (UTC)."""
    return int(start_of_day_after(day).timestamp()) * 1_000_000


def window_arrays(
    job: RatingJob, batch: pa.RecordBatch
) -> tuple[Ints, npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """The kernel's ``use``, ``present`` and ``current`` for the rows of ``batch``.

    ``use`` is one block per batch, a row per (month, kind) and a column per
    subscription (each use column copied once into its row), seen as ``[i, m, k]``;
    ``present`` likewise a row per month, seen as ``[i, m]``.
    A row that is not active on the day, or whose plan the catalogue lacks, has no
    history month, so it gets no advice row.
    """
    n, months, kinds = batch.num_rows, len(job.window), len(job.kinds)
    cells = [(m, j, batch.column(use_column(p, k)))
             for m, p in enumerate(job.window) for j, k in enumerate(job.kinds)
             if (p, k) in job.cells]  # fmt: skip
    wide = any(c.type == pa.int64() for _, _, c in cells)
    block = use_block(months, kinds, n, np.int64 if wide else np.int32)
    for m, j, column in cells:
        block[m, j] = column.to_numpy(zero_copy_only=False)
    use = block.transpose(2, 0, 1)
    plan_ids = pa.array(job.plans.plan_ids, pa.string())
    current = pc.index_in(batch.column("plan_id"), value_set=plan_ids)
    started = _micros(batch.column("started_at"), NEVER)
    cutoff = _at(job.asof)
    active = (started < cutoff) & (_micros(batch.column("ended_at"), NEVER) >= cutoff)
    active &= current.is_valid().to_numpy(zero_copy_only=False)
    by_month = np.zeros((months, n), np.bool_)  # a row per month, as the kernel reads it
    for m, period in enumerate(job.window):
        if period in job.recorded:
            seen = batch.column(seen_column(period)).to_numpy(zero_copy_only=False)
            np.logical_and(seen & active, started < _at(first_day(period)), out=by_month[m])
    rows = pc.fill_null(current, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    return use, by_month.T, rows


def rate_batch(job: RatingJob, batch: pa.RecordBatch) -> pa.RecordBatch:
    """Advice rows for the subscriptions of ``batch`` (rows of the rating-ready table
    with at least :func:`goodwill.analytics.rating_job.window_columns`) that are active,
    have enough history months and a candidate plan in their currency."""
    use, present, rows = window_arrays(job, batch)
    found = best_plans(use, present, rows, job.plans, job.rules.max_unfit_months)
    rated = _rated(job, found, job.min_months)
    return _rows_where(job, batch, rows, found, rated, advised(job, rows, found))


def advised_batch(
    job: RatingJob, batch: pa.RecordBatch, min_months: int, parallel: bool | None = None
) -> tuple[int, pa.RecordBatch]:
    """What ``goodwill advise`` keeps of ``batch``: how many of its subscriptions
    :func:`rate_batch` rates with at least ``min_months`` history months, and the
    advised rows among them, their catalogue columns as codes (:func:`advice_schema`).
    Only the advised become rows. ``parallel`` as :func:`best_plans`'s."""
    use, present, rows = window_arrays(job, batch)
    found = best_plans(use, present, rows, job.plans, job.rules.max_unfit_months, parallel)
    rated = _rated(job, found, max(job.min_months, min_months))
    flags = advised(job, rows, found)
    kept = _rows_where(job, batch, rows, found, rated & flags, flags, True)
    return int(np.count_nonzero(rated)), kept


def _rated(job: RatingJob, found: BestPlans, min_months: int) -> npt.NDArray[np.bool_]:
    """The subscriptions with a candidate plan and at least ``min_months`` history months."""
    rated: npt.NDArray[np.bool_] = (found.best > NO_CANDIDATE) & (
        found.months_considered >= min_months
    )
    return rated


def _rows_where(
    job: RatingJob,
    batch: pa.RecordBatch,
    rows: npt.NDArray[np.int64],
    found: BestPlans,
    keep: npt.NDArray[np.bool_],
    flags: npt.NDArray[np.bool_],
    catalogue_codes: bool = False,
) -> pa.RecordBatch:
    ids = batch.select(["subscription_id", "customer_id", "contract_end"])
    at = None if keep.all() else np.flatnonzero(keep)
    return advice_rows(job, ids, rows, found, flags, at, catalogue_codes)


def warm_up() -> None:
    """Load the compiled functions a batch is rated and turned into rows with (from
    numba's cache, or compile them): once per process, a second or two the first time;
    callers that time the rating call it first."""
    warm_up_kernel()
    warm_up_rows()

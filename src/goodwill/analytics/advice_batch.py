"""Advice rows for one batch of subscriptions: the rating kernel's choice, summed up.

The same function rates a DuckDB record batch on one machine and a Spark partition on a
cluster (:mod:`goodwill.analytics.advice_engines`). The columns are those the advice has
always had (see :func:`advice_schema`); the sums are exact integers, as the domain's:
mean costs are rounded half up (:func:`goodwill.domain.advice.mean_minor`), the
thresholds are tested on totals (:func:`goodwill.domain.advice.worth_advising`), and
an ``avg_{kind}`` is the mean use rounded half up to one decimal.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.analytics.rating_job import RatingJob
from goodwill.analytics.rating_kernel import NO_CANDIDATE, BestPlans, best_plans, use_block
from goodwill.domain.periods import first_day
from goodwill.ledger.rating_usage import seen_column, use_column

Ints = npt.NDArray[np.int32] | npt.NDArray[np.int64]
#: A timestamp after every other: a missing start never began, a missing end never ends.
NEVER = 2**63 - 1

_STRINGS = ("subscription_id", "customer_id", "currency", "current_plan_id", "current_plan_name",
            "recommended_plan_id", "recommended_plan_name")  # fmt: skip
_INTEGERS = ("current_monthly_cost_minor", "recommended_monthly_cost_minor",
             "monthly_saving_minor", "annual_saving_minor", "months_considered",
             "months_fitting", "months_cheaper", "headroom_permille")  # fmt: skip


def advice_schema(job: RatingJob) -> pa.Schema:
    """The columns of an advice row, in order."""
    fields = [pa.field(c, pa.string()) for c in _STRINGS]
    fields += [pa.field(c, pa.int64()) for c in _INTEGERS]
    fields += [("in_contract", pa.bool_()), ("contract_end", pa.date32()), ("advised", pa.bool_())]
    fields += [(f"avg_{kind}", pa.float64()) for kind in job.limited]
    return pa.schema(fields)


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
    subscription (each use column copied once into its row), seen as ``[i, m, k]``.
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
    present = np.zeros((n, months), np.bool_)
    for m, period in enumerate(job.window):
        if period in job.recorded:
            seen = batch.column(seen_column(period)).to_numpy(zero_copy_only=False)
            present[:, m] = seen & active & (started < _at(first_day(period)))
    rows = pc.fill_null(current, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    return use, present, rows


def rate_batch(job: RatingJob, batch: pa.RecordBatch) -> pa.RecordBatch:
    """Advice rows for the subscriptions of ``batch`` (rows of the rating-ready table
    with at least :func:`goodwill.analytics.rating_job.window_columns`) that are active,
    have enough history months and a candidate plan in their currency."""
    use, present, rows = window_arrays(job, batch)
    found = best_plans(use, present, rows, job.plans, job.rules.max_unfit_months)
    return _rows_where(job, batch, rows, found, _rated(job, found, job.min_months))


def advised_batch(
    job: RatingJob, batch: pa.RecordBatch, min_months: int
) -> tuple[int, pa.RecordBatch]:
    """What ``goodwill advise`` keeps of ``batch``: how many of its subscriptions
    :func:`rate_batch` rates with at least ``min_months`` history months, and the
    advised rows among them. Only the advised become rows."""
    use, present, rows = window_arrays(job, batch)
    found = best_plans(use, present, rows, job.plans, job.rules.max_unfit_months)
    rated = _rated(job, found, max(job.min_months, min_months))
    advised = rated & _advised(job, rows, found)
    return int(np.count_nonzero(rated)), _rows_where(job, batch, rows, found, advised)


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
) -> pa.RecordBatch:
    ids = batch.select(["subscription_id", "customer_id", "contract_end"])
    if keep.all():
        return _advice_rows(job, ids, rows, found)
    return _advice_rows(job, ids.filter(pa.array(keep)), rows[keep], _kept(found, keep))


def _kept(found: BestPlans, keep: npt.NDArray[np.bool_]) -> BestPlans:
    return BestPlans(
        **{name: getattr(found, name)[keep] for name in BestPlans.__dataclass_fields__}
    )


def _advised(
    job: RatingJob, current: npt.NDArray[np.int64], found: BestPlans
) -> npt.NDArray[np.bool_]:
    """A best plan other than the current one, saving enough (tested on the totals, as
    :func:`goodwill.domain.advice.worth_advising` does)."""
    rules, months = job.rules, found.months_considered
    saving_total = found.current_total_minor - found.best_total_minor
    worth = (
        (saving_total > 0)
        & (saving_total >= rules.min_saving_minor * months)
        & (saving_total * 100 >= rules.min_saving_percent * found.current_total_minor)
    )
    advised: npt.NDArray[np.bool_] = (found.best >= 0) & (found.best != current) & worth
    return advised


def _mean(total: npt.NDArray[np.int64], months: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    result: npt.NDArray[np.int64] = (2 * total + months) // (2 * months)
    return result


def _advice_rows(
    job: RatingJob, batch: pa.RecordBatch, current: npt.NDArray[np.int64], found: BestPlans
) -> pa.RecordBatch:
    plans = job.plans
    months, best = found.months_considered, found.best
    none = best < 0
    chosen = pa.array(best.astype(np.int32), pa.int32(), mask=none)
    at = pa.array(current.astype(np.int32), pa.int32())
    ids = pa.array(plans.plan_ids, pa.string())
    names = pa.array([p.name for p in plans.plans], pa.string())
    now = _mean(found.current_total_minor, months)
    then = _mean(found.best_total_minor, months)
    saving = np.where(none, 0, now - then)
    contract_end = batch.column("contract_end")
    in_contract = pc.fill_null(pc.greater_equal(contract_end, pa.scalar(job.asof)), False)

    def maybe(values: npt.NDArray[np.int64]) -> pa.Array:
        return pa.array(values, pa.int64(), mask=none)

    columns = {
        "subscription_id": batch.column("subscription_id"),
        "customer_id": batch.column("customer_id"),
        "currency": pa.array(plans.currencies, pa.string()).take(
            pa.array(plans.currency[current].astype(np.int32))
        ),
        "current_plan_id": ids.take(at),
        "current_plan_name": names.take(at),
        "recommended_plan_id": ids.take(chosen),
        "recommended_plan_name": names.take(chosen),
        "current_monthly_cost_minor": pa.array(now, pa.int64()),
        "recommended_monthly_cost_minor": maybe(then),
        "monthly_saving_minor": pa.array(saving, pa.int64()),
        "annual_saving_minor": pa.array(12 * saving, pa.int64()),
        "months_considered": pa.array(months, pa.int64()),
        "months_fitting": maybe(found.best_months_fitting),
        "months_cheaper": maybe(found.best_months_cheaper),
        "headroom_permille": maybe(found.best_headroom_permille),
        "in_contract": in_contract,
        "contract_end": contract_end.cast(pa.date32()),
        "advised": pa.array(_advised(job, current, found), pa.bool_()),
    }
    for kind in job.limited:
        total = found.total_use[:, job.kinds.index(kind)]
        columns[f"avg_{kind}"] = pa.array(((20 * total + months) // (2 * months)) / 10)
    return pa.RecordBatch.from_pydict(columns, schema=advice_schema(job))

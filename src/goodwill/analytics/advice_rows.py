"""The advice rows of rated subscriptions: the columns the advice has always had.

The sums are exact integers, as the domain's: mean costs are rounded half up
(:func:`goodwill.domain.advice.mean_minor`), the thresholds are tested on totals
(:func:`goodwill.domain.advice.worth_advising`), and an ``avg_{kind}`` is the mean use
rounded half up to one decimal.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from goodwill.analytics.rating_job import RatingJob
from goodwill.analytics.rating_kernel import BestPlans

_STRINGS = ("subscription_id", "customer_id", "currency", "current_plan_id", "current_plan_name",
            "recommended_plan_id", "recommended_plan_name")  # fmt: skip
#: The columns whose values are the catalogue's (a currency, a plan's id or name).
CATALOGUE_COLUMNS = _STRINGS[2:]
_INTEGERS = ("current_monthly_cost_minor", "recommended_monthly_cost_minor",
             "monthly_saving_minor", "annual_saving_minor", "months_considered",
             "months_fitting", "months_cheaper", "headroom_permille")  # fmt: skip


def advice_schema(job: RatingJob, catalogue_codes: bool = False) -> pa.Schema:
    """The columns of an advice row, in order. ``catalogue_codes``: the
    :data:`CATALOGUE_COLUMNS` as dictionary arrays over the catalogue's values (the same
    strings to every reader; cheaper to make and to write to Parquet)."""
    codes = pa.dictionary(pa.int32(), pa.string())
    fields = [pa.field(c, codes if catalogue_codes and c in CATALOGUE_COLUMNS else pa.string())
              for c in _STRINGS]  # fmt: skip
    fields += [pa.field(c, pa.int64()) for c in _INTEGERS]
    fields += [("in_contract", pa.bool_()), ("contract_end", pa.date32()), ("advised", pa.bool_())]
    fields += [(f"avg_{kind}", pa.float64()) for kind in job.limited]
    return pa.schema(fields)


def advised(
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
    flags: npt.NDArray[np.bool_] = (found.best >= 0) & (found.best != current) & worth
    return flags


def _mean(total: npt.NDArray[np.int64], months: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    result: npt.NDArray[np.int64] = (2 * total + months) // (2 * months)
    return result


def advice_rows(
    job: RatingJob,
    batch: pa.RecordBatch,
    current: npt.NDArray[np.int64],
    found: BestPlans,
    catalogue_codes: bool = False,
) -> pa.RecordBatch:
    """One advice row per subscription of ``batch`` (its ``subscription_id``,
    ``customer_id`` and ``contract_end``), whose plan is ``current`` and whose kernel
    results are ``found``; ``catalogue_codes`` as :func:`advice_schema`'s."""
    plans = job.plans
    months, best = found.months_considered, found.best
    none = best < 0
    chosen = pa.array(best.astype(np.int32), pa.int32(), mask=none)
    at = pa.array(current.astype(np.int32), pa.int32())
    ids = pa.array(plans.plan_ids, pa.string())
    names = pa.array([p.name for p in plans.plans], pa.string())
    currencies = pa.array(plans.currencies, pa.string())

    def coded(codes: pa.Array, values: pa.Array) -> pa.Array:
        found = pa.DictionaryArray.from_arrays(codes, values)
        return found if catalogue_codes else found.cast(pa.string())

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
        "currency": coded(pa.array(plans.currency[current].astype(np.int32)), currencies),
        "current_plan_id": coded(at, ids),
        "current_plan_name": coded(at, names),
        "recommended_plan_id": coded(chosen, ids),
        "recommended_plan_name": coded(chosen, names),
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
        "advised": pa.array(advised(job, current, found), pa.bool_()),
    }
    for kind in job.limited:
        total = found.total_use[:, job.kinds.index(kind)]
        columns[f"avg_{kind}"] = pa.array(((20 * total + months) // (2 * months)) / 10)
    return pa.RecordBatch.from_pydict(columns, schema=advice_schema(job, catalogue_codes))

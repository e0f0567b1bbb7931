# numba types the compiled function from its arguments; mypy need not.
# mypy: disable-error-code="no-untyped-def"
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
from numba import njit

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


@njit(cache=True, nogil=True)
def _numbers(at, best, months, current_total, best_total, fitting, cheaper, room, total_use,
             limited):  # fmt: skip
    """The advice rows' numbers for the subscriptions ``at`` of a batch, in one pass:
    ``ints`` a row each for the chosen plan, the current and recommended monthly costs,
    the monthly and annual saving, months considered, fitting and cheaper, and headroom;
    ``avg`` a row per ``limited`` kind."""
    n = at.shape[0]
    ints = np.zeros((9, n), np.int64)
    avg = np.zeros((limited.shape[0], n), np.float64)
    for r in range(n):
        i = at[r]
        m, b = months[i], best[i]
        ints[0, r] = b
        if m <= 0:  # never an advice row (rows have a history month); no division by it
            continue
        now = (2 * current_total[i] + m) // (2 * m)
        then = (2 * best_total[i] + m) // (2 * m)
        saving = 0 if b < 0 else now - then
        ints[1, r], ints[2, r], ints[3, r] = now, then, saving
        ints[4, r], ints[5, r], ints[6, r] = 12 * saving, m, fitting[i]
        ints[7, r], ints[8, r] = cheaper[i], room[i]
        for j in range(limited.shape[0]):
            avg[j, r] = ((20 * total_use[i, limited[j]] + m) // (2 * m)) / 10
    return ints, avg


def advice_rows(
    job: RatingJob,
    batch: pa.RecordBatch,
    current: npt.NDArray[np.int64],
    found: BestPlans,
    flags: npt.NDArray[np.bool_],
    at: npt.NDArray[np.intp] | None = None,
    catalogue_codes: bool = False,
) -> pa.RecordBatch:
    """One advice row per subscription ``at`` (default: every one) of ``batch`` (its
    ``subscription_id``, ``customer_id`` and ``contract_end``), whose plans are ``current``,
    whose kernel results are ``found`` and which :func:`advised` ``flags``;
    ``catalogue_codes`` as :func:`advice_schema`'s."""
    plans = job.plans
    if at is None:
        at = np.arange(batch.num_rows)
    else:
        batch = batch.take(pa.array(at))
    limited = np.array([job.kinds.index(kind) for kind in job.limited], np.int64)
    ints, avg = _numbers(
        at, found.best, found.months_considered, found.current_total_minor,
        found.best_total_minor, found.best_months_fitting, found.best_months_cheaper,
        found.best_headroom_permille, found.total_use, limited,
    )  # fmt: skip
    none = ints[0] < 0
    chosen = pa.array(ints[0].astype(np.int32), pa.int32(), mask=none)
    plan_at = pa.array(current[at].astype(np.int32), pa.int32())
    ids = pa.array(plans.plan_ids, pa.string())
    names = pa.array([p.name for p in plans.plans], pa.string())
    currencies = pa.array(plans.currencies, pa.string())

    def coded(codes: pa.Array, values: pa.Array) -> pa.Array:
        found = pa.DictionaryArray.from_arrays(codes, values)
        return found if catalogue_codes else found.cast(pa.string())

    def maybe(values: npt.NDArray[np.int64]) -> pa.Array:
        return pa.array(values, pa.int64(), mask=none)

    contract_end = batch.column("contract_end")
    in_contract = pc.fill_null(pc.greater_equal(contract_end, pa.scalar(job.asof)), False)
    columns = {
        "subscription_id": batch.column("subscription_id"),
        "customer_id": batch.column("customer_id"),
        "currency": coded(pa.array(plans.currency[current[at]].astype(np.int32)), currencies),
        "current_plan_id": coded(plan_at, ids),
        "current_plan_name": coded(plan_at, names),
        "recommended_plan_id": coded(chosen, ids),
        "recommended_plan_name": coded(chosen, names),
        "current_monthly_cost_minor": pa.array(ints[1]),
        "recommended_monthly_cost_minor": maybe(ints[2]),
        "monthly_saving_minor": pa.array(ints[3]),
        "annual_saving_minor": pa.array(ints[4]),
        "months_considered": pa.array(ints[5]),
        "months_fitting": maybe(ints[6]),
        "months_cheaper": maybe(ints[7]),
        "headroom_permille": maybe(ints[8]),
        "in_contract": in_contract,
        "contract_end": contract_end.cast(pa.date32()),
        "advised": pa.array(flags[at]),
    }
    for j, kind in enumerate(job.limited):
        columns[f"avg_{kind}"] = pa.array(avg[j])
    return pa.RecordBatch.from_pydict(columns, schema=advice_schema(job, catalogue_codes))


def warm_up_rows() -> None:
    """Load :func:`_numbers` (from numba's cache, or compile it), as
    :func:`goodwill.analytics.rating_kernel.warm_up` loads the kernel."""
    one, none = np.ones(1, np.int64), np.zeros(1, np.int64)
    _numbers(none, none, one, one, one, one, one, one, np.ones((1, 1), np.int64), none)

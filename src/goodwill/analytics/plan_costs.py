# numba types the compiled function from its arguments; mypy need not.
# mypy: disable-error-code="no-untyped-def"
"""Every plan's cost for a set of subscriptions: the rating kernel's rule, plan by plan.

Advice wants each subscription's best plan only, and :mod:`goodwill.analytics.
rating_kernel` never holds the subscriptions x plans product to find it. A notice lists
the best few tariffs and :func:`goodwill.analytics.rerate.rerate` shows every month
under every plan, so here every history month of every subscription is rated under its
own plan and under every plan on sale in its currency, and kept: ``[n, months, plans]``.
That is meant for a few subscriptions at a time (the lines due a notice, a batch).

The rule is not written again: a month is rated by the kernel's own ``_overage`` and
headroom by its ``_headroom`` (numba inlines both), over the same :class:`~goodwill.
analytics.plan_arrays.PlanArrays` and the same rows of the rating-ready usage
(:func:`window_rows`: the cells the window recorded, as the advice reads them). Exact
integers throughout.

>>> costs = plan_costs(ledger, date(2026, 11, 23), Settings(), due)  # doctest: +SKIP
>>> costs.total_minor[0, costs.current[0]]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import ibis
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

from goodwill.analytics.engine import is_spark
from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.analytics.rating_job import RatingJob, quote_for, rating_job
from goodwill.analytics.rating_kernel import _headroom, _overage, use_block
from goodwill.domain.advice import HEADROOM_MAX, AdviceRules
from goodwill.domain.periods import first_day
from goodwill.ledger.rating_usage import seen_column, use_column
from goodwill.ledger.reader import Ledger

Int64s = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def _rule_digest() -> str:
    """A digest of the source of the kernel's ``_overage`` and ``_headroom``."""
    source = inspect.getsource(_overage.py_func) + inspect.getsource(_headroom.py_func)
    return hashlib.sha256(source.encode()).hexdigest()


def _compiled(rule: str):  # a numba dispatcher
    """The kernel below, cached on disk by numba under a key that covers ``rule``.

    numba's cache notices a change to this file, not to the functions it inlines from
    rating_kernel.py; ``rule`` (their source's digest) is a closure variable, and numba
    keys a closure's cache on its variables' values, so a change to them compiles anew.
    """

    @njit(cache=True)
    def rate_plans(use, present, current, fee, beyond, rate, cap, room, currency, on_sale,
                   kinds, rated, cost, fits, headroom):  # fmt: skip
        """Fill ``cost[i, m, p]``, ``fits[i, m, p]`` (history months) and ``headroom[i, p]``
        for every plan ``p`` rated for subscription ``i`` (``rated[i, p]``); ``use`` is
        ``[m, k, i]``, as the kernel reads it."""
        if len(rule) == 0:  # never: it only ties the cache to the rule
            return
        n, months = present.shape
        peak = np.zeros(use.shape[1], np.int64)
        for i in range(n):
            peak[:] = 0
            for m in range(months):
                if present[i, m]:
                    for k in range(use.shape[1]):
                        peak[k] = max(peak[k], use[m, k, i])
            c = current[i]
            for p in range(fee.shape[0]):
                if p != c and not (on_sale[p] and currency[p] == currency[c]):
                    continue
                rated[i, p] = True
                for m in range(months):
                    if present[i, m]:
                        overage, ok = _overage(p, i, m, use, beyond, rate, cap, kinds)
                        cost[i, m, p] = fee[p] + overage
                        fits[i, m, p] = ok
                headroom[i, p] = _headroom(p, peak, room, kinds, HEADROOM_MAX)

    return rate_plans


_rate_plans = _compiled(_rule_digest())


@dataclass(frozen=True)
class PlanCosts:
    """How every plan would have served each subscription of ``rows`` (row ``i``).

    Plans are the columns of ``job.plans`` (``p``); a subscription is rated under its own
    plan (``current[i]``, on sale or not) and every plan on sale in its currency
    (``rated[i, p]``). ``cost_minor[i, m, p]`` is the service cost of window month ``m``
    (fee and overage, no device fee) and ``fits[i, m, p]`` whether the plan allows that
    use; both mean something only where ``present[i, m]`` (a history month) and
    ``rated[i, p]``.
    """

    job: RatingJob
    rows: pa.Table  # subscription_id, customer_id, plan_id, contract_end
    current: Int64s
    present: Bools
    rated: Bools
    cost_minor: Int64s
    fits: Bools
    headroom_permille: Int64s  # [i, p], as domain.advice.headroom_permille

    @property
    def count(self) -> int:
        return len(self.current)

    @cached_property
    def months_considered(self) -> Int64s:
        result: Int64s = self.present.sum(axis=1)
        return result

    @cached_property
    def total_minor(self) -> Int64s:
        """``[i, p]``: the service cost over the history months."""
        result: Int64s = np.where(self.present[:, :, None], self.cost_minor, 0).sum(axis=1)
        return result

    @cached_property
    def months_fitting(self) -> Int64s:
        result: Int64s = (self.fits & self.present[:, :, None]).sum(axis=1)
        return result

    @cached_property
    def months_cheaper(self) -> Int64s:
        """``[i, p]``: history months the plan would have cost less than the current one."""
        now = np.take_along_axis(self.cost_minor, self.current[:, None, None], axis=2)
        result: Int64s = (self.present[:, :, None] & (self.cost_minor < now)).sum(axis=1)
        return result


def rate_rows(job: RatingJob, rows: pa.Table | pa.RecordBatch) -> PlanCosts:
    """Rate rows of :func:`window_rows` (a subscription whose plan the catalogue lacks is
    left out, as the advice leaves it)."""
    plans = job.plans
    current = pc.index_in(rows.column("plan_id"), value_set=pa.array(plans.plan_ids, pa.string()))
    if current.null_count:
        rows = rows.filter(current.is_valid())
        current = current.drop_null()
    index = np.asarray(current.to_numpy(zero_copy_only=False), np.int64)
    n, months, kinds = rows.num_rows, len(job.window), len(job.kinds)
    use = use_block(months, kinds, n, np.int64)  # [m, k, i], as the kernel reads it
    present = np.zeros((n, months), np.bool_)
    for m, period in enumerate(job.window):
        for k, kind in enumerate(job.kinds):
            if (period, kind) in job.cells:
                use[m, k] = _column(rows, use_column(period, kind))
        if period in job.recorded:
            present[:, m] = _column(rows, _present_column(m))
    on_sale = np.array([p.on_sale for p in plans.plans], np.bool_)
    rated = np.zeros((n, plans.count), np.bool_)
    cost = np.zeros((n, months, plans.count), np.int64)
    fits = np.zeros((n, months, plans.count), np.bool_)
    headroom = np.zeros((n, plans.count), np.int64)
    if n and plans.count:
        _rate_plans(use, present, index, plans.fee, plans.beyond, plans.charge_rate, plans.cap,
                    plans.room, plans.currency, on_sale, np.arange(kinds, dtype=np.int64),
                    rated, cost, fits, headroom)  # fmt: skip
    table = pa.table({c: rows.column(c) for c in SUBSCRIPTION_COLUMNS})
    return PlanCosts(job, table, index, present, rated, cost, fits, headroom)


#: The subscription columns of :attr:`PlanCosts.rows`.
SUBSCRIPTION_COLUMNS = ("subscription_id", "customer_id", "plan_id", "contract_end")


def _column(rows: pa.Table | pa.RecordBatch, name: str) -> npt.NDArray[np.int64 | np.bool_]:
    return np.asarray(rows.column(name).to_numpy(zero_copy_only=False))


def _present_column(m: int) -> str:
    return f"present/{m}"


def _timestamp(day: date, dialect: str) -> str:
    """The midnight after ``day`` as a SQL literal (UTC)."""
    stamp = start_of_day_after(day).strftime("%Y-%m-%d %H:%M:%S")
    return f"TIMESTAMP '{stamp}'" if dialect == "spark" else f"TIMESTAMPTZ '{stamp}+00'"


def _select(job: RatingJob, relation: str, dialect: str) -> str:
    """The active subscriptions' rows of the rating-ready table: the window's cells as
    stored (``use/{period}/{kind}``) and ``present/{m}``, month ``m`` of the window a
    history month (use recorded, and live from its first day)."""
    q = lambda name: quote_for(dialect, name)  # noqa: E731
    columns = [q(c) for c in SUBSCRIPTION_COLUMNS]
    columns += [q(use_column(p, k)) for p in job.window for k in job.kinds if (p, k) in job.cells]
    columns += [
        f"({q(seen_column(p))} AND started_at < {_timestamp(first_day(p), dialect)})"
        f" AS {q(_present_column(m))}"
        for m, p in enumerate(job.window)
        if p in job.recorded
    ]
    cutoff = _timestamp(job.asof, dialect)
    return (
        f"SELECT {', '.join(columns)} FROM {relation} "
        f"WHERE started_at < {cutoff} AND (ended_at IS NULL OR ended_at >= {cutoff})"
    )


def rating_job_for(
    ledger: Ledger, asof: date, lookback_months: int, rules: AdviceRules
) -> tuple[RatingJob, str]:
    """The run's plans and window, and the FROM item of the rating-ready usage (either engine)."""
    if is_spark(ledger.con):
        from goodwill.analytics.spark_rating import spark_usage

        usage = spark_usage(ledger)
    else:
        from goodwill.ledger.rating_usage import rating_usage

        usage = rating_usage(ledger)
    return rating_job(ledger, usage, asof, lookback_months, rules, 1), usage.relation


def window_rows(
    ledger: Ledger, job: RatingJob, relation: str, subscriptions: ibis.Table | None = None
) -> ibis.Table:
    """The active subscriptions' rows of the rating-ready usage (only those of
    ``subscriptions``, a table with a ``subscription_id`` column, if given)."""
    dialect = "spark" if is_spark(ledger.con) else "duckdb"
    rows = ledger.con.sql(_select(job, relation, dialect))
    if subscriptions is not None:
        rows = rows.semi_join(subscriptions.select("subscription_id"), "subscription_id")
    return rows


def plan_costs(
    ledger: Ledger,
    asof: date,
    lookback_months: int,
    subscriptions: ibis.Table,
    rules: AdviceRules = AdviceRules(),  # frozen, so one shared default is safe
) -> PlanCosts:
    """Every plan's costs for the active subscriptions of ``subscriptions`` (a table with a
    ``subscription_id`` column on the ledger's connection), read in one query."""
    job, relation = rating_job_for(ledger, asof, lookback_months, rules)
    return rate_rows(job, window_rows(ledger, job, relation, subscriptions).to_pyarrow())


def plan_cost_batches(
    ledger: Ledger, asof: date, lookback_months: int, batch_rows: int = 65_536
) -> Iterator[PlanCosts]:
    """Every active subscription's plan costs, ``batch_rows`` subscriptions at a time."""
    job, relation = rating_job_for(ledger, asof, lookback_months, AdviceRules())
    if is_spark(ledger.con):
        batches = window_rows(ledger, job, relation).to_pyarrow_batches(chunk_size=batch_rows)
    else:  # DuckDB's own reader (ibis's calls a method DuckDB has deprecated)
        batches = ledger.con.con.execute(_select(job, relation, "duckdb")).to_arrow_reader(
            batch_rows
        )
    for batch in batches:
        yield rate_rows(job, batch)

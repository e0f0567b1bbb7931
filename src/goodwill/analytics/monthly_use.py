"""Who is rated and on what use: active subscriptions and their monthly use, per kind.

A subscription is *active* on ``asof`` when it started on or before that day and has not
ended by it. Its *history months* are the window's months it has usage recorded for and
was live from the first day of (see :func:`goodwill.domain.periods.history_months`).
Kinds of use become columns ``use_i`` (``use_{m}_{i}`` for window month ``m``), in the
order of :func:`used_kinds`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import ibis
import ibis.expr.types as ir

from goodwill.analytics.catalogue import KindColumns
from goodwill.analytics.slices import Slice
from goodwill.analytics.sqlfunctions import as_int64
from goodwill.analytics.usage_pivot import MAX_QUANTITY, pivot_usage
from goodwill.domain.periods import first_day
from goodwill.errors import LedgerError
from goodwill.ledger.reader import Ledger


def start_of_day_after(day: date) -> datetime:
    """Midnight UTC after ``day``: a timestamp before it falls on ``day`` or earlier."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def active_subscriptions(ledger: Ledger, asof: date) -> ibis.Table:
    """Subscriptions that started by ``asof`` and had not ended by it."""
    subs = ledger.table("subscriptions")
    cutoff = ibis.literal(start_of_day_after(asof))
    return subs.filter(subs.started_at < cutoff, subs.ended_at.isnull() | (subs.ended_at >= cutoff))


def active_count(ledger: Ledger, asof: date) -> int:
    """How many subscriptions are active on ``asof`` (one small query)."""
    return int(active_subscriptions(ledger, asof).count().to_pyarrow().as_py())


def window_usage(ledger: Ledger, window: Sequence[str], part: Slice | None = None) -> ibis.Table:
    """The usage rows of the window's months (of one slice of the subscriptions, if given)."""
    usage = ledger.table("usage")
    # A range, not IN (...): DuckDB runs IN as a join, and a range prunes Parquet partitions.
    usage = usage.filter(usage.period.between(window[0], window[-1]))
    return usage if part is None else usage.filter(part.keeps(usage.subscription_id))


def used_kinds(ledger: Ledger, window: Sequence[str]) -> tuple[str, ...]:
    """The kinds of use recorded in the window, sorted (a small query).

    Raises LedgerError when a monthly quantity is too large for the rating to hold.
    """
    use = window_usage(ledger, window)
    found = use.group_by("kind").aggregate(most=use.quantity.max()).to_pyarrow().to_pylist()
    too_big = [
        row["kind"] for row in found if row["most"] is not None and row["most"] > MAX_QUANTITY
    ]
    if too_big:
        raise LedgerError(
            f"usage of {', '.join(too_big)} has a monthly quantity over {MAX_QUANTITY:,}; "
            "record it in a larger unit (e.g. GB instead of MB)"
        )
    return tuple(sorted(row["kind"] for row in found))


def _live_from_start(started_at: ir.TimestampValue, period: str) -> ir.BooleanValue:
    """Started on or before the first day of ``period``."""
    return started_at < ibis.literal(start_of_day_after(first_day(period)))


def _subscription_columns(subs: ibis.Table) -> ibis.Table:
    return subs.select(
        "subscription_id",
        "customer_id",
        "started_at",
        "contract_end",
        current_plan_id=subs.plan_id,
    )


def usage_by_month(
    ledger: Ledger, asof: date, window: Sequence[str], kinds: Sequence[str]
) -> ibis.Table:
    """One row per active subscription and history month, with ``use_i`` per kind."""
    use = window_usage(ledger, window)
    pivot = use.group_by("subscription_id", "period").aggregate(
        **{
            f"use_{i}": as_int64(use.quantity.sum(where=use.kind == kind)).coalesce(0)
            for i, kind in enumerate(kinds)
        }
    )
    subs = _subscription_columns(active_subscriptions(ledger, asof))
    rows = pivot.join(subs, "subscription_id")
    live = ibis.cases(*[(rows.period == p, _live_from_start(rows.started_at, p)) for p in window])
    return rows.filter(live)


def usage_by_subscription(
    ledger: Ledger,
    asof: date,
    window: Sequence[str],
    kinds: Sequence[KindColumns],
    part: Slice | None = None,
) -> ibis.Table:
    """One row per active subscription (of slice ``part``, if given) with any history
    month in the window.

    Columns: ``use_{m}_{i}`` for every limited kind ``i`` (0 unless month ``m`` is a
    history month), ``present_{m}``, ``months_considered``, and ``peak_{i}`` and
    ``total_use_{i}`` over the history months.

    The pivot is :func:`goodwill.analytics.usage_pivot.pivot_usage`.
    """
    limited = [k for k in kinds if k.limited]
    pivot = pivot_usage(window_usage(ledger, window, part), window, kinds)
    subs = active_subscriptions(ledger, asof)
    if part is not None:
        subs = subs.filter(part.keeps(subs.subscription_id))
    rows = pivot.join(_subscription_columns(subs), "subscription_id")
    present = {
        f"present_{m}": ((rows.months_seen & 2**m) != 0) & _live_from_start(rows.started_at, p)
        for m, p in enumerate(window)
    }
    rows = rows.mutate(**present)
    rows = rows.mutate(
        **{
            f"use_{m}_{k.index}": ibis.ifelse(rows[f"present_{m}"], rows[f"raw_{m}_{k.index}"], 0)
            for m in range(len(window))
            for k in limited
        },
        months_considered=_count([rows[f"present_{m}"] for m in range(len(window))]),
    )
    rows = rows.filter(rows.months_considered > 0)
    return rows.mutate(
        **{
            f"peak_{k.index}": ibis.greatest(*_month_use(rows, k.index, len(window)))
            for k in limited
        },
        **{f"total_use_{k.index}": _add(_month_use(rows, k.index, len(window))) for k in limited},
    ).drop("months_seen", *[c for c in rows.columns if c.startswith("raw_")])


def _month_use(rows: ibis.Table, i: int, months: int) -> list[ir.IntegerValue]:
    return [rows[f"use_{m}_{i}"] for m in range(months)]


def _add(values: Sequence[ir.IntegerValue]) -> ir.IntegerValue:
    total = values[0]
    for value in values[1:]:
        total = total + value
    return total


def _count(flags: Sequence[ir.BooleanValue]) -> ir.IntegerValue:
    return _add([flag.cast("int64") for flag in flags])

"""Usage turned sideways: one row per subscription, one column per window month and kind.

The obvious SQL, one ``SUM(quantity) FILTER (WHERE month = m AND kind = k)`` per column,
makes DuckDB test every filter on every usage row: with 6 months and 5 kinds that is 30
passes, and on 1M subscriptions (25M usage rows) it was about a third of the advice's CPU.
Here every row is touched once: it is packed into one integer (its slot, month * kinds +
kind, above its quantity), the packed values are gathered into one sorted list per
subscription, and a bit mask of the slots present says where in the list each slot is
(the number of set bits below it). It measured twice as fast as the FILTER pivot.

It relies on the ledger's primary key, one usage row per (subscription, period, kind),
which ingest enforces; a subscription with two rows for one slot stops the query with a
clear error instead of giving a wrong answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from goodwill.analytics.catalogue import KindColumns
from goodwill.analytics.sqlfunctions import as_int64, bit_or, int_divide, on_spark

#: A packed value holds the quantity in its low 40 bits (quantities up to 1.1e12).
QUANTITY_BITS = 40
MAX_QUANTITY = 2**QUANTITY_BITS - 1
#: Slots per 64-bit mask (bit 63 would be the sign).
MASK_BITS = 62


@ibis.udf.scalar.builtin(name="bit_count")
def _bit_count(value: dt.Int64) -> dt.Int8:
    """The number of bits set."""


@ibis.udf.scalar.builtin(name="error")
def _duckdb_error(message: dt.String) -> dt.Int64:
    """Stop the query with ``message`` (DuckDB)."""


@ibis.udf.scalar.builtin(name="raise_error")
def _spark_error(message: dt.String) -> dt.Int64:
    """Stop the query with ``message`` (Spark)."""


def _error(message: str, like: ir.Expr) -> ir.IntegerValue:
    result: ir.IntegerValue = (_spark_error if on_spark(like) else _duckdb_error)(message)
    return result


def _set_bits_below(masks: list[ir.IntegerValue], slot: int) -> ir.IntegerValue:
    group, bit = divmod(slot, MASK_BITS)
    # A list index: Spark's element_at takes an INT only.
    index = "int32" if on_spark(masks[0]) else "int64"
    below = [_bit_count(masks[g]).cast(index) for g in range(group)]
    below.append(_bit_count(masks[group] & ((1 << bit) - 1)).cast(index))
    return sum(below[1:], below[0])


def pivot_usage(use: ibis.Table, window: Sequence[str], kinds: Sequence[KindColumns]) -> ibis.Table:
    """``subscription_id``, ``months_seen`` (bit m: any usage in window month m) and
    ``raw_{m}_{i}`` for every limited kind ``i`` (0 where nothing was recorded)."""
    limited = [k for k in kinds if k.limited]
    month = ibis.cases(*[(use.period == p, m) for m, p in enumerate(window)])
    branches = [(use.kind == k.kind, j) for j, k in enumerate(limited)]
    column = ibis.cases(*branches, else_=-1) if branches else ibis.literal(-1)
    one = as_int64(ibis.literal(1), like=use)
    rated = (column >= 0) & month.notnull()
    rows = use.mutate(slot=month * len(limited) + column, rated=rated, month_bit=one << month)
    groups = range(-(-len(window) * len(limited) // MASK_BITS))
    pivot = rows.group_by("subscription_id").aggregate(
        months_seen=bit_or(rows.month_bit),
        packed=(rows.slot * 2**QUANTITY_BITS + rows.quantity).collect(where=rows.rated),
        **{
            f"mask_{g}": bit_or(
                ibis.ifelse(
                    rows.rated & (int_divide(rows.slot, MASK_BITS) == g),
                    one << (rows.slot % MASK_BITS),
                    0,
                )
            )
            for g in groups
        },
    )
    masks = [pivot[f"mask_{g}"] for g in groups]
    found = sum((_bit_count(m).cast("int64") for m in masks), ibis.literal(0, "int64"))
    unique = ibis.ifelse(
        pivot.packed.length().coalesce(0) == found,
        0,
        _error("usage has two rows for one subscription, period and kind; ingest the ledger", use),
    )
    pivot = pivot.mutate(packed=pivot.packed.sort(), unique=unique)
    columns: dict[str, ir.Value] = {"months_seen": pivot.months_seen + pivot.unique}
    for m in range(len(window)):
        for j, k in enumerate(limited):
            slot = m * len(limited) + j
            group, bit = divmod(slot, MASK_BITS)
            value = pivot.packed[_set_bits_below(masks, slot)] - slot * 2**QUANTITY_BITS
            columns[f"raw_{m}_{k.index}"] = ibis.ifelse((masks[group] & (1 << bit)) != 0, value, 0)
    return pivot.select("subscription_id", **columns)

"""DuckDB functions that ibis does not compile the way exact, fast money arithmetic needs.

Each was chosen by reading the SQL ibis generates (``ibis.to_sql(expr)``):

* ``a // b`` compiles to ``CAST(FLOOR(a / b) AS BIGINT)``, a *float* division: inexact for
  large amounts and slower. :func:`int_divide` is DuckDB's integer ``divide``.
* ``SUM`` of a BIGINT is a HUGEINT in DuckDB (ibis types it int64 and drops a cast to
  int64), and every sum, product and division after it then runs in 128 bits, 20-40x
  slower. :func:`as_int64` casts it back (``cast_to_type``), which ibis keeps.
* ``.argmin()`` compiles to ``FIRST(x ORDER BY k)``, a sort per group; :func:`arg_min` is
  DuckDB's hash aggregate ``arg_min``, with any column types (structs included).

The same expressions run on Spark (:mod:`goodwill.analytics.engine`): each function here
picks its primitive by the backend its arguments are bound to, so the logic is written
once. On Spark: ``div`` (integral division, rounding toward zero), a plain cast (Spark's
SUM of a BIGINT is a BIGINT) and ``min_by``.
"""

from __future__ import annotations

import weakref
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir


def on_spark(*values: Any) -> bool:
    """Whether the first of ``values`` bound to a backend is bound to Spark."""
    for value in values:
        if isinstance(value, ir.Expr):
            name = _backend_name(value.op())
            if name is not None:
                return name == "pyspark"
    return False


#: Backend names already found, by node: weak, so a connection is never kept alive here.
_BACKEND_NAMES: weakref.WeakKeyDictionary[ops.Node, str | None] = weakref.WeakKeyDictionary()


def _backend_name(node: ops.Node) -> str | None:
    """The name of the backend of the first bound table under ``node``.

    Remembered per node: the expressions share their upstream nodes, and ibis's own
    lookup, which walks the whole graph on every call, measured a third of the time
    taken to build the advice expression. A loop, not recursion: graphs can be deep.
    """
    stack = [node]
    while stack:
        top = stack[-1]
        if isinstance(top, ops.DatabaseTable | ops.SQLQueryResult):
            _BACKEND_NAMES[top] = str(top.source.name)
        elif pending := [c for c in top.__children__ if c not in _BACKEND_NAMES]:
            stack.extend(pending)
            continue
        else:
            names = (_BACKEND_NAMES[c] for c in top.__children__)
            _BACKEND_NAMES[top] = next((n for n in names if n is not None), None)
        stack.pop()
    return _BACKEND_NAMES[node]


def int_divide(dividend: ir.IntegerValue, divisor: ir.IntegerValue | int) -> ir.IntegerValue:
    """Integer division rounding toward zero (DuckDB's ``//`` on integers, Spark's ``div``)."""
    function = _spark_div if on_spark(dividend, divisor) else _duckdb_divide
    result: ir.IntegerValue = function(dividend, divisor)
    return result


@ibis.udf.scalar.builtin(name="divide")
def _duckdb_divide(dividend: dt.Int64, divisor: dt.Int64) -> dt.Int64:
    """DuckDB's integer division."""


@ibis.udf.scalar.builtin(name="div")
def _spark_div(dividend: dt.Int64, divisor: dt.Int64) -> dt.Int64:
    """Spark's integral division."""


@ibis.udf.scalar.builtin(name="cast_to_type")
def _cast_to_type(value: dt.Int64, like: dt.Int64) -> dt.Int64:
    """``value`` cast to the type of ``like``."""


def as_int64(value: ir.IntegerValue, like: ir.Expr | None = None) -> ir.IntegerValue:
    """``value`` as a real BIGINT (after SUM, which DuckDB widens to HUGEINT).

    ``like``: an expression on the same backend, for a ``value`` bound to none (a literal).
    """
    if on_spark(value, like):
        return value.cast("int64")
    result: ir.IntegerValue = _cast_to_type(value, ibis.null("int64"))
    return result


def ceil_divide(dividend: ir.IntegerValue, divisor: int) -> ir.IntegerValue:
    """``ceil(dividend / divisor)`` for a non-negative ``dividend``, exactly."""
    result: ir.IntegerValue = int_divide(dividend + (divisor - 1), divisor)
    return result


def arg_min(arg: ir.Value, key: ir.Value) -> Any:
    """The value of ``arg`` on the row with the smallest ``key``, per group."""
    signature = ((arg.type(), key.type()), arg.type())
    name = "min_by" if on_spark(arg, key) else "arg_min"
    function = ibis.udf.agg.builtin(_arg_min, name=name, signature=signature)
    return function(arg, key)


def _arg_min(arg: Any, key: Any) -> Any:
    """DuckDB's ``arg_min(arg, val)``, Spark's ``min_by(arg, val)``."""


def bit_or(value: ir.IntegerValue) -> ir.IntegerScalar:
    """The bitwise OR of ``value`` over a group (ibis has no Spark rule for its own)."""
    if on_spark(value):
        result: ir.IntegerScalar = _spark_bit_or(value)
        return result
    return value.bit_or()


@ibis.udf.agg.builtin(name="bit_or")
def _spark_bit_or(value: dt.Int64) -> dt.Int64:
    """Spark's ``bit_or`` aggregate."""


def collect_ordered(value: ir.StructValue, key: ir.IntegerValue) -> ir.ArrayValue:
    """The structs ``value`` of a group as a list ordered by ``key`` (unique in a group).

    Spark cannot order ``collect_list``: there the key rides first in each struct, the
    list of structs is sorted (by their first field) and the key is dropped again.
    """
    if not on_spark(value, key):
        ordered: ir.ArrayValue = value.collect(order_by=key)
        return ordered
    names = value.type().names
    keyed = ibis.struct({"_key": key, **{name: value[name] for name in names}})
    keyed_list: ir.ArrayValue = keyed.collect().sort()
    return keyed_list.map(lambda item: ibis.struct({name: item[name] for name in names}))

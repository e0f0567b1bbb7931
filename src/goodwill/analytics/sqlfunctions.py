"""DuckDB functions that ibis does not compile the way exact, fast money arithmetic needs.

Each was chosen by reading the SQL ibis generates (``ibis.to_sql(expr)``):

* ``a // b`` compiles to ``CAST(FLOOR(a / b) AS BIGINT)``, a *float* division: inexact for
  large amounts and slower. :func:`int_divide` is DuckDB's integer ``divide``.

The same expressions run on Spark (:mod:`goodwill.analytics.engine`): each function here
picks its primitive by the backend its arguments are bound to, so the logic is written
once. On Spark: ``div`` (integral division, rounding toward zero).
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

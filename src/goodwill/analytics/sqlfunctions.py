"""DuckDB functions that ibis does not compile the way exact, fast money arithmetic needs.

Each was chosen by reading the SQL ibis generates (``ibis.to_sql(expr)``):

* ``a // b`` compiles to ``CAST(FLOOR(a / b) AS BIGINT)``, a *float* division: inexact for
  large amounts and slower. :func:`int_divide` is DuckDB's integer ``divide``.
* ``SUM`` of a BIGINT is a HUGEINT in DuckDB (ibis types it int64 and drops a cast to
  int64), and every sum, product and division after it then runs in 128 bits, 20-40x
  slower. :func:`as_int64` casts it back (``cast_to_type``), which ibis keeps.
* ``.argmin()`` compiles to ``FIRST(x ORDER BY k)``, a sort per group; :func:`arg_min` is
  DuckDB's hash aggregate ``arg_min``, with any column types (structs included).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir


@ibis.udf.scalar.builtin(name="divide")
def int_divide(dividend: dt.Int64, divisor: dt.Int64) -> dt.Int64:
    """Integer division rounding toward zero (DuckDB's ``//`` on integers)."""


@ibis.udf.scalar.builtin(name="cast_to_type")
def _cast_to_type(value: dt.Int64, like: dt.Int64) -> dt.Int64:
    """``value`` cast to the type of ``like``."""


def as_int64(value: ir.IntegerValue) -> ir.IntegerValue:
    """``value`` as a real BIGINT (after SUM, which DuckDB widens to HUGEINT)."""
    result: ir.IntegerValue = _cast_to_type(value, ibis.null("int64"))
    return result


def ceil_divide(dividend: ir.IntegerValue, divisor: int) -> ir.IntegerValue:
    """``ceil(dividend / divisor)`` for a non-negative ``dividend``, exactly."""
    result: ir.IntegerValue = int_divide(dividend + (divisor - 1), divisor)
    return result


def arg_min(arg: ir.Value, key: ir.Value) -> Any:
    """The value of ``arg`` on the row with the smallest ``key``, per group."""
    signature = ((arg.type(), key.type()), arg.type())
    function = ibis.udf.agg.builtin(_arg_min, name="arg_min", signature=signature)
    return function(arg, key)


def _arg_min(arg: Any, key: Any) -> Any:
    """DuckDB's ``arg_min(arg, val)``."""

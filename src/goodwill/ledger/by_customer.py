"""A snapshot's rows about each customer, held in memory for point reads (the web's pages).

A customer's page reads a handful of rows: their customer row, their subscriptions (with
the plan's name and fee), and the monthly use of their lines. Asking DuckDB for them
scans Parquet each time (a few milliseconds a read, tens of milliseconds a page); these
tables are read once per snapshot instead, sorted by their key, and a read is a binary
search and a slice (microseconds)::

    rows = by_customer(ledger)            # once per snapshot, then shared by every request
    rows.customers.rows("C1").to_pylist()
    at = rows.lines.positions(["S1", "S2"])  # the rows of these subscriptions
    rows.use["2026-10", "data_mb"][at]     # their use of one kind in one month

The monthly use is the rating-ready table's (:mod:`goodwill.ledger.rating_usage`), with
only its latest :data:`HELD_MONTHS` months held, so memory grows with lines, not with the
history: about ``4 x kinds x HELD_MONTHS`` bytes of use per subscription (336 bytes with
seven kinds), plus the ids. A read needing an older month says so (:meth:`holds`) and
the caller reads the ledger as before.

Derived data, like the rating-ready table: never written, rebuilt when a new snapshot
is swapped in (the cache is per snapshot folder).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from goodwill.ledger.rating_usage import (
    SUBSCRIPTION_COLUMNS,
    rating_usage,
    seen_column,
    use_column,
)
from goodwill.ledger.reader import Ledger
from goodwill.ledger.snapshot import PerSnapshot, snapshot_of

#: Months of use held: the my-plan page shows six, the advice rates up to twelve.
HELD_MONTHS = 13


class Keyed:
    """A table's rows sorted by one string column, read by that column's value."""

    def __init__(self, table: pa.Table, key: str) -> None:
        column = table.column(key)
        if table.num_rows and not pc.all(pc.greater_equal(column[1:], column[:-1])).as_py():
            table = table.take(pc.sort_indices(table, [(key, "ascending")]))
        self.table = table.combine_chunks()
        values = self.table.column(key).to_numpy(zero_copy_only=False)
        self._keys: npt.NDArray[np.str_] = values.astype(str) if len(values) else np.array([], str)

    def _span(self, value: str) -> tuple[int, int]:
        lo = int(np.searchsorted(self._keys, value, side="left"))
        hi = int(np.searchsorted(self._keys, value, side="right"))
        return lo, hi

    def rows(self, value: str) -> pa.Table:
        """Every row whose key is ``value`` (none: an empty table with the columns)."""
        lo, hi = self._span(value)
        return self.table.slice(lo, hi - lo)

    def positions(self, values: Iterable[str]) -> npt.NDArray[np.intp]:
        """The rows of each value in turn, as row numbers (a value twice: its rows once)."""
        spans = [self._span(v) for v in dict.fromkeys(values)]
        return np.concatenate([np.arange(lo, hi) for lo, hi in spans] or [np.arange(0)])

    def key_at(self, rows: npt.NDArray[np.intp]) -> list[str]:
        """The key of each of ``rows``."""
        return [str(key) for key in self._keys[rows]]


@dataclass(frozen=True)
class CustomerRows:
    """The snapshot's customers, subscriptions and latest use, each sorted by its key."""

    customers: Keyed  # by customer_id: the customers table's rows
    subscriptions: Keyed  # by customer_id: with plan_name, monthly_fee_minor, currency
    lines: Keyed  # by subscription_id: the rating-ready rows, latest months only
    held: tuple[str, ...]  # the months of use held, oldest first
    periods: tuple[str, ...]  # every month the ledger has use for
    #: Each held (month, kind)'s use and each held month's "seen" flag, a value per row of
    #: ``lines`` (the use: views of the table's own columns, no copy). A page reads a few
    #: lines of a few dozen columns: one numpy index each, where Arrow costs microseconds
    #: a column to select and convert.
    use: Mapping[tuple[str, str], npt.NDArray[np.integer]]
    seen: Mapping[str, npt.NDArray[np.bool_]]
    kinds: tuple[str, ...]  # the kinds of use held, in order

    def holds(self, months: Sequence[str]) -> bool:
        """Whether every one of ``months`` that has use is held."""
        return all(m in self.held for m in months if m in self.periods)

    def older_than_held(self) -> bool:
        """Whether the ledger has use older than what is held."""
        return bool(self.periods) and self.periods[0] < (self.held or self.periods)[0]


_ROWS = PerSnapshot(keep=2)
_BUILDING = threading.Lock()  # one build at a time: the first requests of a snapshot wait


def by_customer(ledger: Ledger) -> CustomerRows | None:
    """The rows of ``ledger``'s snapshot, read once; None for a ledger that is not a
    snapshot folder (held in memory, or on Spark), which is read as before."""
    if ledger.con.name != "duckdb" or snapshot_of(ledger.path) is None:
        return None
    with _BUILDING:
        return _ROWS.get(ledger.path, "by customer", lambda: _read(ledger))


def _read(ledger: Ledger) -> CustomerRows:
    con = ledger.con.con
    usage = rating_usage(ledger)
    periods = usage.periods
    held = periods[-HELD_MONTHS:]
    kinds = sorted({k for p, k in usage.cells if p in held})
    use = [use_column(p, k) for p in held for k in kinds if (p, k) in usage.cells]
    columns = [*SUBSCRIPTION_COLUMNS, *use, *(seen_column(p) for p in held)]
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    subscriptions = con.execute(
        "SELECT s.*, p.name AS plan_name, p.monthly_fee AS monthly_fee_minor, p.currency "
        "FROM subscriptions AS s LEFT JOIN plans AS p ON s.plan_id = p.plan_id "
        "ORDER BY s.customer_id, s.ended_at IS NOT NULL, s.subscription_id"
    ).to_arrow_table()
    lines = Keyed(
        con.execute(f"SELECT {quoted} FROM {usage.relation}").to_arrow_table(), "subscription_id"
    )
    return CustomerRows(
        customers=Keyed(con.execute("SELECT * FROM customers").to_arrow_table(), "customer_id"),
        subscriptions=Keyed(subscriptions, "customer_id"),
        lines=lines,
        held=held,
        periods=periods,
        use={
            (p, k): _values(lines.table.column(use_column(p, k)), 0)
            for p in held
            for k in kinds
            if (p, k) in usage.cells
        },
        seen={p: _values(lines.table.column(seen_column(p)), False) for p in held},
        kinds=tuple(kinds),
    )


def _values(column: pa.ChunkedArray, empty: object) -> npt.NDArray[Any]:
    """The column as numpy, nulls as ``empty``: a view of the column's own memory where
    Arrow's layout allows (one chunk of numbers without nulls), so nothing is held twice."""
    return (column if column.null_count == 0 else pc.fill_null(column, empty)).to_numpy()

"""Re-rating in slices: disjoint parts of the subscriptions, so memory does not grow with N.

Rating keeps one row per subscription (its use pivoted to columns, the running minimum
over plans); at 10M subscriptions that state alone is about 10 GB. A *slice* is the
subscriptions whose id hashes to one of ``count`` buckets. A subscription's usage always
goes with it, so a slice rates exactly as the whole would, and the slices' rows together
are the whole's rows, each once.

On DuckDB :func:`materialize_in_slices` computes one slice per query into a temporary
table, so the peak is one slice's state. One query over a UNION ALL of the slices does not
do that: DuckDB keeps the branches' state at once (measured: 8 slices of 1M subscriptions
peaked at 803 MB as a union, 431 MB one after another, against 1,132 MB whole). Spark
spills by partition on its own: it computes everything in one job, cached.

>>> advice = materialize_in_slices(ledger.con, "_advice", build, count=5)  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from goodwill.analytics.engine import is_spark
from goodwill.errors import ConfigError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Slice:
    """The subscriptions whose id hashes to bucket ``index`` of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ConfigError(f"slice {self.index} of {self.count} does not exist")

    def keeps(self, subscription_id: ir.StringValue) -> ir.BooleanValue:
        """Whether a row of this subscription belongs to the slice (the same on any table)."""
        bucket = (subscription_id.hash() % self.count).abs()
        result: ir.BooleanValue = bucket == self.index
        return result


def slice_count(subscriptions: int, per_slice: int) -> int:
    """How many slices keep each to at most ``per_slice`` subscriptions (0: one slice)."""
    if per_slice <= 0 or subscriptions <= per_slice:
        return 1
    return -(-subscriptions // per_slice)


def materialize_in_slices(
    con: BaseBackend,
    name: str,
    build: Callable[[Slice | None], ibis.Table],
    count: int,
    progress: Progress | None = None,
) -> ibis.Table:
    """Compute ``build`` now into the temporary table ``name`` and return that table.

    With ``count`` > 1 on DuckDB, one query per slice (``build(Slice(i, count))``), each
    appended to the table. On Spark (or ``count`` 1), ``build(None)`` in one go.
    ``progress(percent)`` hears how far it has got, on DuckDB.
    """
    report = progress or (lambda _: None)
    if is_spark(con):  # no progress to poll; CACHE TABLE computes it once, now
        view = con.create_view(name, build(None), overwrite=True)
        con.raw_sql(f"CACHE TABLE {name}")
        return view
    parts: list[Slice | None] = [None] if count <= 1 else [Slice(i, count) for i in range(count)]
    table: ibis.Table | None = None
    for done, part in enumerate(parts):
        share = _share_of(report, done, len(parts))
        with watching_progress(con, share):
            if table is None:
                table = con.create_table(name, build(part), temp=True, overwrite=True)
            else:
                con.insert(name, build(part))
    assert table is not None
    return table


def _share_of(report: Progress, done: int, parts: int) -> Progress:
    """Report one part's percent as the whole's."""
    return lambda percent: report((done + percent / 100) * 100 / parts)


@contextmanager
def watching_progress(con: BaseBackend, report: Progress) -> Iterator[None]:
    """Call ``report(percent)`` a few times a second while a DuckDB connection runs a query."""
    raw = con.con
    raw.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.2):
            percent = raw.query_progress()
            if percent >= 0:
                report(percent)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()

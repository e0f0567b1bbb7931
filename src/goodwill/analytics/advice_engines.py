"""How each engine feeds the rating kernel: DuckDB record batches, Spark partitions.

Both read the same rating-ready table (:mod:`goodwill.ledger.rating_usage`), its
window's columns (:func:`goodwill.analytics.rating_job.window_columns`), and rate every
batch with the same :func:`goodwill.analytics.advice_batch.rate_batch`, so a cluster
runs exactly the rule one machine runs. On one machine the snapshot's file is read with
pyarrow, a row group at a time (at most ``rating_slice_subscriptions`` rows); ``goodwill
advise`` streams the rated batches to its writer (:func:`rated_batches`), so its memory
stays flat in N. Spark runs ``mapInArrow``.

The result is registered on the ledger's connection once per run and reused by every
caller of the same run (advice, the detectors, the scorecard).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any, TypeVar

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from goodwill.analytics.advice_batch import advice_schema, advised_batch, rate_batch
from goodwill.analytics.engine import is_spark
from goodwill.analytics.rating_job import RatingJob, rating_job, window_columns, window_select
from goodwill.analytics.read_ahead import ahead, mapped_ahead, usable_cores
from goodwill.domain.advice import AdviceRules
from goodwill.ledger.rating_usage import ROW_GROUP, RatingUsage
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

Progress = Callable[[float], None]
T = TypeVar("T")

#: The rated tables already computed, by connection (its id: ibis backends compare equal
#: when they open the same database, and in-memory ones all do) and run parameters.
_RATED: dict[int, dict[tuple[Any, ...], ibis.Table]] = {}


def advice_rules(settings: Settings) -> AdviceRules:
    return AdviceRules(
        min_history_months=settings.min_history_months,
        max_unfit_months=settings.max_unfit_months,
        min_saving_minor=settings.min_saving_minor,
        min_saving_percent=settings.min_saving_percent,
    )


def rated_lines(
    ledger: Ledger, asof: date, settings: Settings, progress: Progress | None = None
) -> ibis.Table:
    """Advice rows (advised or not) for every active subscription with a history month
    and a candidate plan in its currency, computed now, once per connection and run."""
    rules = advice_rules(settings)
    key = _key(asof, settings)
    if id(ledger.con) not in _RATED:
        weakref.finalize(ledger.con, _RATED.pop, id(ledger.con), None)
    done = _RATED.setdefault(id(ledger.con), {})
    if key not in done:
        feed = _spark_rated if is_spark(ledger.con) else _duckdb_rated
        done[key] = feed(ledger, asof, settings, rules, progress or (lambda _: None))
    return done[key]


def _job(
    ledger: Ledger, asof: date, settings: Settings, rules: AdviceRules
) -> tuple[RatingJob, RatingUsage]:
    from goodwill.ledger.rating_usage import rating_usage

    usage = rating_usage(ledger)
    return rating_job(ledger, usage, asof, settings.lookback_months, rules, 1), usage


def rated_batches(
    ledger: Ledger, asof: date, settings: Settings, progress: Progress | None = None
) -> tuple[RatingJob, Iterator[pa.RecordBatch]]:
    """The run's job and its advice rows batch by batch, in subscription id order, rated
    as they are read: nothing but the batch in hand is held (DuckDB ledgers)."""
    job, usage = _job(ledger, asof, settings, advice_rules(settings))
    total, batches = _window_batches(ledger, job, usage, settings)
    rated = (rate_batch(job, batch) for batch in batches)
    return job, _counted(rated, batches, total, progress or (lambda _: None))


def advised_batches(
    ledger: Ledger, asof: date, settings: Settings, progress: Progress | None = None
) -> tuple[RatingJob, Iterator[tuple[int, pa.RecordBatch]]]:
    """What ``goodwill advise`` writes, batch by batch as :func:`rated_batches`: per
    batch, how many subscriptions were rated with at least ``min_history_months`` history
    months, and the advised rows among them. The next batch is read by one thread and
    rated by others, a batch per core, while the caller handles this one (on Spark: see
    :mod:`goodwill.analytics.spark_advised`).

    Each batch is rated on one core (the kernel's serial form): batches side by side keep
    the cores busier than one batch's blocks spread over them, which left a core idle
    while the batch's slowest block finished and spent a fifth more CPU handing blocks
    out (10M lines: 12.3 -> 10.8 s on 2 cores)."""
    if is_spark(ledger.con):
        from goodwill.analytics.spark_advised import spark_advised_batches

        return spark_advised_batches(ledger, asof, settings, progress)
    job, usage = _job(ledger, asof, settings, advice_rules(settings))
    total, batches = _window_batches(ledger, job, usage, settings)
    months = settings.min_history_months
    advised = mapped_ahead(
        lambda batch: advised_batch(job, batch, months, parallel=False),
        ahead(batches),
        usable_cores(),
    )
    return job, _counted(advised, batches, total, progress or (lambda _: None))


class _Counting:
    """An iterator of record batches that counts the rows it has handed out."""

    def __init__(self, batches: Iterator[pa.RecordBatch]) -> None:
        self.batches, self.rows = batches, 0

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        for batch in self.batches:
            self.rows += batch.num_rows
            yield batch


def _window_batches(
    ledger: Ledger, job: RatingJob, usage: RatingUsage, settings: Settings
) -> tuple[int, _Counting]:
    """The rating-ready rows of the run's window, batch by batch, and how many there are."""
    per_batch = settings.rating_slice_subscriptions or 1_000_000_000
    if usage.path is not None:  # the snapshot's file: read with pyarrow, a row group at a time
        # Not memory-mapped: the pages of a mapped file count as the process's own memory
        # once read (1.7 GB at 10M lines), where a read buffer holds one row group.
        source = pq.ParquetFile(usage.path, buffer_size=1 << 22)
        total = source.metadata.num_rows
        batches = row_group_batches(source, window_columns(job), min(per_batch, ROW_GROUP))
    else:  # a ledger held in memory: its table, through DuckDB
        raw = ledger.con.con
        select = f"{window_select(job, usage.relation)} ORDER BY subscription_id"
        total = raw.execute(f"SELECT count(*) FROM ({select})").fetchone()[0]
        batches = iter(raw.execute(select).to_arrow_reader(per_batch))
    return max(total, 1), _Counting(batches)


def row_group_batches(
    source: pq.ParquetFile, columns: list[str], size: int, groups: Iterable[int] | None = None
) -> Iterator[pa.RecordBatch]:
    """The file's rows (of ``groups``, default all), a row group at a time (as it lies: no
    copy), in batches of at most ``size``. One group read at a time: ``iter_batches``
    over the whole file held 1.6 GB of Arrow memory by the end of a 10M-line file, and
    took longer. Spark's workers read their tasks' row groups with it too."""
    for group in range(source.num_row_groups) if groups is None else groups:
        table = source.read_row_group(group, columns=columns, use_threads=True)
        yield from table.to_batches(max_chunksize=size)


def _counted(items: Iterator[T], read: _Counting, total: int, progress: Progress) -> Iterator[T]:
    """``items``, with ``progress`` told the share of the rows read as each is handed on."""
    for item in items:
        yield item
        progress(100 * read.rows / total)
    progress(100.0)


def cached_rated(ledger: Ledger, asof: date, settings: Settings) -> ibis.Table | None:
    """The run's rated table if this connection has it already."""
    return _RATED.get(id(ledger.con), {}).get(_key(asof, settings))


def _key(asof: date, settings: Settings) -> tuple[Any, ...]:
    rules = advice_rules(settings)
    return (asof, settings.lookback_months, rules, settings.rating_slice_subscriptions)


def _duckdb_rated(
    ledger: Ledger, asof: date, settings: Settings, rules: AdviceRules, progress: Progress
) -> ibis.Table:
    job, batches = rated_batches(ledger, asof, settings, progress)
    table = pa.Table.from_batches(list(batches), schema=advice_schema(job))
    name = f"_goodwill_rated_{len(_RATED[id(ledger.con)])}"
    ledger.con.con.register(name, table)
    return ledger.con.table(name)


def _spark_rated(
    ledger: Ledger, asof: date, settings: Settings, rules: AdviceRules, progress: Progress
) -> ibis.Table:
    from goodwill.analytics.spark_rating import spark_rated

    return spark_rated(ledger, asof, settings, rules, progress)


def rated_advice(
    ledger: Ledger, asof: date, settings: Settings, progress: Progress | None = None
) -> ibis.Table:
    """The advice rows of every rated subscription with enough history (advised or not)."""
    rated = rated_lines(ledger, asof, settings, progress)
    return rated.filter(rated.months_considered >= settings.min_history_months)

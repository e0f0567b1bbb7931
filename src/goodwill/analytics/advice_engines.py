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
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from goodwill.analytics.advice_batch import advice_schema, rate_batch
from goodwill.analytics.engine import is_spark
from goodwill.analytics.rating_job import RatingJob, rating_job, window_columns, window_select
from goodwill.domain.advice import AdviceRules
from goodwill.ledger.rating_usage import ROW_GROUP, RatingUsage
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

Progress = Callable[[float], None]

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
    per_batch = settings.rating_slice_subscriptions or 1_000_000_000
    if usage.path is not None:  # the snapshot's file: read with pyarrow, a row group at a time
        # Not memory-mapped: the pages of a mapped file count as the process's own memory
        # once read (1.7 GB at 10M lines), where a read buffer holds one row group.
        source = pq.ParquetFile(usage.path, buffer_size=1 << 22)
        total = source.metadata.num_rows
        size = min(per_batch, ROW_GROUP)  # a row group at a time: read as it lies, no copy
        batches = source.iter_batches(size, columns=window_columns(job), use_threads=True)
    else:  # a ledger held in memory: its table, through DuckDB
        raw = ledger.con.con
        select = f"{window_select(job, usage.relation)} ORDER BY subscription_id"
        total = raw.execute(f"SELECT count(*) FROM ({select})").fetchone()[0]
        batches = iter(raw.execute(select).to_arrow_reader(per_batch))
    return job, _rate_all(job, batches, max(total, 1), progress or (lambda _: None))


def _rate_all(
    job: RatingJob, batches: Iterator[pa.RecordBatch], total: int, progress: Progress
) -> Iterator[pa.RecordBatch]:
    done = 0
    for batch in batches:
        yield rate_batch(job, batch)
        done += batch.num_rows
        progress(100 * done / total)
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

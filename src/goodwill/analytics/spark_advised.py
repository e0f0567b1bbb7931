"""What ``goodwill advise`` writes, on Spark: the advised rows, streamed to the driver.

The care run's callers read the rated rows many times, so Spark caches them as a view
(:mod:`goodwill.analytics.spark_rating`). ``goodwill advise`` reads them once: each task
rates its row groups with the one-machine :func:`~goodwill.analytics.advice_batch.
advised_batch` and hands back one value, how many subscriptions it rated and its advised
rows as an Arrow IPC stream. The JVM moves that value as bytes and never turns the rows
into its own (turning them into rows for the cache, and writing them with Spark's
Parquet writer, took most of Spark's time). The driver gets the tasks' values in waves,
in row group order, and hands the batches on as :func:`~goodwill.analytics.
advice_engines.advised_batches` does on one machine, so the one writer writes the same
file and the one tally makes the same report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from goodwill.analytics.advice_batch import advice_schema, advised_batch
from goodwill.analytics.advice_engines import Progress, advice_rules
from goodwill.analytics.rating_job import RatingJob, rating_job, window_columns, window_select
from goodwill.analytics.read_ahead import mapped_ahead
from goodwill.analytics.spark_rating import (
    BATCH_ROWS,
    group_reader,
    local_layout,
    settings_set,
    spare_the_next_task,
    spark_usage,
)
from goodwill.ledger.rating_usage import ROW_GROUP
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

#: A task's value: subscriptions rated, and its advised rows (an Arrow IPC stream; a
#: buffer pickles as it is, with no copy into ``bytes`` first).
Packed = tuple[int, pa.Buffer | bytes]
#: Tasks per wave, per core: each job's own cost (scheduling, the worker's function sent
#: again) is paid once for a few tasks.
PER_CORE = 4
#: Tasks per wave at most, whatever the cluster: the one writer in the driver keeps up
#: with a few cores' rating, and each task's rows (~15 MB) are held until written.
MOST_PER_WAVE = 16
#: Waves computed at once: the next one's tasks take the cores the last's leave idle.
WAVES_AT_ONCE = 2


def spark_advised_batches(
    ledger: Ledger, asof: date, settings: Settings, progress: Progress | None = None
) -> tuple[RatingJob, Iterator[tuple[int, pa.RecordBatch]]]:
    """The run's job and, batch by batch in subscription id order, how many subscriptions
    were rated with at least ``min_history_months`` history months and the advised rows
    among them, as :func:`goodwill.analytics.advice_engines.advised_batches` gives on
    one machine (a Spark ledger)."""
    usage = spark_usage(ledger)
    rules = advice_rules(settings)
    job = rating_job(ledger, usage, asof, settings.lookback_months, rules, 1)
    session: Any = ledger.con._session
    per_batch = min(settings.rating_slice_subscriptions or ROW_GROUP, ROW_GROUP)
    months = settings.min_history_months
    layout = local_layout(session)
    if layout is not None:  # a task per row group, read by the worker itself
        groups = pq.ParquetFile(layout).num_row_groups
        read = group_reader(layout, window_columns(job), per_batch)
        tasks = session.sparkContext.parallelize(range(groups), max(groups, 1))
        packed = tasks.mapPartitions(_advise_groups(job, read, months))
    else:  # Spark's reader: a value per Arrow batch it hands the worker
        rows = session.sql(window_select(job, usage.relation, "spark"))
        with settings_set(session, {BATCH_ROWS: str(per_batch)}):
            found = rows.mapInArrow(_advise_batches(job, months), "rated BIGINT, rows BINARY")
            packed = found.rdd.map(tuple)
    values = _in_waves(session.sparkContext, packed, progress or (lambda _: None))
    return job, _unpacked(values)


def _advise_groups(
    job: RatingJob, read: Callable[[Iterable[int]], Iterator[pa.RecordBatch]], months: int
) -> Callable[[Iterable[int]], Iterator[Packed]]:
    def advise(groups: Iterable[int]) -> Iterator[Packed]:
        yield _packed(job, (advised_batch(job, batch, months) for batch in read(groups)))
        spare_the_next_task()

    return advise


def _advise_batches(
    job: RatingJob, months: int
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def advise(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import numba

        numba.set_num_threads(1)  # Spark already runs a task per core
        for batch in batches:
            rated, rows = _packed(job, [advised_batch(job, batch, months)])
            yield pa.record_batch({"rated": [rated], "rows": [rows.to_pybytes()]})
        spare_the_next_task()

    return advise


def _packed(job: RatingJob, advised: Iterable[tuple[int, pa.RecordBatch]]) -> tuple[int, pa.Buffer]:
    """How many were rated, and the advised batches as one IPC stream (each batch as it
    is, empty ones too, so the writer gets the batches one machine would give it).

    The stream is measured first and written into a buffer of its size: written into a
    growing buffer, it took 2-30 times as long (copies as it grew, and new pages)."""
    pairs = list(advised)
    batches, schema = [rows for _, rows in pairs], advice_schema(job, catalogue_codes=True)
    size = pa.MockOutputStream()
    _write_stream(size, schema, batches)
    buffer = pa.allocate_buffer(size.size())
    _write_stream(pa.FixedSizeBufferWriter(buffer), schema, batches)
    return sum(rated for rated, _ in pairs), buffer


def _write_stream(
    sink: pa.NativeFile, schema: pa.Schema, batches: Iterable[pa.RecordBatch]
) -> None:
    with pa.ipc.new_stream(sink, schema) as stream:
        for batch in batches:
            stream.write_batch(batch)


def _unpacked(values: Iterator[Packed]) -> Iterator[tuple[int, pa.RecordBatch]]:
    """Each task's batches, the first with the task's count of subscriptions rated."""
    for rated, rows in values:
        for at, batch in enumerate(pa.ipc.open_stream(pa.py_buffer(rows))):
            yield (0 if at else rated), batch


def _in_waves(sc: Any, packed: Any, progress: Progress) -> Iterator[Packed]:
    """The tasks' values in partition order, a wave of tasks (one Spark job) at a time:
    while the caller handles one wave's values the next two are computed
    (:func:`~goodwill.analytics.read_ahead.mapped_ahead`), so the cores stay busy and the
    driver holds three waves' rows, not all; a caller that stops early starts no more."""
    tasks = packed.getNumPartitions()
    size = max(1, min(PER_CORE * sc.defaultParallelism, MOST_PER_WAVE))
    waves = [list(range(at, min(at + size, tasks))) for at in range(0, tasks, size)]
    computed = mapped_ahead(lambda wave: sc.runJob(packed, _as_they_are, wave), waves,
                            WAVES_AT_ONCE)  # fmt: skip
    for done, values in enumerate(computed, 1):
        yield from values
        progress(100 * done / len(waves))
    progress(100.0)


def _as_they_are(values: Iterable[Packed]) -> Iterable[Packed]:
    return values

"""Rating on Spark: the same kernel over the same rating-ready usage, by ``mapInArrow``.

A ledger on a local path (every executor sees it at the same path, as Spark's own reader
needs) is rated a task per row group of its rating-ready file: the task's Python worker
reads the window's columns of its row group with pyarrow, as one machine does, and
:func:`goodwill.analytics.advice_batch.rate_batch` rates them, with one numba thread
(Spark already runs a task per core). Spark's Parquet reader would turn every use column
into rows and back into Arrow first, which cost more than the rating. A ledger at another
URL (``s3a://``, ``gs://``) is read by Spark's reader, through the cluster's connectors
and credentials, and its partitions rated the same way. The result is cached, as it is,
as the temporary view that every caller of the run reads.
"""

from __future__ import annotations

import gc
import sys
import zipimport
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from goodwill.analytics.advice_batch import advice_schema, rate_batch
from goodwill.analytics.advice_engines import row_group_batches
from goodwill.analytics.rating_job import RatingJob, rating_job, window_columns, window_select
from goodwill.domain.advice import AdviceRules
from goodwill.errors import LedgerError
from goodwill.ledger.folder import MANIFEST
from goodwill.ledger.rating_usage import ROW_GROUP, RatingUsage, ensure_rating_usage
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.ledger.spark_views import (
    RATING_CELLS_VIEW,
    RATING_USAGE_VIEW,
    create_rating_usage_views,
)
from goodwill.settings import Settings

_runs = iter(range(1_000_000_000))
#: Arrow batches of a row group (with Spark's reader), not Spark's default 10,000 rows:
#: the kernel is called once per batch, and each call pays for its Python around it.
BATCH_ROWS = "spark.sql.execution.arrow.maxRecordsPerBatch"
#: The rated rows are cached as they are: compressing the cache's columns took as long
#: as rating them (measured at 1M subscriptions on local[2]: 10 s of 20).
CACHE_SETTINGS = {"spark.sql.inMemoryColumnarStorage.compressed": "false"}


def spark_usage(ledger: Ledger) -> RatingUsage:
    """The rating-ready usage's views on the Spark connection (a local ledger written by an
    older goodwill gets its table built first, with DuckDB)."""
    session = ledger.con._session
    if not session.catalog.tableExists(RATING_USAGE_VIEW):
        if not (ledger.path / MANIFEST).exists():
            raise LedgerError(
                "the ledger has no rating_usage.parquet (written by an older goodwill): "
                "ingest the source files again and copy the new ledger folder"
            )
        ensure_rating_usage(ledger.path.resolve(), open_ledger(ledger.path).con.con)
        create_rating_usage_views(ledger.con, ledger.path)
    rows = session.sql(f"SELECT period, kind, most FROM `{RATING_CELLS_VIEW}`").collect()
    cells = {(r["period"], r["kind"]): int(r["most"]) for r in rows}
    return RatingUsage(f"`{RATING_USAGE_VIEW}`", None, cells)


def local_layout(session: Any) -> Path | None:
    """The rating-ready file the ledger's view reads when it is on a local path
    (``file:``): one every executor sees at the same path, as Spark's own reader needs.
    None for a ledger at another URL (``s3a://``, ``gs://``, ``hdfs://``)."""
    files = session.table(f"`{RATING_USAGE_VIEW}`").inputFiles()
    if len(files) != 1 or urlparse(files[0]).scheme != "file":
        return None
    return Path(url2pathname(urlparse(files[0]).path))


def rated_by_workers(session: Any, job: RatingJob, layout: Path, per_batch: int) -> Any:
    """The rated rows of the layout's file, a task per row group: each task's Python
    worker reads its row group with pyarrow (only the window's columns, as one machine
    does) and rates it, so Spark never turns the usage into rows."""
    from pyspark.sql.pandas.types import from_arrow_schema

    groups = pq.ParquetFile(layout).num_row_groups
    tasks = session.range(0, groups, 1, max(groups, 1))
    read = group_reader(layout, window_columns(job), per_batch)

    def rate(tasks: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        numbers = (g for task in tasks for g in task.column(0).to_pylist())
        yield from (rate_batch(job, batch) for batch in read(numbers))
        spare_the_next_task()

    return tasks.mapInArrow(rate, from_arrow_schema(advice_schema(job)))


def group_reader(
    layout: Path, columns: list[str], per_batch: int
) -> Callable[[Iterable[int]], Iterator[pa.RecordBatch]]:
    """What a task's Python worker reads the layout's row groups with: their batches of
    ``columns`` (at most ``per_batch`` rows), with the kernel set to one numba thread
    (Spark already runs a task per core)."""
    path = str(layout)

    def read(groups: Iterable[int]) -> Iterator[pa.RecordBatch]:
        import numba

        numba.set_num_threads(1)
        source = pq.ParquetFile(path, buffer_size=1 << 22)
        yield from row_group_batches(source, columns, per_batch, groups)

    return read


def spare_the_next_task() -> None:
    """What a task of ours leaves its reused PySpark worker, so that the next task starts
    at once.

    - **The modules kept out of the collections to come.** The worker runs a full
      ``gc.collect()`` after every task, and with numba, pandas and pyarrow loaded each
      walked every module's objects (0.3 s a task on a loaded core, a task per row group).
      What the task left is already freed by reference counting.
    - **No zip importer left to re-read its archive.** Before every task the worker calls
      ``importlib.invalidate_caches()``, and on Python 3.11 that has each cached zip
      importer read its archive's whole directory again: Spark's ``pyspark.zip``, the
      py4j zip and the ``spark-core`` jar are first on the worker's path, with a cached
      importer per package imported from them (0.13 s a task on Spark 4.0 local, about
      as long as rating the task's 65,536 lines; 10M lines on local[2]: 31 -> 20 s).
      Dropped from the cache, an importer is made again only when a module is next
      imported from its archive, from the directory zipimport keeps, without a read.
    """
    gc.collect()
    gc.freeze()
    for path, finder in list(sys.path_importer_cache.items()):
        if isinstance(finder, zipimport.zipimporter):
            del sys.path_importer_cache[path]


def rated_by_spark(session: Any, job: RatingJob, relation: str) -> Any:
    """The rated rows of the rating-ready view, read by Spark's Parquet reader: for a
    ledger at a URL that only Spark's file systems reach."""
    from pyspark.sql.pandas.types import from_arrow_schema

    rows = session.sql(window_select(job, relation, "spark"))
    return rows.mapInArrow(_rate_partition(job), from_arrow_schema(advice_schema(job)))


def _rate_partition(
    job: RatingJob,
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def rate(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import numba

        numba.set_num_threads(1)
        for batch in batches:
            yield rate_batch(job, batch)
        spare_the_next_task()

    return rate


def spark_rated(
    ledger: Ledger,
    asof: date,
    settings: Settings,
    rules: AdviceRules,
    progress: Callable[[float], None],
) -> ibis.Table:
    """The advice rows of the run, computed now into a cached temporary view."""
    usage = spark_usage(ledger)
    job = rating_job(ledger, usage, asof, settings.lookback_months, rules, 1)
    session: Any = ledger.con._session
    layout = local_layout(session)
    per_batch = min(settings.rating_slice_subscriptions or ROW_GROUP, ROW_GROUP)
    if layout is not None:
        rated = rated_by_workers(session, job, layout, per_batch)
    else:
        rated = rated_by_spark(session, job, usage.relation)
    name = f"_goodwill_rated_{next(_runs)}"
    rated.createOrReplaceTempView(name)
    with settings_set(session, CACHE_SETTINGS | {BATCH_ROWS: str(per_batch)}):
        session.sql(f"CACHE TABLE `{name}`")
    progress(100.0)
    return ledger.con.table(name)


@contextmanager
def settings_set(session: Any, values: Mapping[str, str]) -> Iterator[None]:
    """The session with ``values`` set, as it was after."""
    before = {key: session.conf.get(key, None) for key in values}
    for key, value in values.items():
        session.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                session.conf.unset(key)
            else:
                session.conf.set(key, value)

"""Rating on Spark: the same kernel over the same rating-ready usage, by ``mapInArrow``.

Every partition of the table's rows (:func:`goodwill.analytics.rating_job.window_select`
in Spark SQL) goes through :func:`goodwill.analytics.advice_batch.rate_batch` in the
executors' Python workers, each with one numba thread (Spark already runs a worker per
core). The result is cached as the temporary view that every caller of the run reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import ibis
import pyarrow as pa

from goodwill.analytics.advice_batch import advice_schema, rate_batch
from goodwill.analytics.rating_job import RatingJob, rating_job, window_select
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
BATCH_ROWS = "spark.sql.execution.arrow.maxRecordsPerBatch"


def _usage(ledger: Ledger) -> RatingUsage:
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


def _rate_partition(
    job: RatingJob,
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def rate(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import numba

        numba.set_num_threads(1)
        for batch in batches:
            yield rate_batch(job, batch)

    return rate


def spark_rated(
    ledger: Ledger,
    asof: date,
    settings: Settings,
    rules: AdviceRules,
    progress: Callable[[float], None],
) -> ibis.Table:
    """The advice rows of the run, computed now into a cached temporary view."""
    from pyspark.sql.pandas.types import from_arrow_schema

    usage = _usage(ledger)
    job = rating_job(ledger, usage, asof, settings.lookback_months, rules, 1)
    session: Any = ledger.con._session
    rows = session.sql(window_select(job, usage.relation, "spark"))
    rated = rows.mapInArrow(_rate_partition(job), from_arrow_schema(advice_schema(job)))
    name = f"_goodwill_rated_{next(_runs)}"
    rated.createOrReplaceTempView(name)
    # Arrow batches of a row group, not Spark's default 10,000 rows: the kernel is called
    # once per batch, and each call pays for its Python around it.
    before = session.conf.get(BATCH_ROWS, None)
    session.conf.set(BATCH_ROWS, str(ROW_GROUP))
    try:
        session.sql(f"CACHE TABLE `{name}`")
    finally:
        if before is None:
            session.conf.unset(BATCH_ROWS)
        else:
            session.conf.set(BATCH_ROWS, before)
    progress(100.0)
    return ledger.con.table(name)

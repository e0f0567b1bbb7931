"""The ledger's tables as Spark temporary views, with the contract's column types.

Every view is declared with its schema, so Spark neither infers nor guesses: the
hive-partitioned usage folder keeps ``period`` a string (``2026-03``, not a date), and a
table with no rows (no file written) is an empty view of the same types.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as dt

from goodwill.errors import LedgerError
from goodwill.ledger.contract import TABLES, Table
from goodwill.ledger.folder import table_entry, table_path
from goodwill.ledger.rating_usage import CELLS_FILE, FILE, parse_cells

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

#: Spark SQL's names for the contract's storage types (DuckDB's names).
SPARK_TYPE: Mapping[str, str] = {
    "VARCHAR": "STRING",
    "BIGINT": "BIGINT",
    "DECIMAL(18,4)": "DECIMAL(18,4)",
    "BOOLEAN": "BOOLEAN",
    "TIMESTAMPTZ": "TIMESTAMP",
    "DATE": "DATE",
}


def spark_schema(table: Table) -> str:
    """The table's columns as a Spark DDL list: ``customer_id STRING, ...``."""
    return ", ".join(f"`{c.name}` {SPARK_TYPE[c.storage_type]}" for c in table.columns)


def with_utc_timestamps(table: ibis.Table) -> ibis.Table:
    """``table`` with its timestamps typed UTC, as on DuckDB.

    Spark's TIMESTAMP is an instant shown in the session's time zone (UTC, see
    goodwill.analytics.engine), but ibis types it without a zone, so rows would come back
    with naive datetimes. The cast changes the type only: the SQL is the same.
    """
    utc = dt.Timestamp(timezone="UTC", scale=6)
    stamps = {c: utc for c, t in table.schema().items() if t.is_timestamp() and t.timezone is None}
    return table.cast(stamps) if stamps else table


def create_spark_views(con: BaseBackend, ledger: Path | str, rows: Mapping[str, int]) -> None:
    """One temporary view per contract table on the Spark connection ``con``; ``ledger`` is
    a local folder or a URL that Spark reads (``s3a://bucket/ledger``)."""
    for table in TABLES:
        for statement in _view_sql(_location(ledger, table), table, rows.get(table.name, 0)):
            con.raw_sql(statement)
    create_rating_usage_views(con, ledger)


#: The Spark views of the rating-ready usage (goodwill.ledger.rating_usage).
RATING_USAGE_VIEW, RATING_CELLS_VIEW = "_goodwill_rating_usage", "_goodwill_rating_cells"


def create_rating_usage_views(con: BaseBackend, ledger: Path | str) -> bool:
    """Views of the ledger's rating-ready usage and of its cells' list, when the ledger
    has them (False: a ledger written before them; nothing is declared)."""
    if isinstance(ledger, Path):
        folder = ledger.resolve()
        found = (folder / CELLS_FILE).read_text() if (folder / FILE).exists() else None
        where = str(folder / FILE)
    else:
        found = read_spark_text(con, f"{ledger}/{CELLS_FILE}")
        where = f"{ledger}/{FILE}"
    if found is None:
        return False
    cells = parse_cells(found, CELLS_FILE)
    con.raw_sql(
        f"CREATE OR REPLACE TEMPORARY VIEW `{RATING_USAGE_VIEW}` USING parquet "
        f"OPTIONS (path '{where}')"
    )
    values = ", ".join(f"({_string(p)}, {_string(k)}, {q})" for (p, k), q in sorted(cells.items()))
    body = (
        f"SELECT * FROM VALUES {values} AS t(period, kind, most)"
        if cells
        else "SELECT CAST(NULL AS STRING) period, CAST(NULL AS STRING) kind, "
        "CAST(NULL AS BIGINT) most WHERE false"
    )
    con.raw_sql(f"CREATE OR REPLACE TEMPORARY VIEW `{RATING_CELLS_VIEW}` AS {body}")
    return True


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _location(ledger: Path | str, table: Table) -> str:
    """Where Spark finds a table: the folder's real path (its link moves on re-ingest), or
    the URL's."""
    if isinstance(ledger, Path):
        return str(table_path(ledger, table).resolve())
    return f"{ledger}/{table_entry(table)}"


def read_spark_text(con: BaseBackend, url: str) -> str | None:
    """The text of the file at ``url``, read through Spark's Hadoop file systems (so with
    the cluster's connectors and credentials); None if there is no such file.

    Not ``spark.read.text``: Spark's file index skips names that start with ``_``.
    """
    from py4j.protocol import Py4JJavaError

    context = con._session.sparkContext
    path = context._jvm.org.apache.hadoop.fs.Path(url)
    try:
        files = path.getFileSystem(context._jsc.hadoopConfiguration())
        if not files.exists(path):
            return None
    except Py4JJavaError as exc:
        raise LedgerError(
            f"Spark cannot read {url}: {exc.java_exception.toString()}; the cluster needs the "
            "connector of the URL's scheme (hadoop-aws for s3a://, the GCS connector for "
            "gs://, hadoop-azure for abfss://) and its credentials in spark_conf"
        ) from exc
    stream = files.open(path)
    try:
        return str(context._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
    finally:
        stream.close()


def _view_sql(where: str, table: Table, rows: int) -> list[str]:
    view = f"CREATE OR REPLACE TEMPORARY VIEW `{table.name}`"
    if rows == 0:
        cols = ", ".join(
            f"CAST(NULL AS {SPARK_TYPE[c.storage_type]}) AS `{c.name}`" for c in table.columns
        )
        return [f"{view} AS SELECT {cols} WHERE false"]
    # Spark puts partition columns last: a second view restores the contract's order.
    files = f"`_parquet_{table.name}`"
    names = ", ".join(f"`{c}`" for c in table.column_names)
    return [
        f"CREATE OR REPLACE TEMPORARY VIEW {files} ({spark_schema(table)}) "
        f"USING parquet OPTIONS (path '{where}')",
        f"{view} AS SELECT {names} FROM {files}",
    ]

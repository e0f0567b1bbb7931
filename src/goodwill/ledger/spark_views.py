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

from goodwill.ledger.contract import TABLES, Table
from goodwill.ledger.reader import table_path

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


def create_spark_views(con: BaseBackend, ledger_dir: Path, rows: Mapping[str, int]) -> None:
    """One temporary view per contract table on the Spark connection ``con``."""
    for table in TABLES:
        for statement in _view_sql(ledger_dir, table, rows.get(table.name, 0)):
            con.raw_sql(statement)


def _view_sql(ledger_dir: Path, table: Table, rows: int) -> list[str]:
    view = f"CREATE OR REPLACE TEMPORARY VIEW `{table.name}`"
    if rows == 0:
        cols = ", ".join(
            f"CAST(NULL AS {SPARK_TYPE[c.storage_type]}) AS `{c.name}`" for c in table.columns
        )
        return [f"{view} AS SELECT {cols} WHERE false"]
    # Spark puts partition columns last: a second view restores the contract's order.
    files = f"`_parquet_{table.name}`"
    names = ", ".join(f"`{c}`" for c in table.column_names)
    where = table_path(ledger_dir, table).resolve()
    return [
        f"CREATE OR REPLACE TEMPORARY VIEW {files} ({spark_schema(table)}) "
        f"USING parquet OPTIONS (path '{where}')",
        f"{view} AS SELECT {names} FROM {files}",
    ]

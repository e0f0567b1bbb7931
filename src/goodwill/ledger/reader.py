"""Open the validated Parquet ledger as ibis tables (DuckDB by default, or Spark).

Imports run one way: this module uses :mod:`goodwill.ledger.spark_views` for a Spark
connection; the views module knows the folder (:mod:`goodwill.ledger.folder`), not this.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from goodwill.errors import LedgerError
from goodwill.ledger.contract import TABLES, TABLES_BY_NAME, Table
from goodwill.ledger.folder import MANIFEST, table_path

__all__ = ["MANIFEST", "Ledger", "ledger_from_frames", "open_ledger", "open_ledger_url"]

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    import pyarrow as pa
    from ibis.backends import BaseBackend


@dataclass
class Ledger:
    """A ledger folder opened on one ibis connection.

    >>> ledger = open_ledger(Path("goodwill-data/ledger"))  # doctest: +SKIP
    >>> ledger.table("usage").count().execute()  # doctest: +SKIP
    """

    path: Path
    con: BaseBackend  # DuckDB, or PySpark (goodwill.analytics.engine)

    def table(self, name: str) -> ibis.Table:
        """The named table as an ibis expression (views are made once per connection)."""
        if name not in TABLES_BY_NAME:
            raise LedgerError(
                f"the ledger has no table {name!r}; it has {', '.join(TABLES_BY_NAME)}"
            )
        table = self.con.table(name)
        if self.con.name == "pyspark":
            from goodwill.ledger.spark_views import with_utc_timestamps

            return with_utc_timestamps(table)
        return table


def open_ledger(path: Path, con: BaseBackend | None = None) -> Ledger:
    """Open the ledger at ``path``: every table of the contract becomes a view on ``con``
    (a new DuckDB connection by default; a Spark one from goodwill.analytics.engine)."""
    import ibis

    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        raise LedgerError(
            f"{path} holds no ledger; run `goodwill ingest SOURCE_DIR` (or `goodwill demo`) first"
        )
    rows = json.loads(manifest_path.read_text())["rows"]
    con = con or ibis.duckdb.connect()
    if con.name == "pyspark":
        from goodwill.ledger.spark_views import create_spark_views

        create_spark_views(con, path, rows)
        return Ledger(path=path, con=con)
    for table in TABLES:
        con.raw_sql(
            f'CREATE OR REPLACE VIEW "{table.name}" AS {_select(path, table, rows.get(table.name, 0))}'
        )
    return Ledger(path=path, con=con)


def open_ledger_url(url: str, con: BaseBackend) -> Ledger:
    """Open on Spark a ledger folder at ``url`` (``s3a://bucket/ledger``, ``gs://``,
    ``hdfs://``, ``file:///``): a copy of what ``goodwill ingest`` wrote, read through
    Spark's own file systems, manifest included, so the driver needs no other client or
    credentials than the executors."""
    if con.name != "pyspark":
        raise LedgerError(f"{url}: a ledger at a URL is read by Spark (--engine spark)")
    from goodwill.ledger.spark_views import create_spark_views, read_spark_text

    location = url.rstrip("/")
    manifest = read_spark_text(con, f"{location}/{MANIFEST}")
    if manifest is None:
        raise LedgerError(
            f"{url} holds no ledger ({MANIFEST} is not there); copy the ledger folder that "
            "`goodwill ingest` wrote to it, e.g. aws s3 sync goodwill-data/ledger/ s3://bucket/ledger/"
        )
    create_spark_views(con, location, json.loads(manifest)["rows"])
    return Ledger(path=Path(), con=con)  # no local folder, as with ledger_from_frames


def _select(path: Path, table: Table, rows: int) -> str:
    if rows == 0:  # no file was written: an empty relation with the contract's types
        cols = ", ".join(f'CAST(NULL AS {c.storage_type}) AS "{c.name}"' for c in table.columns)
        return f"SELECT {cols} WHERE false"
    where = table_path(path, table)
    if table.partition_by:
        source = (
            f"read_parquet('{where}/**/*.parquet', hive_partitioning = true, "
            f"hive_types = {{'{table.partition_by}': VARCHAR}})"
        )
    else:
        source = f"read_parquet('{where}')"
    return f"SELECT {_columns(table, source, where)} FROM {source}"


def _columns(table: Table, source: str, where: Path) -> str:
    """The contract's columns; an optional one that a ledger ingested by an older goodwill
    lacks reads as NULL, so upgrading never forces a re-ingest. A missing required column
    is an error that says what to do."""
    snapshot = source.replace(str(where), str(where.resolve()))  # the link moves on re-ingest
    present = _present_columns(snapshot)
    names = []
    for column in table.columns:
        if column.name in present:
            names.append(f'"{column.name}"')
        elif not column.required:
            names.append(f'CAST(NULL AS {column.storage_type}) AS "{column.name}"')
        else:
            raise LedgerError(
                f"{where}: column {column.name!r} is missing; the ledger was written by another "
                "version of goodwill: ingest the source files again"
            )
    return ", ".join(names)


@functools.lru_cache(maxsize=256)
def _present_columns(source: str) -> frozenset[str]:
    """The columns a ledger file holds. Cached: a snapshot folder is never rewritten (ingest
    writes a new one and moves the link), and a web request opens the ledger each time.
    A connection of its own: DuckDB's default one is not safe to share between threads."""
    import duckdb

    with duckdb.connect() as con:
        return frozenset(row[0] for row in con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall())


def ledger_from_frames(frames: Mapping[str, pd.DataFrame | pa.Table]) -> Ledger:
    """A ledger held in memory: handy in notebooks and tests, and for small what-if runs.

    Each frame's columns are cast to the contract's types; a table not given is empty.
    Rows are *not* validated: use ingest for data you did not make yourself.
    """
    import ibis
    import pyarrow as pa

    unknown = set(frames) - set(TABLES_BY_NAME)
    if unknown:
        raise LedgerError(f"no such ledger tables: {', '.join(sorted(unknown))}")
    con = ibis.duckdb.connect()
    for table in TABLES:
        frame = frames.get(table.name)
        if frame is None:
            con.raw_sql(f'CREATE VIEW "{table.name}" AS {_select(Path(), table, 0)}')
            continue
        arrow = (
            frame
            if isinstance(frame, pa.Table)
            else pa.Table.from_pandas(frame, preserve_index=False)
        )
        staging = f"_frame_{table.name}"
        con.con.register(staging, arrow)
        cols = ", ".join(
            f'CAST("{c.name}" AS {c.storage_type}) AS "{c.name}"'
            if c.name in arrow.column_names
            else f'CAST(NULL AS {c.storage_type}) AS "{c.name}"'
            for c in table.columns
        )
        con.raw_sql(f'CREATE TABLE "{table.name}" AS SELECT {cols} FROM "{staging}"')
        con.con.unregister(staging)
    return Ledger(path=Path(), con=con)

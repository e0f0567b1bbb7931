"""Write an in-memory ledger (rerate_data.synthetic_ledger) as a ledger folder on disk.

The folder is what ingest writes: one Parquet file per table, usage hive-partitioned by
period, and the manifest with the row counts. Spark, and DuckDB's scan floor, read it.
"""

from __future__ import annotations

import json
from pathlib import Path

from goodwill.ledger.contract import TABLES
from goodwill.ledger.folder import MANIFEST, table_path
from goodwill.ledger.reader import Ledger


def write_ledger_folder(ledger: Ledger, folder: Path) -> Path:
    """Every contract table of ``ledger`` under ``folder``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for table in TABLES:
        rows[table.name] = int(ledger.table(table.name).count().execute())
        if rows[table.name] == 0:
            continue
        where = table_path(folder, table)
        names = ", ".join(f'"{c}"' for c in table.column_names)
        options = f", PARTITION_BY ({table.partition_by})" if table.partition_by else ""
        ledger.con.raw_sql(
            f"COPY (SELECT {names} FROM \"{table.name}\") TO '{where}' (FORMAT parquet{options})"
        )
    (folder / MANIFEST).write_text(json.dumps({"rows": rows}))
    return folder

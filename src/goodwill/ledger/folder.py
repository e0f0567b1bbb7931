"""Where things live in a ledger folder: the manifest and each contract table's entry."""

from __future__ import annotations

from pathlib import Path

from goodwill.ledger.contract import Table

#: The file in a ledger folder that says what was ingested, when, and how many rows each table holds.
MANIFEST = "_manifest.json"


def table_entry(table: Table) -> str:
    """A table's name in a ledger folder: a file, or a hive-partitioned folder."""
    return table.name if table.partition_by else f"{table.name}.parquet"


def table_path(ledger_dir: Path, table: Table) -> Path:
    """Where a table lives in a ledger folder."""
    return ledger_dir / table_entry(table)

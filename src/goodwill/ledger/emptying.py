"""Ingest never replaces a ledger table that has rows with none.

A table whose source is header-only (or whose file is gone) would empty the ledger's
table: ingest refuses while the ledger's table has rows, unless told ``--allow-empty
TABLE`` (the table really is empty now). What ingest warns of is in
:mod:`goodwill.ledger.ingest_warnings`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path

from goodwill.errors import ConfigError, EmptyTableError
from goodwill.ledger.contract import TABLES
from goodwill.ledger.reader import MANIFEST


def check_allow_empty(names: Collection[str]) -> None:
    """Every name given to ``--allow-empty`` is a table of the contract."""
    known = [t.name for t in TABLES]
    for name in names:
        if name not in known:
            raise ConfigError(
                f"--allow-empty {name}: there is no table {name!r}; choose one of {', '.join(known)}"
            )


def ledger_rows(ledger_dir: Path) -> dict[str, int]:
    """Rows per table of the current ledger (from its manifest); empty when there is none."""
    manifest = ledger_dir / MANIFEST
    if not manifest.exists():
        return {}
    rows: dict[str, int] = json.loads(manifest.read_text())["rows"]
    return rows


def refuse_emptying(
    incoming: Mapping[str, tuple[str | None, int]],
    current: Mapping[str, int],
    allow_empty: Collection[str],
    ledger_dir: Path,
) -> None:
    """Raise EmptyTableError if a non-empty ledger table would be replaced by no rows.

    ``incoming`` maps a table to (its source file or None, the rows read from it).
    """
    for table, (file, rows_read) in incoming.items():
        have = current.get(table, 0)
        if rows_read or not have or table in allow_empty:
            continue
        what = f"{file} has no rows" if file else f"the source folder has no {table}.csv"
        raise EmptyTableError(
            f"{what}, but the ledger's {table} table ({ledger_dir}) has {have:,}; ingesting "
            f"would empty it, so the ledger was not changed. Check the export; if {table} "
            f"really is empty now, ingest again with --allow-empty {table}"
        )

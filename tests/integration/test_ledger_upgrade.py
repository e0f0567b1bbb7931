"""A ledger written by an older goodwill opens in a newer one: optional columns it lacks
read as NULL, tables it lacks are empty; a missing required column says to re-ingest."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from goodwill.errors import LedgerError
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import MANIFEST, open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("upgrade")
    write_sample(root / "sample", customers=300, months=4, seed=3, asof=date(2026, 11, 23))
    settings = Settings(data_dir=root / "data")
    ingest(root / "sample", settings)
    return settings.ledger_dir.resolve()


def drop_column(parquet: Path, column: str, into: Path) -> None:
    duckdb.sql(f"COPY (SELECT * EXCLUDE ({column}) FROM '{parquet}') TO '{into}' (FORMAT parquet)")


def older_copy(ledger_dir: Path, tmp_path: Path, column: str) -> Path:
    """A copy of the ledger as an older goodwill wrote it: promises without ``column``,
    no ticket_events table and no word of it in the manifest."""
    old = tmp_path / "old"
    old.mkdir()
    for item in ledger_dir.iterdir():
        if item.name not in {"promises.parquet", "ticket_events.parquet"}:
            (old / item.name).symlink_to(item)
    drop_column(ledger_dir / "promises.parquet", column, old / "promises.parquet")
    manifest = json.loads((ledger_dir / MANIFEST).read_text())
    manifest["rows"].pop("ticket_events", None)
    (old / MANIFEST).unlink()
    (old / MANIFEST).write_text(json.dumps(manifest))
    return old


def test_an_optional_column_an_older_ledger_lacks_reads_as_null(
    ledger_dir: Path, tmp_path: Path
) -> None:
    fresh = open_ledger(ledger_dir)
    old = open_ledger(older_copy(ledger_dir, tmp_path, "cancelled_at"))
    promises = old.table("promises")
    assert promises.count().execute() == fresh.table("promises").count().execute() > 0
    assert promises.cancelled_at.notnull().sum().execute() == 0
    assert str(promises.schema()["cancelled_at"]) == str(
        fresh.table("promises").schema()["cancelled_at"]
    )
    assert old.table("ticket_events").count().execute() == 0


def test_a_missing_required_column_says_to_ingest_again(ledger_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match=r"promises.parquet: column 'due_at' is missing.*ingest"):
        open_ledger(older_copy(ledger_dir, tmp_path, "due_at"))

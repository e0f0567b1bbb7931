"""The rating-ready usage: written by ingest in the snapshot it swaps in, built on first use
for a ledger an older goodwill wrote, and refused with what to do where it cannot be."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from goodwill.analytics.advice import plan_advice
from goodwill.errors import LedgerError
from goodwill.ledger.ingest import ingest
from goodwill.ledger.rating_usage import (
    CELLS_FILE,
    FILE,
    ROW_GROUP,
    VERSION,
    layout_version,
    read_cells,
    use_column,
    write_rating_usage,
)
from goodwill.ledger.reader import open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings

ASOF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("rating_usage")
    write_sample(folder / "source", customers=400, months=8, seed=3, asof=ASOF)
    settings = Settings(data_dir=folder / "data")
    ingest(folder / "source", settings)
    return settings


def _advice(ledger_dir: Path) -> list[dict[str, object]]:
    table = plan_advice(open_ledger(ledger_dir), ASOF, Settings(), advised_only=False)
    return table.order_by("subscription_id").to_pyarrow().to_pylist()


def test_ingest_writes_one_sorted_row_per_subscription_with_the_usage_per_cell(
    settings: Settings,
) -> None:
    snapshot = settings.ledger_dir.resolve()
    table = pq.read_table(snapshot / FILE)
    ledger = open_ledger(settings.ledger_dir)
    subscriptions = ledger.table("subscriptions").count().execute()
    assert table.num_rows == subscriptions
    ids = table.column("subscription_id").to_pylist()
    assert ids == sorted(ids) and table.column("sub_key").to_pylist() == list(range(len(ids)))
    assert pq.ParquetFile(snapshot / FILE).metadata.row_group(0).num_rows <= ROW_GROUP
    usage = ledger.table("usage").to_pyarrow().to_pylist()
    row = {
        r["subscription_id"]: i for i, r in enumerate(table.select(["subscription_id"]).to_pylist())
    }
    for cell in usage[:500]:
        column = use_column(cell["period"], cell["kind"])
        assert table.column(column)[row[cell["subscription_id"]]].as_py() == cell["quantity"]
    assert set(read_cells(snapshot)) == {(r["period"], r["kind"]) for r in usage}


def test_a_ledger_written_before_the_layout_gets_it_on_first_use(
    settings: Settings, tmp_path: Path
) -> None:
    expected = _advice(settings.ledger_dir)
    old = tmp_path / "old"
    shutil.copytree(settings.ledger_dir.resolve(), old)
    (old / FILE).unlink()
    (old / CELLS_FILE).unlink()
    assert _advice(old) == expected
    assert (old / FILE).exists() and (old / CELLS_FILE).exists()


def test_a_read_only_ledger_without_the_layout_says_to_ingest_again(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tests run as root, who may write anywhere: the folder's permission is what
    ``os.access`` answers, so that answer is what the test sets."""
    old = tmp_path / "read-only"
    shutil.copytree(settings.ledger_dir.resolve(), old)
    (old / FILE).unlink()
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(LedgerError, match="goodwill ingest SOURCE_DIR"):
        _advice(old)
    assert not (old / FILE).exists()


def test_use_columns_are_int32_and_the_layout_names_its_version(settings: Settings) -> None:
    snapshot = settings.ledger_dir.resolve()
    schema = pq.read_schema(snapshot / FILE)
    uses = [f for f in schema if f.name.startswith("use/")]
    assert uses and {f.type for f in uses} == {pa.int32()}
    assert layout_version(snapshot) == VERSION


def _as_version_1(folder: Path) -> None:
    """Rewrite a snapshot's layout as goodwill wrote it before versions: BIGINT use columns
    and the cells' list with no version."""
    table = pq.read_table(folder / FILE)
    wide = pa.schema(
        [f.with_type(pa.int64()) if f.name.startswith("use/") else f for f in table.schema]
    )
    pq.write_table(table.cast(wide), folder / FILE)
    cells = [[p, k, q] for (p, k), q in sorted(read_cells(folder).items())]
    (folder / CELLS_FILE).write_text(json.dumps(cells))


def test_an_older_version_of_the_layout_is_rebuilt_on_first_use(
    settings: Settings, tmp_path: Path
) -> None:
    expected = _advice(settings.ledger_dir)
    old = tmp_path / "v1"
    shutil.copytree(settings.ledger_dir.resolve(), old)
    _as_version_1(old)
    assert layout_version(old) == 1
    assert _advice(old) == expected
    assert layout_version(old) == VERSION


def test_a_read_only_ledger_with_an_older_layout_is_rated_from_it_as_it_is(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _advice(settings.ledger_dir)
    old = tmp_path / "v1-read-only"
    shutil.copytree(settings.ledger_dir.resolve(), old)
    _as_version_1(old)
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert _advice(old) == expected
    assert layout_version(old) == 1


def test_a_duplicate_usage_row_stops_the_layout_with_what_to_do(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE VIEW subscriptions AS SELECT 'S1' AS subscription_id, 'C1' AS customer_id, "
        "'P' AS plan_id, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS started_at, "
        "NULL::TIMESTAMPTZ AS ended_at, NULL::DATE AS contract_end"
    )
    con.execute(
        "CREATE VIEW usage AS SELECT * FROM (VALUES ('S1', '2026-10', 'sms', 3::BIGINT), "
        "('S1', '2026-10', 'sms', 4::BIGINT)) t(subscription_id, period, kind, quantity)"
    )
    with pytest.raises(LedgerError, match="two rows for one subscription, period and kind"):
        write_rating_usage(con, tmp_path)
    assert not (tmp_path / FILE).exists()

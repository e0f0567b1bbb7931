"""Rating in batches gives exactly the advice of rating everything at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis
import pytest

from goodwill.analytics.advice import better_plan, plan_advice
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings

ASOF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("batches")
    write_sample(folder / "source", customers=1_200, months=8, seed=5, asof=ASOF)
    settings = Settings(data_dir=folder / "data")
    ingest(folder / "source", settings)
    return settings


def _rows(table: ibis.Table) -> list[dict[str, object]]:
    return table.order_by("subscription_id").to_pyarrow().to_pylist()


def _ledger(settings: Settings) -> Ledger:
    return open_ledger(settings.ledger_dir)  # a new connection: nothing rated yet


def test_advice_rated_in_batches_is_the_advice_rated_whole(folder: Settings) -> None:
    whole = _rows(plan_advice(_ledger(folder), ASOF, Settings(rating_slice_subscriptions=0),
                              advised_only=False))  # fmt: skip
    seen: list[float] = []
    batched = _rows(
        plan_advice(
            _ledger(folder),
            ASOF,
            Settings(rating_slice_subscriptions=300),
            advised_only=False,
            progress=seen.append,
        )
    )
    assert len(whole) > 800 and sum(bool(r["advised"]) for r in whole) > 100
    assert batched == whole
    assert len(seen) >= 4 and seen == sorted(seen) and seen[-1] == 100


def test_better_plan_moments_do_not_depend_on_the_batches(folder: Settings) -> None:
    once = _rows(better_plan(_ledger(folder), ASOF, Settings(rating_slice_subscriptions=0)))
    batched = _rows(better_plan(_ledger(folder), ASOF, Settings(rating_slice_subscriptions=250)))
    assert len(once) > 100 and batched == once


def test_one_customers_advice_rated_in_process_is_their_rows_of_the_whole(
    folder: Settings,
) -> None:
    from goodwill.analytics.customer_advice import customer_advice

    ledger = _ledger(folder)
    whole = _rows(plan_advice(ledger, ASOF, Settings()))
    customers = sorted({str(r["customer_id"]) for r in whole})[:40]
    for customer in customers:
        mine = [r for r in whole if r["customer_id"] == customer]
        assert customer_advice(_ledger(folder), ASOF, Settings(), customer) == mine
    assert customer_advice(ledger, ASOF, Settings(), "no such customer") == []


def test_advice_streamed_to_its_file_is_the_advice_of_the_rows_held_whole(
    folder: Settings, tmp_path: Path
) -> None:
    """`goodwill advise` streams each batch to the writer; a run whose rows are already
    rated (held whole for the detectors) writes the same file and the same report."""
    from goodwill.analytics.advice_engines import rated_lines
    from goodwill.analytics.advice_report import run_advice

    settings = Settings(rating_slice_subscriptions=200)
    streamed = run_advice(_ledger(folder), ASOF, settings, tmp_path / "streamed.csv")
    held = _ledger(folder)
    rated_lines(held, ASOF, settings)
    whole = run_advice(held, ASOF, settings, tmp_path / "whole.csv")
    assert streamed.advised > 100 and streamed.subscriptions_rated > streamed.advised
    assert (tmp_path / "streamed.csv").read_text() == (tmp_path / "whole.csv").read_text()
    same = ("subscriptions_rated", "advised", "advised_in_contract", "totals", "largest")
    assert all(getattr(streamed, f) == getattr(whole, f) for f in same)
    rows = (tmp_path / "streamed.csv").read_text().splitlines()
    ids = [line.split(",")[0] for line in rows[1:]]
    assert len(ids) == streamed.advised and ids == sorted(ids)


def test_advice_streamed_to_parquet_reads_back_as_the_rows_held_whole(
    folder: Settings, tmp_path: Path
) -> None:
    """The streamed batches carry the catalogue's columns as codes; the Parquet file
    reads back (pyarrow and DuckDB) as strings, the rows of a run held whole."""
    import duckdb
    import pyarrow.parquet as pq

    from goodwill.analytics.advice_engines import rated_lines
    from goodwill.analytics.advice_report import run_advice

    settings = Settings(rating_slice_subscriptions=200)
    run_advice(_ledger(folder), ASOF, settings, tmp_path / "streamed.parquet")
    held = _ledger(folder)
    rated_lines(held, ASOF, settings)
    run_advice(held, ASOF, settings, tmp_path / "whole.parquet")
    streamed, whole = (pq.read_table(tmp_path / f) for f in ("streamed.parquet", "whole.parquet"))
    assert streamed.num_rows > 100 and streamed.equals(whole)
    assert streamed.schema.field("recommended_plan_name").type == "string"
    # Every column required (written without definition levels) but the contract's end.
    optional = [f.name for f in streamed.schema if f.nullable]
    assert optional == ["contract_end"] and streamed.column("contract_end").null_count > 0
    read = duckdb.sql(f"SELECT * FROM '{tmp_path / 'streamed.parquet'}'").to_arrow_table()
    assert read.equals(whole.cast(read.schema)) and read.schema.names == whole.schema.names
    # Compressed where it pays for its time: the ids and the catalogue's columns, not
    # the numbers (delta-encoded whole numbers, plain averages).
    group = pq.ParquetFile(tmp_path / "streamed.parquet").metadata.row_group(0)
    compression = {group.column(i).path_in_schema: group.column(i).compression
                   for i in range(group.num_columns)}  # fmt: skip
    assert compression["subscription_id"] == compression["current_plan_id"] == "SNAPPY"
    averages = [c for c in compression if c.startswith("avg_")]
    assert averages and {compression[c] for c in [*averages, "monthly_saving_minor"]} == {
        "UNCOMPRESSED"
    }


def test_an_advised_row_missing_a_required_value_is_refused(tmp_path: Path) -> None:
    """The Parquet file declares the advice's columns required; a row that breaks that
    (a fault in the rating) stops the writer rather than writing a wrong file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from goodwill.analytics.advice_report import write_advice

    rows = pa.table(
        {
            "subscription_id": ["S1", "S2"],
            "recommended_plan_id": ["P1", None],
            "contract_end": pa.array([None, None], pa.date32()),
        }
    )
    with pytest.raises(RuntimeError, match="recommended_plan_id is empty"):
        write_advice(rows, tmp_path / "advice.parquet")
    write_advice(rows.slice(0, 1), tmp_path / "advice.parquet")
    assert pq.read_table(tmp_path / "advice.parquet").to_pylist() == [
        {"subscription_id": "S1", "recommended_plan_id": "P1", "contract_end": None}
    ]

"""The Spark views of a ledger folder are declared with the contract's types (no Spark needed)."""

from __future__ import annotations

from pathlib import Path

from goodwill.ledger.contract import TABLES_BY_NAME
from goodwill.ledger.spark_views import SPARK_TYPE, _location, _view_sql, spark_schema


def test_every_storage_type_has_a_spark_name() -> None:
    used = {c.storage_type for t in TABLES_BY_NAME.values() for c in t.columns}
    assert used <= set(SPARK_TYPE)


def test_usage_keeps_its_month_a_string_and_the_contract_order(tmp_path: Path) -> None:
    usage = TABLES_BY_NAME["usage"]
    files, view = _view_sql(_location(tmp_path, usage), usage, rows=10)
    assert "`period` STRING" in spark_schema(TABLES_BY_NAME["usage"])
    assert f"USING parquet OPTIONS (path '{tmp_path.resolve() / 'usage'}')" in files
    names = ", ".join(f"`{c}`" for c in TABLES_BY_NAME["usage"].column_names)
    assert (
        view == f"CREATE OR REPLACE TEMPORARY VIEW `usage` AS SELECT {names} FROM `_parquet_usage`"
    )


def test_a_table_with_no_rows_is_an_empty_view_of_the_same_types(tmp_path: Path) -> None:
    feedback = TABLES_BY_NAME["feedback"]
    [view] = _view_sql(_location(tmp_path, feedback), feedback, rows=0)
    assert view.endswith("WHERE false")
    assert "CAST(NULL AS TIMESTAMP) AS `at`" in view


def test_a_ledger_at_a_url_keeps_its_tables_under_it() -> None:
    url = "s3a://acme-care/ledger/2026-11-30"
    assert _location(url, TABLES_BY_NAME["usage"]) == f"{url}/usage"
    assert _location(url, TABLES_BY_NAME["plans"]) == f"{url}/plans.parquet"

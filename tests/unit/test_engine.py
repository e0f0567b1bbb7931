"""Picking the analytics engine: DuckDB by default, Spark when asked, and clear errors."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import ibis
import pytest

from goodwill.analytics.engine import SPARK_MISSING, connect, engine_name, open_ledger_for
from goodwill.analytics.sqlfunctions import on_spark
from goodwill.errors import ConfigError, LedgerError
from goodwill.ledger.reader import open_ledger_url
from goodwill.settings import Settings


def test_duckdb_is_the_default_engine() -> None:
    assert engine_name(Settings()) == "duckdb"
    assert connect(Settings()).name == "duckdb"


def test_an_unknown_engine_is_named_with_the_choices() -> None:
    with pytest.raises(
        ConfigError, match=r"engine 'flink' is not known; choose one of duckdb, spark"
    ):
        engine_name(SimpleNamespace(engine="flink"))


def test_spark_without_pyspark_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now fails
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ConfigError) as caught:
        connect(Settings(engine="spark"))
    assert str(caught.value) == SPARK_MISSING
    assert "pip install 'goodwill[spark]'" in SPARK_MISSING


def test_expressions_on_duckdb_use_duckdb_primitives() -> None:
    con = ibis.duckdb.connect()
    con.raw_sql("CREATE TABLE t AS SELECT 7::BIGINT AS a")
    t = con.table("t")
    assert not on_spark(t.a + 1)
    assert not on_spark(ibis.literal(1))  # bound to no backend: DuckDB's primitives


def test_a_ledger_url_without_spark_is_refused_with_what_to_do(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, ledger_url="s3a://bucket/ledger")
    with pytest.raises(ConfigError, match=r"ledger_url 's3a://bucket/ledger' is read by Spark"):
        open_ledger_for(settings)
    with pytest.raises(LedgerError, match="a ledger at a URL is read by Spark"):
        open_ledger_url("s3a://bucket/ledger", ibis.duckdb.connect())


def test_duckdb_gets_the_memory_limit_of_the_settings() -> None:
    limited = connect(Settings(duckdb_memory_limit="1GB"))
    default = connect(Settings())
    read = "SELECT current_setting('memory_limit')"
    assert limited.raw_sql(read).fetchone()[0] == "953.6 MiB"  # 10**9 bytes
    assert default.raw_sql(read).fetchone()[0] != "953.6 MiB"
    with pytest.raises(ConfigError, match=r"duckdb_memory_limit 'lots': .*e\.g\. 4GB"):
        connect(Settings(duckdb_memory_limit="lots"))

"""The same analytics on DuckDB and on Apache Spark (local mode) give the same answers.

One sample operator (500 customers, 8 months of use, as of 2026-11-23), one ledger
folder, two engines: every advice row, every moment of the built-in detectors and every
scorecard figure must agree, money to the last minor unit and floats to 1e-9. One Spark
session serves the whole module (it takes seconds to start).
"""

from __future__ import annotations

import gc
import json
import math
import shutil
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    # PySpark 4.0's collect (pyspark/util.py, _load_from_socket) leaves its socket to the GC.
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]

ASOF = date(2026, 11, 23)
#: Settings for a few thousand rows: one shuffle partition, and no code generation or
#: adaptive re-planning, whose fixed costs dominate here (measured: 2x faster).
SMALL_DATA = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
}
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spark_sample")
    write_sample(root / "source", customers=500, months=8, seed=0, asof=ASOF)
    ingest(root / "source", Settings(data_dir=root / "data"))
    return root / "data" / "ledger"


@pytest.fixture(scope="module")
def spark_con() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'goodwill[spark]'")
    from goodwill.analytics.engine import connect_spark

    with pytest.MonkeyPatch.context() as env:
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        con = connect_spark("local[2]", SMALL_DATA)
        con._session.sparkContext.setLogLevel("ERROR")
        yield con
        con.disconnect()
        gc.collect()  # the sockets above, while this module's warning filter still holds


@pytest.fixture(scope="module")
def duck(ledger_dir: Path) -> Ledger:
    return open_ledger(ledger_dir)


@pytest.fixture(scope="module")
def spark(ledger_dir: Path, spark_con: Any) -> Ledger:
    return open_ledger(ledger_dir, con=spark_con)


def assert_same_rows(left: Sequence[dict[str, Any]], right: Sequence[dict[str, Any]]) -> None:
    """Row for row, column for column: exact, but floats to TOLERANCE."""
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert a.keys() == b.keys()
        for column, value in a.items():
            other = b[column]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=0, abs_tol=TOLERANCE), (column, a, b)
            else:
                assert (type(value), value) == (type(other), other), (column, a, b)


def test_the_ledger_reads_alike(duck: Ledger, spark: Ledger) -> None:
    """Same tables, same column types (bar the time zone ibis gives Spark's timestamps)."""
    for name in ("usage", "subscriptions", "plans", "plan_allowances", "bills"):
        left, right = duck.table(name), spark.table(name)
        assert left.columns == right.columns
        assert left.count().execute() == right.count().execute()
    assert spark.table("usage").schema()["period"].is_string()


def test_plan_advice_is_identical(duck: Ledger, spark: Ledger) -> None:
    from goodwill.analytics.advice import plan_advice

    rows = [
        plan_advice(ledger, ASOF, Settings(), advised_only=False)
        .order_by("subscription_id")
        .to_pyarrow()
        .to_pylist()
        for ledger in (duck, spark)
    ]
    assert len(rows[0]) > 300 and any(r["advised"] for r in rows[0])
    assert_same_rows(*rows)


def _moments(ledger: Ledger) -> list[Any]:
    from goodwill.analytics.detectors.base import DetectorContext
    from goodwill.analytics.detectors.registry import load_detectors
    from goodwill.services.detect import detect_all

    context = DetectorContext(ledger=ledger, asof=ASOF, settings=Settings())
    found = detect_all(load_detectors(), context)
    return sorted((m for d in found for m in d.moments), key=lambda m: m.dedupe_key)


def test_the_built_in_detectors_find_the_same_moments(duck: Ledger, spark: Ledger) -> None:
    """Every moment, its evidence included (the JSON parsed: Spark writes floats apart)."""
    left, right = _moments(duck), _moments(spark)
    assert len({m.kind for m in left}) >= 4
    assert [m.dedupe_key for m in left] == [m.dedupe_key for m in right]
    for a, b in zip(left, right, strict=True):
        assert_close(a.__dict__, b.__dict__, a.dedupe_key)


def test_the_scorecard_figures_are_identical(duck: Ledger, spark: Ledger) -> None:
    from goodwill.analytics.scorecard import build_scorecard

    left, right = (build_scorecard(x, ASOF, Settings()).as_dict() for x in (duck, spark))
    assert_close(left, right, "scorecard")


def assert_close(left: Any, right: Any, where: str) -> None:
    """Nested mappings and sequences equal, floats to TOLERANCE."""
    if isinstance(left, float) and isinstance(right, float):
        same = math.isclose(left, right, rel_tol=0, abs_tol=TOLERANCE) or left == right
        assert same or (math.isnan(left) and math.isnan(right)), (where, left, right)
    elif isinstance(left, dict | Mapping) and isinstance(right, dict | Mapping):
        assert left.keys() == right.keys(), where
        for key in left:
            assert_close(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
        assert len(left) == len(right), where
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_close(a, b, f"{where}[{i}]")
    else:
        assert (type(left), left) == (type(right), right), where


def test_goodwill_advise_says_the_same_on_spark(
    ledger_dir: Path, spark_con: Any, tmp_path: Path
) -> None:
    """The CLI end to end: the summary and the advice file (Spark's driver writes it)."""
    from typer.testing import CliRunner

    from goodwill.cli import app

    def advise(*options: str) -> dict[str, Any]:
        out = tmp_path / f"advice{len(options)}.parquet"
        args = ["advise", "--asof", ASOF.isoformat(), "--json", "--out", str(out), *options]
        result = CliRunner().invoke(app, [*args, "--data", str(ledger_dir.parent)])
        assert result.exit_code == 0, result.output
        return json.loads(result.output) | {"seconds": 0, "out": pq.read_table(out).to_pylist()}

    assert_close(advise(), advise("--engine", "spark", "--spark-master", "local[2]"), "advise")


def test_spark_reads_a_ledger_at_a_url_with_nothing_in_the_data_folder(
    ledger_dir: Path, spark_con: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GOODWILL_LEDGER_URL: the manifest and every table read through Spark's file systems
    (here file://; s3a:// and gs:// go through the same code with the cluster's connectors)."""
    from typer.testing import CliRunner

    from goodwill.cli import app

    def advise(data: Path, *options: str) -> dict[str, Any]:
        args = ["advise", "--asof", ASOF.isoformat(), "--json", "--data", str(data), *options]
        result = CliRunner().invoke(app, [*args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output) | {"seconds": 0}

    on_duckdb = advise(ledger_dir.parent)
    monkeypatch.setenv("GOODWILL_LEDGER_URL", ledger_dir.resolve().as_uri())
    empty = tmp_path / "empty"
    empty.mkdir()
    at_url = advise(empty, "--engine", "spark", "--spark-master", "local[2]")
    assert on_duckdb["advised"] > 50
    assert_close(on_duckdb, at_url, "advise at a URL")


def test_a_url_that_holds_no_ledger_says_what_to_copy_there(spark_con: Any, tmp_path: Path) -> None:
    from goodwill.errors import LedgerError
    from goodwill.ledger.reader import open_ledger_url

    with pytest.raises(LedgerError, match=r"holds no ledger \(_manifest.json is not there\)"):
        open_ledger_url(tmp_path.as_uri(), spark_con)
    unreadable = r"Spark cannot read nosuch://b/l/_manifest.json: .*No FileSystem for scheme"
    with pytest.raises(LedgerError, match=unreadable):
        open_ledger_url("nosuch://b/l", spark_con)


@pytest.fixture
def small_groups(ledger_dir: Path, tmp_path: Path) -> Path:
    """A copy of the ledger whose rating-ready file has row groups of 64 subscriptions."""
    from goodwill.ledger.rating_usage import FILE

    folder = tmp_path / "ledger"
    shutil.copytree(ledger_dir.resolve(), folder)
    pq.write_table(pq.read_table(folder / FILE), folder / FILE, row_group_size=64)
    return folder


def test_both_spark_feeds_rate_as_one_machine_does(
    small_groups: Path, ledger_dir: Path, spark_con: Any
) -> None:
    """Python workers reading the layout's row groups themselves (a local ledger), and
    Spark's Parquet reader (the fallback for a ledger at a URL), rate every subscription
    as pyarrow's feed on one machine does: same rows, every column."""
    from goodwill.analytics.advice_engines import rated_batches
    from goodwill.analytics.spark_rating import local_layout, rated_by_spark, rated_by_workers
    from goodwill.ledger.rating_usage import FILE
    from goodwill.ledger.spark_views import RATING_USAGE_VIEW

    job, batches = rated_batches(open_ledger(small_groups), ASOF, Settings())
    expected = pa.Table.from_batches(list(batches)).sort_by("subscription_id").to_pylist()
    session = spark_con._session
    try:
        open_ledger(small_groups, con=spark_con)
        layout = local_layout(session)
        assert layout == (small_groups / FILE).resolve()
        assert pq.ParquetFile(layout).num_row_groups > 5
        feeds = {
            "workers": rated_by_workers(session, job, layout, per_batch=50),
            "spark": rated_by_spark(session, job, f"`{RATING_USAGE_VIEW}`"),
        }
        for feed, rated in feeds.items():
            rows = rated.toArrow().sort_by("subscription_id").to_pylist()
            assert len(rows) == len(expected) > 300, feed
            assert_same_rows(rows, expected)
    finally:
        open_ledger(ledger_dir, con=spark_con)  # the module's other tests read its views


def test_the_advice_file_reads_the_same_in_spark(
    ledger_dir: Path, spark_con: Any, tmp_path: Path
) -> None:
    """The one writer's Parquet file (delta-encoded whole numbers, catalogue columns
    written as codes) is read by Spark's own reader as pyarrow reads it."""
    from goodwill.analytics.advice_report import run_advice

    out = tmp_path / "advice.parquet"
    run_advice(open_ledger(ledger_dir), ASOF, Settings(), out)
    expected = pq.read_table(out).sort_by("subscription_id").to_pylist()
    rows = spark_con._session.read.parquet(str(out)).orderBy("subscription_id").collect()
    assert len(expected) > 50
    assert [r.asDict() for r in rows] == expected


@pytest.mark.parametrize("reader", ["workers", "spark"])
def test_goodwill_advise_on_spark_writes_duckdbs_file(
    small_groups: Path,
    ledger_dir: Path,
    spark_con: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reader: str,
) -> None:
    """``goodwill advise --out`` on Spark streams each task's advised rows to the driver,
    which writes them with the one writer: the same .csv byte for byte as DuckDB's run,
    the same rows in the .parquet (byte for byte too where the workers read the row
    groups, since the batches are one machine's), and the same report. The ledger's
    rating-ready file has row groups of 64, so the tasks come back in several waves.
    ``spark``: Spark's own reader feeds the workers, as for a ledger at ``s3a://``."""
    import ibis

    from goodwill.analytics import spark_advised
    from goodwill.analytics.advice_report import run_advice

    def report(ledger: Ledger, out: Path, seen: list[float] | None = None) -> dict[str, Any]:
        found = run_advice(ledger, ASOF, Settings(), out, None if seen is None else seen.append)
        return found.to_dict() | {"seconds": 0, "out": None}

    if reader == "spark":  # what a ledger at a URL that only Spark reaches gets
        monkeypatch.setattr(spark_advised, "local_layout", lambda session: None)
    duck = open_ledger(small_groups)
    spark = open_ledger(small_groups, con=ibis.pyspark.connect(spark_con._session))  # none rated
    try:
        for suffix in (".parquet", ".csv"):
            seen: list[float] = []
            files = [tmp_path / f"{engine}{suffix}" for engine in ("duckdb", "spark")]
            on_duckdb, on_spark = report(duck, files[0]), report(spark, files[1], seen)
            assert on_duckdb["advised"] > 50 and len(on_duckdb["largest"]) == 5
            assert_close(on_duckdb, on_spark, f"advise {reader} {suffix}")
            assert seen == sorted(seen) and seen[-1] == 100
            assert len(seen) > 2 or reader == "spark"  # two waves of tasks at least
            if suffix == ".csv" or reader == "workers":
                assert files[0].read_bytes() == files[1].read_bytes(), suffix
            else:  # Spark's reader hands the workers other batches: other row groups
                assert pq.read_table(files[0]).equals(pq.read_table(files[1]))
    finally:
        open_ledger(ledger_dir, con=spark_con)  # the module's other tests read its views

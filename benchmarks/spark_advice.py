"""Plan advice on Spark (local mode) over a ledger folder, timed as DuckDB is timed.

The timed part is what ``goodwill advise --engine spark --out advice.parquet`` runs
(:func:`goodwill.analytics.advice_report.run_advice` on a Spark connection): the advice
computed in full, the advised rows written, every column, to one Parquet file by the
writer DuckDB's run uses, and the report summed up. The rows are then read back,
untimed, for comparison. The session gets ``driver_memory`` and enough shuffle
partitions that a task holds at most ~250k subscriptions' state.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from goodwill.analytics.advice_report import run_advice
from goodwill.analytics.engine import connect_spark
from goodwill.ledger.reader import open_ledger
from goodwill.settings import Settings
from rerate_data import ASOF


def spark_connection(threads: int, subscriptions: int = 0, driver_memory: str = "8g") -> Any:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    partitions = max(4 * threads, subscriptions // 250_000)
    conf = {
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": str(partitions),
        "spark.driver.memory": driver_memory,
        "spark.local.dir": os.environ.get("GOODWILL_SPARK_LOCAL_DIR", "/tmp"),
    }
    con = connect_spark(f"local[{threads}]", conf)
    con._session.sparkContext.setLogLevel("ERROR")
    return con


def spark_advice(con: Any, folder: Path, settings: Settings, out: Path) -> float:
    """The seconds ``goodwill advise --out`` took to advise and write ``out`` (a file)."""
    ledger = open_ledger(folder, con=con)
    started = time.perf_counter()
    run_advice(ledger, ASOF, settings, out)
    return time.perf_counter() - started


def advised_rows(out: Path) -> pd.DataFrame:
    """Subscription, plan and saving of the advised rows Spark's run wrote, in order (as
    DuckDB's rows come through ibis, so the frames compare)."""
    rows = ibis.duckdb.connect().read_parquet(str(out))
    columns = rows.select("subscription_id", "recommended_plan_id", "monthly_saving_minor")
    return columns.order_by("subscription_id").to_pandas()

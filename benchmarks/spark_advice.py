"""Plan advice on Spark (local mode) over a ledger folder, timed as DuckDB is timed.

The timed part computes the advice in full and writes the advised rows, every column, to
a Parquet folder, as ``goodwill advise --out advice.parquet`` does on DuckDB; the rows
are then read back, untimed, for comparison. The session gets ``driver_memory`` and
enough shuffle partitions that a task holds at most ~250k subscriptions' state.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from goodwill.analytics.advice import plan_advice
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
    """The seconds it took to compute the advice and write the advised rows to ``out``."""
    ledger = open_ledger(folder, con=con)
    started = time.perf_counter()
    expr = plan_advice(ledger, ASOF, settings)
    con._run_pre_execute_hooks(expr)  # registers the plan terms (an in-memory table)
    con._session.sql(con.compile(expr)).write.mode("overwrite").parquet(str(out))
    return time.perf_counter() - started


def advised_rows(out: Path) -> pd.DataFrame:
    """Subscription, plan and saving of the advised rows Spark wrote, in order (as DuckDB's
    rows come through ibis, so the frames compare)."""
    rows = ibis.duckdb.connect().read_parquet(f"{out}/*.parquet")
    columns = rows.select("subscription_id", "recommended_plan_id", "monthly_saving_minor")
    return columns.order_by("subscription_id").to_pandas()

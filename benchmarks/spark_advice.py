"""Plan advice on Spark (local mode) over a ledger folder, timed as rerate.py times DuckDB.

The advice is computed in full and thrown away (Spark's ``noop`` sink, which still
computes every column); then the advised rows are read back, untimed, for comparison.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pandas as pd

from goodwill.analytics.advice import plan_advice
from goodwill.analytics.engine import connect_spark
from goodwill.ledger.reader import open_ledger
from goodwill.settings import Settings
from rerate_data import ASOF


def spark_connection(threads: int) -> Any:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    conf = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": str(4 * threads)}
    con = connect_spark(f"local[{threads}]", conf)
    con._session.sparkContext.setLogLevel("ERROR")
    return con


def spark_advice(con: Any, folder: Path, settings: Settings) -> tuple[pd.DataFrame, float]:
    """The advised rows (subscription, plan, saving) and the seconds the full advice took."""
    ledger = open_ledger(folder, con=con)
    started = time.perf_counter()
    expr = plan_advice(ledger, ASOF, settings, advised_only=False)
    con._run_pre_execute_hooks(expr)  # registers the plan terms (an in-memory table)
    con._session.sql(con.compile(expr)).write.format("noop").mode("overwrite").save()
    seconds = time.perf_counter() - started
    advised = expr.filter(expr.advised).select(
        "subscription_id", "recommended_plan_id", "monthly_saving_minor"
    )
    return advised.order_by("subscription_id").to_pandas(), seconds

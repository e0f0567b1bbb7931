"""The options that pick the analytics engine, shared by ``advise``, ``run`` and ``scorecard``."""

from __future__ import annotations

from typing import Annotated

import typer

EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Run the analytics on duckdb (in-process) or spark. Default: $GOODWILL_ENGINE or duckdb.",
        show_default=False,
    ),
]
SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="The Spark master with --engine spark: local[*], spark://host:7077, yarn, "
        "k8s://https://host:443. Default: $GOODWILL_SPARK_MASTER or local[*].",
        show_default=False,
    ),
]

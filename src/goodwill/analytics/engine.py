"""The engine the analytics run on: DuckDB in-process by default, Apache Spark at scale.

The analytics are ibis expressions, so the same code runs on either; :func:`connect`
makes the ibis backend the settings ask for. Spark is an optional extra
(``pip install 'goodwill[spark]'``): it is imported only when asked for.

>>> settings = Settings(engine="spark", spark_master="spark://head:7077")  # doctest: +SKIP
>>> ledger = open_ledger_for(settings)  # the settings' ledger_dir, on Spark  # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from goodwill.errors import ConfigError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

    from goodwill.ledger.reader import Ledger

ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_MASTER = "local[*]"
#: What goodwill sets on every Spark session; ``spark_conf`` overrides any of it.
SPARK_DEFAULTS: Mapping[str, str] = {
    "spark.app.name": "goodwill",
    "spark.sql.session.timeZone": "UTC",
    # Moments' evidence is JSON: keep null fields, as DuckDB does, so both read alike.
    "spark.sql.jsonGenerator.ignoreNullFields": "false",
    "spark.ui.showConsoleProgress": "false",
    # A task of `goodwill advise` returns its advised rows (~15 MB): sent with the task's
    # status, not stored and fetched from the block manager (a third less of the JVM's
    # time at 1M lines on local[2]). Spark caps it at spark.rpc.message.maxSize (128 MB).
    "spark.task.maxDirectResultSize": "64m",
}
SPARK_MISSING = (
    "--engine spark needs PySpark, an optional extra: pip install 'goodwill[spark]' "
    "(or pip install 'pyspark>=3.5,<4.1'), and Java 17 on the PATH"
)


def engine_name(settings: Any) -> str:
    """The engine the settings ask for, checked (``duckdb`` when not set)."""
    name = settings.engine
    if name not in ENGINES:
        raise ConfigError(f"engine {name!r} is not known; choose one of {', '.join(ENGINES)}")
    return name


def connect(settings: Any) -> BaseBackend:
    """A new ibis connection on the engine of ``settings`` (``engine``, ``spark_master``,
    ``spark_conf``)."""
    if engine_name(settings) == "spark":
        master = settings.spark_master
        return connect_spark(master, settings.spark_conf)
    import duckdb
    import ibis

    limit = settings.duckdb_memory_limit
    try:
        return ibis.duckdb.connect(**({"memory_limit": limit} if limit else {}))
    except duckdb.Error as exc:
        raise ConfigError(f"duckdb_memory_limit {limit!r}: {exc} (e.g. 4GB or 512MB)") from exc


def connect_spark(
    master: str = DEFAULT_SPARK_MASTER, conf: Mapping[str, str] | None = None
) -> BaseBackend:
    """An ibis PySpark connection on a session for ``master`` (made, or the one running).

    ``conf``: Spark settings (``spark.executor.memory``, ...) on top of SPARK_DEFAULTS.
    """
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(SPARK_MISSING) from exc
    if master.startswith("local"):  # local mode needs no network: bind to loopback
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # The rating kernel runs in Python workers: on this machine, this Python (with
        # goodwill); PySpark reads the variable when the session starts.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master)
    for key, value in {**SPARK_DEFAULTS, **(conf or {})}.items():
        builder = builder.config(key, str(value))
    try:
        session = builder.getOrCreate()
    except RuntimeError as exc:  # PySpark's own errors at start are RuntimeErrors
        raise ConfigError(
            f"Spark did not start with master {master!r}; check that Java 17 is on the PATH "
            "(or JAVA_HOME), that the master is reachable, and that SPARK_LOCAL_IP is set "
            f"(127.0.0.1 on a machine with no network). Spark said: {exc}"
        ) from exc
    return ibis.pyspark.connect(session)


def is_spark(con: BaseBackend) -> bool:
    """Whether ``con`` is a Spark connection."""
    return bool(con.name == "pyspark")


def open_ledger_for(settings: Any) -> Ledger:
    """The ledger of ``settings`` opened on the engine they ask for: ``ledger_dir``, or on
    Spark the ``ledger_url`` when one is set."""
    from goodwill.ledger.reader import open_ledger, open_ledger_url

    url = settings.ledger_url
    if url and engine_name(settings) != "spark":
        raise ConfigError(
            f"ledger_url {url!r} is read by Spark: use --engine spark, or unset "
            "GOODWILL_LEDGER_URL to read the ledger in the data folder with DuckDB"
        )
    if url:
        return open_ledger_url(url, connect(settings))
    return open_ledger(settings.ledger_dir, con=connect(settings))

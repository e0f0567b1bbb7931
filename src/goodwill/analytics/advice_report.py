"""Run plan advice over a whole ledger once and sum it up: what ``goodwill advise`` shows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from goodwill.analytics.advice import rated_advice
from goodwill.errors import ConfigError
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

#: How many of the largest savings the report lists with their evidence.
TOP = 5
OUT_FORMATS = (".csv", ".parquet")


@dataclass(frozen=True)
class SavingTotals:
    """What the advice hands back to customers in one currency, a month and a year."""

    currency: str
    advised: int
    monthly_saving_minor: int
    annual_saving_minor: int


@dataclass(frozen=True)
class AdviceReport:
    """The outcome of one advice run over the ledger."""

    asof: date
    lookback_months: int
    subscriptions_rated: int
    advised: int
    advised_in_contract: int
    totals: tuple[SavingTotals, ...]
    largest: tuple[dict[str, Any], ...]  # advice rows, largest annual saving first
    seconds: float
    out: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        return found | {"asof": self.asof.isoformat(), "out": str(self.out) if self.out else None}


def check_out_path(out: Path | None) -> None:
    """Refuse an output file goodwill cannot write before any work is done."""
    if out is not None and out.suffix.lower() not in OUT_FORMATS:
        raise ConfigError(f"--out {out}: write the advice to a .csv or .parquet file")


def run_advice(
    ledger: Ledger,
    asof: date,
    settings: Settings,
    out: Path | None = None,
    progress: Callable[[float], None] | None = None,
) -> AdviceReport:
    """Advise every active subscription, write the advised rows to ``out``, and sum up."""
    check_out_path(out)
    started = time.perf_counter()
    rated = rated_advice(ledger, asof, settings, progress=progress)
    # The advised rows once, in the driver; every sum below is over them (any engine).
    advised = rated.filter(rated.advised).to_pyarrow().sort_by("subscription_id")
    if out is not None:
        write_advice(advised, out)
    return AdviceReport(
        asof=asof,
        lookback_months=settings.lookback_months,
        subscriptions_rated=int(rated.count().to_pyarrow().as_py()),
        advised=advised.num_rows,
        advised_in_contract=int(pc.sum(advised["in_contract"]).as_py() or 0),
        totals=_totals(advised),
        largest=tuple(_largest(advised)),
        seconds=time.perf_counter() - started,
        out=out,
    )


def write_advice(rows: pa.Table, out: Path) -> None:
    """The one writer of advice files, whichever engine rated: a .parquet file, or a .csv
    with a header, strings quoted only where they must be, and whole numbers as integers.

    (Each engine's own CSV writer differs: DuckDB wrote ``0.0`` where Spark wrote ``0``,
    and pyarrow's quotes every string.)
    """
    if out.suffix.lower() == ".parquet":
        pq.write_table(rows, out)
        return
    con = duckdb.connect()
    con.register("advice", rows)
    target = str(out).replace("'", "''")
    con.execute(f"COPY advice TO '{target}' (HEADER, DELIMITER ',')")


def _totals(advised: pa.Table) -> tuple[SavingTotals, ...]:
    sums = advised.group_by("currency").aggregate(
        [("currency", "count"), ("monthly_saving_minor", "sum"), ("annual_saving_minor", "sum")]
    )
    rows = sums.sort_by("currency").to_pylist()
    return tuple(
        SavingTotals(
            currency=r["currency"],
            advised=r["currency_count"],
            monthly_saving_minor=r["monthly_saving_minor_sum"],
            annual_saving_minor=r["annual_saving_minor_sum"],
        )
        for r in rows
    )


def _largest(advised: pa.Table) -> list[dict[str, Any]]:
    order = [("annual_saving_minor", "descending"), ("subscription_id", "ascending")]
    top = advised.take(pc.select_k_unstable(advised, k=TOP, sort_keys=order)).sort_by(order)
    return [
        {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
        for row in top.to_pylist()
    ]

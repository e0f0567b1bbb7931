"""Run plan advice over a whole ledger once and sum it up: what ``goodwill advise`` shows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from goodwill.analytics.advice import rated_advice
from goodwill.analytics.engine import is_spark
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
    advised = rated.filter(rated.advised)
    if out is not None:
        _write(ledger, advised.order_by("subscription_id"), out)
    return AdviceReport(
        asof=asof,
        lookback_months=settings.lookback_months,
        subscriptions_rated=int(rated.count().to_pyarrow().as_py()),
        advised=int(advised.count().to_pyarrow().as_py()),
        advised_in_contract=int(advised.filter(advised.in_contract).count().to_pyarrow().as_py()),
        totals=_totals(advised),
        largest=tuple(_largest(advised)),
        seconds=time.perf_counter() - started,
        out=out,
    )


def _write(ledger: Ledger, rows: ibis.Table, out: Path) -> None:
    """One .csv or .parquet file (Spark would write a folder of parts: the driver writes it)."""
    if is_spark(ledger.con):
        table = rows.to_pyarrow()
        if out.suffix.lower() == ".csv":
            pa_csv.write_csv(table, out)
        else:
            pq.write_table(table, out)
        return
    write = ledger.con.to_csv if out.suffix.lower() == ".csv" else ledger.con.to_parquet
    write(rows, out)


def _totals(advised: ibis.Table) -> tuple[SavingTotals, ...]:
    sums = advised.group_by("currency").aggregate(
        advised=advised.count(),
        monthly_saving_minor=advised.monthly_saving_minor.sum(),
        annual_saving_minor=advised.annual_saving_minor.sum(),
    )
    rows = sums.order_by("currency").to_pyarrow().to_pylist()
    return tuple(SavingTotals(**{k: v for k, v in r.items()}) for r in rows)


def _largest(advised: ibis.Table) -> list[dict[str, Any]]:
    top = advised.order_by([ibis.desc("annual_saving_minor"), "subscription_id"]).limit(TOP)
    return [
        {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
        for row in top.to_pyarrow().to_pylist()
    ]

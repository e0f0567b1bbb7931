"""Benchmark: re-rating and plan advice on N subscriptions x 6 months x 20 plans.

    .venv/bin/python benchmarks/rerate.py --subscriptions 100000 1000000 --threads 2

For each N it builds a synthetic ledger in DuckDB (see rerate_data.py), then times, in
the same run: ``rerate_batches`` (every costing, summed batch by batch), ``plan_advice``
(materialized), and the pandas baseline of the same rules (pandas_baseline.py), and
checks that the baseline and goodwill advise the same plans with the same savings.

With ``--spark`` it also writes the ledger as a Parquet folder and times the same advice
on Spark in local mode (spark_advice.py), checking it advises exactly as DuckDB did.
Every time is also shown as a multiple of the scan floor (scan_floor.py): one DuckDB
pass over the usage columns of the same data.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyarrow.compute as pc

from goodwill.analytics.advice import plan_advice
from goodwill.analytics.catalogue import load_catalogue
from goodwill.analytics.rerate import rerate_batches
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.settings import Settings
from ledger_folder import write_ledger_folder
from pandas_baseline import advise as pandas_advise
from rerate_data import ASOF, synthetic_ledger
from scan_floor import scan_floor


def timed(step: str, run):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def bench_rerate(ledger: Ledger) -> tuple[int, float]:
    def run() -> tuple[int, int, int]:
        rows = cost = fits = 0
        for batch in rerate_batches(ledger, ASOF):
            rows += batch.num_rows
            cost += pc.sum(batch.column("cost_minor")).as_py() or 0
            fits += pc.sum(batch.column("fits").cast("int64")).as_py() or 0
        return rows, cost, fits

    (rows, _, _), seconds = timed("rerate", run)
    return rows, seconds


def bench_advice(ledger: Ledger, settings: Settings):  # type: ignore[no-untyped-def]
    def run():  # type: ignore[no-untyped-def]
        expr = plan_advice(ledger, ASOF, settings, advised_only=False)
        return ledger.con.create_table("bench_advice", expr, temp=True, overwrite=True)

    table, seconds = timed("advice", run)
    advised = table.filter(table.advised).select(
        "subscription_id", "recommended_plan_id", "monthly_saving_minor"
    )
    return advised.order_by("subscription_id").to_pandas(), int(table.count().execute()), seconds


def bench_pandas(ledger: Ledger, settings: Settings):  # type: ignore[no-untyped-def]
    frames = {t: ledger.table(t).to_pandas() for t in ("usage", "subscriptions")}
    catalogue = load_catalogue(ledger)
    found, seconds = timed("pandas", lambda: pandas_advise(frames, catalogue, ASOF, settings))
    return found.sort_values("subscription_id").reset_index(drop=True), seconds


FLOOR = {"seconds": 0.0}


def line(n: int, step: str, seconds: float, costings: int, ratio: str = "") -> None:
    rate = costings / seconds if seconds else 0
    floor = f"x{seconds / FLOOR['seconds']:,.0f}" if FLOOR["seconds"] else ""
    print(
        f"{n:>10,} {step:<18} {seconds:8.2f} s {costings:>14,} {rate:>14,.0f}/s {floor:>7} {ratio}",
        flush=True,
    )


def bench_spark(n: int, ledger: Ledger, settings: Settings, threads: int, duck):  # type: ignore[no-untyped-def]
    from spark_advice import advised_rows, spark_advice, spark_connection

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_ledger_folder(ledger, Path(tmp) / "ledger")
        FLOOR["seconds"] = scan_floor(open_ledger(folder))
        line(n, "(scan floor, Parquet)", FLOOR["seconds"], 0)
        out = Path(tmp) / "advice.parquet"
        seconds = spark_advice(spark_connection(threads, n), folder, settings, out)
        found = advised_rows(out)
    return found.equals(duck), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, nargs="+", default=[100_000])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fractional", action="store_true", help="data at 2.5p a MB")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--spark", action="store_true", help="also time Spark in local mode")
    args = parser.parse_args()
    settings = Settings()
    print(f"{'N':>10} {'step':<18} {'time':>10} {'costings':>14} {'costings/s':>16} {'floor':>7}")
    for n in args.subscriptions:
        ledger, seconds = timed(
            "build", lambda n=n: synthetic_ledger(n, fractional=args.fractional)
        )
        ledger.con.raw_sql(f"SET threads = {args.threads}")
        print(f"{n:>10,} {'(build ledger)':<18} {seconds:8.2f} s")
        FLOOR["seconds"] = scan_floor(ledger)
        line(n, "(scan floor)", FLOOR["seconds"], 0)
        costings, seconds = bench_rerate(ledger)
        line(n, "rerate", seconds, costings)
        plans = sum(p.on_sale and p.sim_only for p in load_catalogue(ledger).plans)
        advice, rated, advice_seconds = bench_advice(ledger, settings)
        months = ledger.con.raw_sql("SELECT count(DISTINCT period) FROM usage").fetchone()[0]
        advice_costings = rated * months * plans  # every rated line has every month here
        line(n, "advice (goodwill)", advice_seconds, advice_costings)
        if args.spark:
            floor = FLOOR["seconds"]
            same, seconds = bench_spark(n, ledger, settings, args.threads, advice)
            ratio = f"x{seconds / advice_seconds:.1f} DuckDB's time; same advice: {same}"
            line(n, "advice (Spark)", seconds, advice_costings, ratio)
            FLOOR["seconds"] = floor
            if not same:
                raise SystemExit("Spark and DuckDB disagree")
        if args.no_baseline:
            continue
        baseline, seconds = bench_pandas(ledger, settings)
        same = baseline.equals(advice)
        ratio = f"x{seconds / advice_seconds:.1f} slower; same advice: {same} ({len(advice):,})"
        line(n, "advice (pandas)", seconds, advice_costings, ratio)
        if not same:
            raise SystemExit("the pandas baseline and goodwill disagree")


if __name__ == "__main__":
    main()

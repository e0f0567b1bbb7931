"""The physical floor: the time to read the usage columns once (a DuckDB SUM).

    .venv/bin/python benchmarks/scan_floor.py --subscriptions 100000 --threads 2

Every workload reads at least the usage of the window once; a re-rating that takes k
times this floor spends (k - 1) floors on the rating itself. The ledger is the synthetic
operator of rerate_data.py, written as a ledger folder (Parquet) in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from goodwill.ledger.reader import Ledger, open_ledger
from ledger_folder import write_ledger_folder
from rerate_data import synthetic_ledger

#: The usage columns a re-rating reads, summed so that none can be skipped.
FLOOR_SQL = (
    "SELECT count(*), sum(length(subscription_id)), sum(length(kind)), "
    "sum(length(period)), sum(quantity) FROM usage"
)


def scan_floor(ledger: Ledger, repeats: int = 3) -> float:
    """The best of ``repeats`` full scans of usage's columns, in seconds, once the disk has
    taken every write before them (an ingest or a layout just written), as the workloads
    compared with the floor are timed."""
    os.sync()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        ledger.con.raw_sql(FLOOR_SQL).fetchall()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, nargs="+", default=[100_000])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    for n in args.subscriptions:
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_ledger_folder(synthetic_ledger(n), Path(tmp) / "ledger")
            ledger = open_ledger(folder)
            ledger.con.raw_sql(f"SET threads = {args.threads}")
            rows = ledger.table("usage").count().execute()
            print(f"{n:>10,} scan floor (Parquet) {scan_floor(ledger):8.3f} s  {rows:,} usage rows")


if __name__ == "__main__":
    main()

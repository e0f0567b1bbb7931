"""Time the sample operator generator (`goodwill sample`) at 10k and 100k customers.

    .venv/bin/python benchmarks/sample.py             # 10k (baseline) and 100k
    .venv/bin/python benchmarks/sample.py --million   # and 1,000,000 (needs ~5 GB of memory)

Each size is written to a temporary folder (CSV files and truth.json, as the command does)
and timed end to end; rows are all the CSV rows written. The 10k run in the same process
is the baseline, so the speed at scale is reported as a ratio to it, not as an absolute
that depends on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from goodwill.sample import write_sample

ASOF = dt.date(2026, 11, 23)


def timed(customers: int, months: int, seed: int) -> tuple[float, int]:
    """Seconds to write a sample of ``customers``, and the CSV rows it wrote."""
    with tempfile.TemporaryDirectory(prefix="goodwill-sample-") as tmp:
        start = time.perf_counter()
        summary = write_sample(Path(tmp), customers=customers, months=months, seed=seed, asof=ASOF)
        return time.perf_counter() - start, summary.total_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 customers")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    timed(1_000, args.months, args.seed)  # warm-up: imports and first-call costs
    sizes = [10_000, 100_000] + ([1_000_000] if args.million else [])
    print(
        f"{'customers':>10} {'seconds':>8} {'rows':>11} {'rows/s':>11} {'x time':>7} {'x rows/s':>8}"
    )
    base: tuple[float, int] | None = None
    for customers in sizes:
        seconds, rows = timed(customers, args.months, args.seed)
        base = base or (seconds, rows)
        speed, base_speed = rows / seconds, base[1] / base[0]
        print(
            f"{customers:>10,} {seconds:>8.2f} {rows:>11,} {speed:>11,.0f} "
            f"{seconds / base[0]:>7.1f} {speed / base_speed:>8.2f}"
        )
    print(f"baseline: 10,000 customers x {args.months} months; x = ratio to the baseline")


if __name__ == "__main__":
    main()

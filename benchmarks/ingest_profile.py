"""Benchmark: ``goodwill ingest`` alone, with the time of each stage.

    .venv/bin/python benchmarks/ingest_profile.py --customers 100000 --sample /tmp/gw-sample-100k

Makes the sample operator's CSV files once into ``--sample`` (kept, so a second run times
the ingest alone), ingests them into a fresh data folder ``--repeat`` times and prints the
best total with, for that run, the CPU seconds it took (both cores' together: a fairer
comparison than the wall clock on a shared machine) and the seconds spent reading,
checking, writing each table, the quarantine and the rating layout (writes and the
layout run side by side, so those stages may add up to more than the wall clock). ``--cprofile FILE`` also writes a cProfile of the
last run (read it with ``python -m pstats FILE``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import goodwill.ledger.ingest as ingest_module
from goodwill.ledger.contract import Table
from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.settings import Settings

ASOF = date(2026, 11, 23)

#: Functions ingest calls, by the name it imports them under, and the stage each times
#: (those an older ingest lacks are left out, so a checkout of it can be timed alike).
STAGES = {
    "read_source": "read",
    "check_table": "check",
    "zoneless_times": "zoneless",
    "_write_quarantine": "quarantine",
    "write_table": "write",
    "_write_rating_layout": "rating layout",
    "write_rating_usage": "rating layout",  # the layout's stage before it was built in memory
}


@contextmanager
def stage_timer(spent: dict[str, float]) -> Iterator[None]:
    """Wrap ingest's stages so each adds its seconds to ``spent``, keyed by stage and table."""
    saved = {name: getattr(ingest_module, name) for name in STAGES if hasattr(ingest_module, name)}

    def wrap(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            table = next((a.name for a in args if isinstance(a, Table)), "")
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[f"{STAGES[name]} {table}".strip()] += time.perf_counter() - started

        return timed

    for name, real in saved.items():
        setattr(ingest_module, name, wrap(name, real))
    try:
        yield
    finally:
        for name, real in saved.items():
            setattr(ingest_module, name, real)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--sample", type=Path, required=True, help="the CSV folder (made once)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cprofile", type=Path, help="write a cProfile of the last run here")
    args = parser.parse_args()
    if not (args.sample / "usage.csv").exists():
        started = time.perf_counter()
        summary = write_sample(args.sample, customers=args.customers, months=12, seed=0, asof=ASOF)
        print(f"sample: {summary.total_rows:,} rows in {time.perf_counter() - started:.1f} s")
    print(f"load before: {os.getloadavg()[0]:.2f}")
    best: tuple[float, float, dict[str, float]] | None = None
    with tempfile.TemporaryDirectory(prefix="goodwill-ingest-profile-") as tmp:
        for attempt in range(args.repeat):
            data = Path(tmp) / "data"
            shutil.rmtree(data, ignore_errors=True)
            spent: dict[str, float] = defaultdict(float)
            profile = cProfile.Profile() if args.cprofile and attempt == args.repeat - 1 else None
            with stage_timer(spent):
                started, cpu_started = time.perf_counter(), time.process_time()
                if profile:
                    profile.enable()
                report = ingest(args.sample, Settings(data_dir=data))
                if profile:
                    profile.disable()
                total = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
            if profile:
                profile.dump_stats(args.cprofile)
            rows = sum(t.rows_read for t in report.tables)
            print(f"run {attempt + 1}: {total:.2f} s ({cpu:.2f} s of CPU) for {rows:,} rows")
            if best is None or total < best[0]:
                best = (total, cpu, dict(spent))
    assert best is not None
    total, cpu, spent = best
    load = os.getloadavg()[0]
    print(f"\nbest {total:.2f} s, {cpu:.2f} s of CPU (load after: {load:.2f}); by stage:")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        if seconds >= 0.01:
            print(f"  {name:<30} {seconds:6.2f} s")
    by_kind: dict[str, float] = defaultdict(float)
    for name, seconds in spent.items():
        by_kind[name.split(" ")[0]] += seconds
    other = total - sum(by_kind.values())
    print(
        "  totals: "
        + ", ".join(f"{k} {v:.2f}" for k, v in by_kind.items())
        + f", other {other:.2f}"
    )


if __name__ == "__main__":
    main()

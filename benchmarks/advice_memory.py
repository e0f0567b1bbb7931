"""Peak memory of plan advice on DuckDB, read from a ledger folder, under a memory limit.

    .venv/bin/python benchmarks/advice_memory.py --subscriptions 1000000 --memory-limit 1GB

The advice never holds the cross product of subscriptions and plans: DuckDB streams it
through the per-subscription MIN (best_plans). What grows with N is that aggregate's
state and the advice rows themselves. The run happens in a fresh process, so its peak
resident memory (ru_maxrss) is the advice's alone, not the ledger generator's.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from ledger_folder import write_ledger_folder
from rerate_data import synthetic_ledger

CHILD = """
import resource, sys, time
from pathlib import Path
from goodwill.analytics.advice import plan_advice
from goodwill.ledger.reader import open_ledger
from goodwill.settings import Settings
from rerate_data import ASOF
ledger = open_ledger(Path(sys.argv[1]))
ledger.con.raw_sql(f"SET memory_limit = '{sys.argv[2]}'; SET threads = {sys.argv[3]}")
started = time.perf_counter()
expr = plan_advice(ledger, ASOF, Settings(), advised_only=False)
table = ledger.con.create_table("advice", expr, temp=True)
rows = table.count().execute()
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{rows:,} advice rows in {seconds:.1f} s; peak resident memory {peak:,.0f} MB")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_ledger_folder(synthetic_ledger(args.subscriptions), Path(tmp) / "ledger")
        print(
            f"{args.subscriptions:,} subscriptions, memory_limit {args.memory_limit}:", flush=True
        )
        command = [sys.executable, "-c", CHILD, str(folder), args.memory_limit, str(args.threads)]
        subprocess.run(command, check=True, cwd=Path(__file__).parent)


if __name__ == "__main__":
    main()

"""Run every benchmark, one after the other, and write one Markdown report (`make bench`).

    .venv/bin/python benchmarks/run_all.py           # 100k and 1M subscriptions (baselines at 100k), 100k customers
    .venv/bin/python benchmarks/run_all.py --full    # baselines at 1M, adds 10M subscriptions and 1M customers
    .venv/bin/python benchmarks/run_all.py --full --report-only   # the report from the last tables

Each script times goodwill next to its baselines in the same run (for the advice: a
hand-written DuckDB SQL query, polars, pandas and goodwill on Spark local, at 100k
subscriptions, or up to 1M and Spark at 10M too with --full; the scan floor for everything; SQLite next
to PostgreSQL for the care run), then the desk's and the customer's pages on the demo data.
The tables go to ``benchmarks/results/RESULTS.md``, and the README's performance section
between its ``benchmarks`` markers is replaced by the same text.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "RESULTS.md"
#: Per script, the day its table was measured and the machine's reference time that day.
DAYS = HERE / "results" / "measured_on.json"
README = HERE.parent / "README.md"
BEGIN, END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"


def workloads(
    full: bool, work: Path | None = None, spark_max: int | None = None
) -> list[tuple[str, list[str]]]:
    sizes = ["100000", "1000000"] + (["10000000"] if full else [])
    customers = "1000000" if full else "100000"
    # The baselines (the hand-written DuckDB SQL, polars, pandas and Spark local) run at
    # 100k by default, which keeps `make bench` to minutes; --full runs them at 1M, where
    # goodwill is to be 20x each (pandas needs 9 GB there and ~90 GB at 10M, so never
    # there), and Spark at 10M too (goodwill on Spark is to be within 5x).
    most = "1000000" if full else "100000"
    spark = str(spark_max) if spark_max is not None else sizes[-1] if full else most
    baselines = ["--sql-max", most, "--polars-max", most, "--pandas-max", most,
                 "--spark-max", spark]  # fmt: skip
    advice_options = [*baselines, "--memory-limit", "4GB"]
    if work is not None:  # the generated ledgers kept there, and reused by the next run
        advice_options += ["--work", str(work)]
    return [
        (
            "Plan advice as the ledger grows (x 6 months x 20 plans)",
            ["advice_scaling.py", "--subscriptions", *sizes, *advice_options],
        ),
        (
            f"The scorecard and the care run, {int(customers):,} customers x 12 months",
            ["care_scale.py", "--customers", customers],
        ),
        ("Themes in 1,000,000 feedback texts", ["themes_scale.py", "--texts", "1000000"]),
        (
            "The care desk's pages on the demo data (target: p99 under 200 ms)",
            ["desk_pages.py", "--demo-customers", "20000", "--requests", "100"],
        ),
        (
            "The my-plan page, 50 signed-in customers at once (target: p99 at most 50 ms)",
            ["my_plan_load.py", "--customers", "20000", "--concurrent", "50", "--requests", "20"],
        ),
    ]


def reference_seconds(repeats: int = 3) -> float:
    """The best of ``repeats`` timings of a fixed single-core Python loop: how quick this
    machine's core was when a table was measured. The VMs benchmarks run on differ from
    one day to the next (the same code and data took 2.6x as long on one as on another),
    so a table's seconds are compared with another's through it; within a table, every
    row shares the same machine and the ratios hold."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best


def measured(entry: str | dict[str, object]) -> str:
    """How a table's heading names when and where it was measured."""
    if isinstance(entry, str):  # a day recorded before the reference was
        return f"{entry}; reference not recorded"
    return f"{entry['day']}; reference loop {float(entry['reference_s']):.2f} s"  # type: ignore[arg-type]


def report(sections: list[tuple[str, list[str], str, str]]) -> str:
    cpu = f"{platform.machine()}, {os.cpu_count()} cores"
    parts = [f"Measured on {cpu}, each table on the day it names, with the seconds a fixed "
             "single-core Python loop took on that machine that day (`reference_seconds` "
             "in run_all.py): compare seconds across tables through it. `make bench` (or "
             "`--full`) writes this.\n"]  # fmt: skip
    for title, args, table, day in sections:
        parts.append(f"**{title}** ({day}) — `python benchmarks/{' '.join(args)}`\n\n{table}")
    return "\n".join(parts)


def include_in_readme(text: str, readme: Path = README) -> None:
    """Replace what stands between the markers in the README with ``text``."""
    content = readme.read_text(encoding="utf-8")
    head, rest = content.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10M subscriptions, 1M customers")
    parser.add_argument(
        "--only",
        action="append",
        metavar="SCRIPT",
        help="run only this script (e.g. desk_pages.py; may be repeated); the others' last "
        "tables are reused",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="run nothing: write the report from the tables the scripts last wrote",
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="keep the advice benchmark's generated ledgers here and reuse them (10M lines "
        "take minutes to generate)",
    )
    parser.add_argument(
        "--spark-max",
        type=int,
        help="run goodwill on Spark up to this many subscriptions (default: the largest "
        "size with --full, else 100k)",
    )
    args = parser.parse_args()
    sections = []
    days = json.loads(DAYS.read_text(encoding="utf-8")) if DAYS.exists() else {}
    reference = 0.0 if args.report_only else reference_seconds()
    for title, script in workloads(args.full, args.work, args.spark_max):
        out = HERE / "results" / f"{Path(script[0]).stem}.md"
        print(f"\n## {title}: python benchmarks/{' '.join(script)}\n", flush=True)
        command = [sys.executable, str(HERE / script[0]), *script[1:], "--markdown", str(out)]
        runs = not args.report_only and (not args.only or script[0] in args.only)
        if runs and subprocess.call(command, cwd=HERE) != 0:
            return 1
        if runs:
            days[script[0]] = {"day": str(date.today()), "reference_s": round(reference, 3)}
            DAYS.write_text(json.dumps(days, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        day = measured(days[script[0]]) if script[0] in days else "day not recorded"
        sections.append((title, script, out.read_text(encoding="utf-8"), day))
    text = report(sections)
    RESULTS.write_text(text, encoding="utf-8")
    include_in_readme(text)
    print(f"\nwrote {RESULTS} and the README's performance section")
    return 0


if __name__ == "__main__":
    sys.exit(main())

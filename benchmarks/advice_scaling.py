"""Plan advice as the ledger grows: DuckDB vs pandas vs Spark, time, memory and exponent.

    .venv/bin/python benchmarks/advice_scaling.py --subscriptions 100000 1000000 10000000

For each N (x 6 months x 20 plans on sale) the synthetic operator of rerate_data.py is
written straight to a Parquet ledger folder (DuckDB streams it from views: 10M lines'
250M usage rows are never held in memory). Then each engine advises in a fresh process,
so each peak resident memory is its own:

- DuckDB (goodwill's default): what ``goodwill advise --out advice.parquet`` does, under
  ``memory_limit``: the rating-ready usage (built first, timed as ingest would add it)
  read in batches of at most ``--slice-subscriptions`` rows (the setting
  ``rating_slice_subscriptions``), each rated by the compiled kernel;
- the pandas baseline (pandas_baseline.py; the frames are read before the clock starts),
  up to ``--pandas-max`` subscriptions;
- Spark in local mode (spark_advice.py), up to ``--spark-max``; its peak is the JVM's
  plus the Python driver's.

Each run starts once the disk has taken every write before it (``os.sync``: the layout
just built, the last run's advice file). Every engine must give the same advised rows
(a digest of subscription, plan and saving).
Each time is also a multiple of the scan floor (one DuckDB pass over the usage columns),
and the time's growth with N is fitted as ``time ~ N^b`` per engine. ``--markdown FILE``
writes the table the README's performance section includes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from goodwill.analytics.catalogue import load_catalogue
from goodwill.settings import Settings
from ledger_folder import write_ledger_folder
from rerate_data import synthetic_ledger
from scan_floor import scan_floor

HERE = Path(__file__).parent
DIGEST = (
    "SELECT count(*) AS n, coalesce(sum(hash(subscription_id::VARCHAR, "
    "recommended_plan_id::VARCHAR, monthly_saving_minor::BIGINT)), 0)::VARCHAR AS h FROM advised"
)


def digest(advised: object) -> str:
    """A digest of the advised rows, the same whichever engine produced them."""
    con = duckdb.connect()
    con.register("advised", advised)
    n, h = con.sql(DIGEST).fetchone() or (0, "0")
    return f"{n}:{h}"


def peak_mb() -> float:
    """This process's peak resident memory since it started its program. Not ru_maxrss:
    Linux carries that across fork and exec, so a child reported the parent's peak (the
    parent builds the 10M layout: 3.5 GB)."""
    return process_peak_mb(os.getpid())


# ---- the children: one engine, one ledger folder, one JSON line on stdout ----


def child_duckdb(
    folder: Path, work: Path, memory_limit: str, threads: int, per_slice: int
) -> dict[str, object]:
    import pandas  # noqa: F401  (pyarrow's first numpy conversion imports it: see below)

    from goodwill.analytics.advice_batch import warm_up
    from goodwill.analytics.advice_report import run_advice
    from goodwill.ledger.reader import open_ledger
    from goodwill.settings import Settings
    from rerate_data import ASOF

    # pyarrow imports pandas on its first conversion from or to numpy (0.3 s, or 1-2 s
    # where bytecode is not cached): a process's one-off, imported before the clock as
    # every baseline imports its libraries before its clock.
    ledger = open_ledger(folder)
    ledger.con.raw_sql(
        f"SET memory_limit = '{memory_limit}'; SET threads = {threads}; "
        f"SET temp_directory = '{work / 'spill'}'"
    )
    loaded = time.perf_counter()
    warm_up()  # numba's cached kernel and rows, loaded once per process: timed on their own
    started = time.perf_counter()
    out = work / "advice.parquet"  # what `goodwill advise --out advice.parquet` does
    report = run_advice(ledger, ASOF, Settings(rating_slice_subscriptions=per_slice), out)
    seconds = time.perf_counter() - started
    peak = peak_mb()  # before the digest reads the written file back (3 GB at 10M lines)
    advised = duckdb.sql(
        f"SELECT subscription_id, recommended_plan_id, monthly_saving_minor FROM '{out}'"
    ).arrow()
    return {"seconds": seconds, "peak_mb": peak, "rated": report.subscriptions_rated,
            "digest": digest(advised), "kernel_load": started - loaded}  # fmt: skip


def child_pandas(folder: Path) -> dict[str, object]:
    from goodwill.ledger.reader import open_ledger
    from goodwill.settings import Settings
    from pandas_baseline import advise
    from rerate_data import ASOF

    ledger = open_ledger(folder)
    frames = {t: ledger.table(t).to_pandas() for t in ("usage", "subscriptions")}
    catalogue = load_catalogue(ledger)
    started = time.perf_counter()
    found = advise(frames, catalogue, ASOF, Settings())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "digest": digest(found)}


def child_sql(folder: Path, work: Path, memory_limit: str, threads: int) -> dict[str, object]:
    from goodwill.ledger.reader import open_ledger
    from goodwill.settings import Settings
    from rerate_data import ASOF
    from sql_baseline import advise

    ledger = open_ledger(folder)
    con = ledger.con.con
    con.execute(f"SET memory_limit = '{memory_limit}'; SET threads = {threads}; "
                f"SET temp_directory = '{work / 'spill-sql'}'")  # fmt: skip
    started = time.perf_counter()  # from the stored ledger, as goodwill's time
    found = advise(con, load_catalogue(ledger), ASOF, Settings())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "digest": digest(found)}


def child_polars(folder: Path, threads: int) -> dict[str, object]:
    import os

    os.environ["POLARS_MAX_THREADS"] = str(threads)  # read once, when polars is imported
    from goodwill.ledger.reader import open_ledger
    from goodwill.settings import Settings
    from polars_baseline import advise
    from rerate_data import ASOF

    catalogue = load_catalogue(open_ledger(folder))
    started = time.perf_counter()  # from the stored ledger's Parquet files
    found = advise(folder, catalogue, ASOF, Settings())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "digest": digest(found.to_arrow())}


def child_spark(
    folder: Path, work: Path, threads: int, per_slice: int, subscriptions: int
) -> dict[str, object]:
    from goodwill.settings import Settings
    from spark_advice import advised_rows, spark_advice, spark_connection

    con = spark_connection(threads, subscriptions)
    out = work / "spark-advice.parquet"  # `goodwill advise --engine spark --out ...`
    seconds = spark_advice(con, folder, Settings(rating_slice_subscriptions=per_slice), out)
    # The work happens in the JVM, a process of its own that is still running: its peak
    # resident memory (VmHWM) counts, with the Python driver's.
    jvm = con._session.sparkContext._gateway.proc.pid
    peak = peak_mb() + process_peak_mb(jvm)
    return {"seconds": seconds, "peak_mb": peak, "digest": digest(advised_rows(out))}


def process_peak_mb(pid: int) -> float:
    """The peak resident memory of a running process (Linux), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


# ---- the parent ----


@dataclass(frozen=True)
class Result:
    n: int
    engine: str
    seconds: float
    peak_mb: float
    costings: int
    floor: float
    same: bool
    layout_seconds: float | None = None  # building the rating-ready usage (DuckDB rows)
    kernel_load: float | None = None  # loading the compiled kernel, before the clock
    load: float | None = None  # the 1-minute load average as the engine started


def run_child(engine: str, n: int, folder: Path, work: Path, args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    command = [sys.executable, __file__, "--child", engine, str(folder), str(work),
               args.memory_limit, str(args.threads), str(args.slice_subscriptions), str(n)]  # fmt: skip
    os.sync()  # the layout's and the last run's writes on disk before this run's clock
    done = subprocess.run(command, cwd=HERE, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure(n: int, args: argparse.Namespace, work: Path) -> list[Result]:
    ledger = synthetic_ledger(n, in_memory=False)
    plans = sum(p.on_sale and p.sim_only for p in load_catalogue(ledger).plans)
    folder = work / "ledger"
    if not (folder / "_manifest.json").exists():  # --work keeps it for the next run
        write_ledger_folder(ledger, folder)
    layout = build_layout(folder, args.threads)
    floor = scan_floor_of(folder, args.threads)
    months = 6
    load = os.getloadavg()[0]
    runs = sorted((run_child("duckdb", n, folder, work, args) for _ in range(args.repeat)),
                  key=lambda run: float(run["seconds"]))  # fmt: skip
    if len({run["digest"] for run in runs}) > 1:
        raise SystemExit(f"goodwill's runs at {n:,} disagree with each other")
    duck = runs[len(runs) // 2]  # the median run: a sub-second run varies by a tenth here
    costings = int(duck["rated"]) * months * plans
    results = [Result(n, "DuckDB", duck["seconds"], duck["peak_mb"], costings, floor, True,
                      layout, duck["kernel_load"], load)]  # fmt: skip
    baselines = (("DuckDB SQL", "sql", args.sql_max), ("polars", "polars", args.polars_max),
                 ("pandas", "pandas", args.pandas_max), ("Spark", "spark", args.spark_max))  # fmt: skip
    for engine, child, limit in baselines:
        if n <= limit:
            load = os.getloadavg()[0]
            found = run_child(child, n, folder, work, args)
            same = found["digest"] == duck["digest"]
            results.append(Result(n, engine, found["seconds"], found["peak_mb"], costings,
                                  floor, same, load=load))  # fmt: skip
    return results


def build_layout(folder: Path, threads: int) -> float:
    """Seconds to build the rating-ready usage from the stored ledger (what an older
    ledger gets on first use; ingest builds it from the rows it has just accepted)."""
    from goodwill.ledger.rating_usage import FILE, write_rating_usage
    from goodwill.ledger.reader import open_ledger

    (folder / FILE).unlink(missing_ok=True)
    os.sync()
    ledger = open_ledger(folder)
    ledger.con.raw_sql(f"SET threads = {threads}")
    started = time.perf_counter()
    write_rating_usage(ledger.con.con, folder)
    return time.perf_counter() - started


def scan_floor_of(folder: Path, threads: int) -> float:
    from goodwill.ledger.reader import open_ledger

    ledger = open_ledger(folder)
    ledger.con.raw_sql(f"SET threads = {threads}")
    return scan_floor(ledger)


def exponent(results: list[Result]) -> float | None:
    """b in time ~ N^b, least squares on log-log; None with fewer than two sizes."""
    if len({r.n for r in results}) < 2:
        return None
    x = np.log([r.n for r in results])
    y = np.log([r.seconds for r in results])
    return float(np.polyfit(x, y, 1)[0])


def _slices(per_slice: int) -> str:
    if per_slice <= 0:
        return "rating every subscription at once"
    return f"rating in batches of at most {per_slice:,} subscriptions"


def markdown(results: list[Result], args: argparse.Namespace) -> str:
    growth = {e: exponent([r for r in results if r.engine == e]) for e in ENGINES}
    kernel = {r.n: r.seconds for r in results if r.engine == "DuckDB"}
    lines = [
        "| subscriptions | engine | time | x goodwill | costings/s | x scan floor | peak memory "
        "| growth N^b | same advice |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        b = growth.get(r.engine)
        lines.append(
            f"| {r.n:,} | {LABELS.get(r.engine, r.engine)} | {r.seconds:,.2f} s "
            f"| {r.seconds / kernel[r.n]:,.1f} | {r.costings / r.seconds:,.0f} "
            f"| {r.seconds / r.floor:,.1f} | {r.peak_mb:,.0f} MB "
            f"| {'' if b is None else f'{b:.2f}'} | {'yes' if r.same else 'NO'} |"
        )
    for r in results:
        if r.layout_seconds is not None and r.kernel_load is not None:
            lines.append(
                f"| {r.n:,} | (rating layout from the stored ledger) | {r.layout_seconds:,.1f} s | | | "
                f"{r.layout_seconds / r.floor:,.1f} | | | |"
            )
    loads = [r.kernel_load for r in results if r.kernel_load is not None]
    fits = []
    for engine in dict.fromkeys(r.engine for r in results):
        b = exponent([r for r in results if r.engine == engine])
        if b is not None:
            fits.append(f"{SHORT.get(engine, engine)} N^{b:.2f}")
    loadavg = [r.load for r in results if r.load is not None]
    lines.append("")
    lines.append(
        f"Time grows as {', '.join(fits) or 'n/a (one size)'} (least squares on log time vs "
        f"log N); load average {min(loadavg, default=0):.1f}-{max(loadavg, default=0):.1f} as "
        "the engines started; DuckDB SQL and polars are timed from the stored ledger, pandas "
        "from frames already read. goodwill under memory_limit "
        f"{args.memory_limit}, {args.threads} threads, {_slices(args.slice_subscriptions)} "
        "(`goodwill advise --out`); costings = subscriptions x 6 months x "
        "20 plans on sale. goodwill's time starts once its compiled functions are loaded "
        f"(once per process: {min(loads, default=0):.1f}-{max(loads, default=0):.1f} s here) "
        f"and is the median of {args.repeat} runs, each in a fresh process; every other "
        "engine ran once. Each run started once the disk had taken the writes before it."
    )
    return "\n".join(lines) + "\n"


#: How the report names each engine.
LABELS = {"DuckDB": "goodwill (kernel, DuckDB ledger)", "DuckDB SQL": "DuckDB SQL (hand-written)",
          "Spark": "goodwill on Spark local"}  # fmt: skip
SHORT = {"DuckDB": "goodwill", "Spark": "goodwill on Spark"}
ENGINES = ("DuckDB", "DuckDB SQL", "polars", "pandas", "Spark")


def kept_results(done: Path, remeasured: list[int]) -> list[Result]:
    """The results an earlier run kept in ``done``, but for the sizes measured again now."""
    if not done.exists():
        return []
    rows = [Result(**json.loads(line)) for line in done.read_text().splitlines() if line]
    return [r for r in rows if r.n not in remeasured]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        engine, folder, work, memory_limit, threads, per_slice, n = sys.argv[2:9]
        result = {
            "duckdb": lambda: child_duckdb(
                Path(folder), Path(work), memory_limit, int(threads), int(per_slice)
            ),
            "sql": lambda: child_sql(Path(folder), Path(work), memory_limit, int(threads)),
            "polars": lambda: child_polars(Path(folder), int(threads)),
            "pandas": lambda: child_pandas(Path(folder)),
            "spark": lambda: child_spark(
                Path(folder), Path(work), int(threads), int(per_slice), int(n)
            ),
        }[engine]()
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--sql-max", type=int, default=1_000_000)
    parser.add_argument("--polars-max", type=int, default=1_000_000)
    parser.add_argument("--pandas-max", type=int, default=1_000_000)
    parser.add_argument("--spark-max", type=int, default=100_000)
    parser.add_argument("--memory-limit", default="10GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--slice-subscriptions",
        type=int,
        default=Settings().rating_slice_subscriptions,
        help="DuckDB rates at most this many subscriptions per query (0: all at once)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="run goodwill this many times, each in a fresh process, and report the median "
        "run (the baselines, minutes long at 1M, run once)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--work", type=Path, help="keep the ledgers here (and reuse them)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="add to the results of earlier runs kept beside --markdown (a size measured "
        "again replaces its old rows)",
    )
    parser.add_argument(
        "--from-results",
        action="store_true",
        help="measure nothing: write the table again from the results kept beside --markdown",
    )
    args = parser.parse_args()
    done = args.markdown.with_suffix(".jsonl") if args.markdown else None
    if args.from_results:
        if done is None or not done.exists():
            raise SystemExit("--from-results reads the results kept beside --markdown")
        args.markdown.write_text(markdown(kept_results(done, []), args), encoding="utf-8")
        return
    results = kept_results(done, args.subscriptions) if done and args.keep else []
    if done is not None:
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text("".join(json.dumps(dataclasses.asdict(r)) + "\n" for r in results))
    for n in args.subscriptions:
        with tempfile.TemporaryDirectory(prefix="goodwill-advice-") as tmp:
            work = args.work / f"n{n}" if args.work else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            for r in measure(n, args, work):
                results.append(r)
                if done is not None:  # kept as it goes: a size that fails loses only itself
                    with done.open("a", encoding="utf-8") as out:
                        out.write(json.dumps(dataclasses.asdict(r)) + "\n")
                print(f"{r.n:>11,} {r.engine:<7} {r.seconds:8.1f} s  peak {r.peak_mb:>7,.0f} MB"
                      f"  x{r.seconds / r.floor:,.0f} floor  same advice: {r.same}", flush=True)  # fmt: skip
    results.sort(key=lambda r: (r.n, ENGINES.index(r.engine)))
    table = markdown(results, args)
    print("\n" + table)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table, encoding="utf-8")
    if not all(r.same for r in results):
        raise SystemExit("the engines disagree")


if __name__ == "__main__":
    main()

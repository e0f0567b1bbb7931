"""Benchmark: the scorecard and the care run end to end at N customers (default 1,000,000).

    .venv/bin/python benchmarks/care_scale.py --customers 1000000

Makes the sample operator (``goodwill sample``: 12 months of usage, bills, tickets,
promises, feedback) as CSV files, ingests it into a ledger folder, and times in the same
run, each as a multiple of the scan floor (one DuckDB pass over the usage columns):

- ingest: CSV to validated Parquet, every row checked against the contract;
- the scorecard: all four perspectives, with re-rating for the fair-price index;
- the care run end to end (every built-in detector → decide → store → outbox; messages
  queued, not delivered), once with the store on SQLite and once on PostgreSQL (a fresh
  schema, dropped after), so the two stores are compared side by side.

Each workload's clock starts once the disk has taken the writes of those before it
(``os.sync``), so none is timed while the kernel writes back another's files.
``--postgres ''`` skips PostgreSQL. The work folder is temporary unless ``--keep DIR``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, make_url, text

from goodwill.analytics.scorecard import build_scorecard
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import open_ledger
from goodwill.sample import write_sample
from goodwill.services.care_run import CareRunReport, run_care
from goodwill.settings import Settings
from scan_floor import scan_floor

ASOF = date(2026, 11, 23)
#: The step of ingest's progress that follows the checks.
WRITING = "writing the ledger and laying out usage for rating"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
T = TypeVar("T")


def timed(run: Callable[[], T]) -> tuple[T, float]:
    """``run()`` and its seconds, timed once the disk has taken every write before it: a
    care run timed while the kernel still wrote back the ingest's files took 43 s, and
    35 s once they were on disk (1M customers)."""
    os.sync()
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on the server at ``url``, named in the URL's search_path; dropped after."""
    schema = f"gw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class Table:
    """Prints one row per workload (seconds, multiple of the floor, a note) and keeps it
    for the Markdown table."""

    def __init__(self) -> None:
        self.floor = 0.0
        self.rows: list[tuple[str, float, str, str]] = []
        print(f"{'workload':<34} {'time':>10} {'x floor':>8}  note", flush=True)

    def row(self, workload: str, seconds: float, note: str = "") -> None:
        multiple = f"{seconds / self.floor:,.0f}" if self.floor else ""
        self.rows.append((workload, seconds, multiple, note))
        print(f"{workload:<34} {seconds:8.2f} s {multiple:>8}  {note}", flush=True)

    def markdown(self) -> str:
        lines = ["| workload | time | x scan floor | what it did |", "| --- | ---: | ---: | --- |"]
        lines += [f"| {w} | {s:,.1f} s | {m} | {n} |" for w, s, m, n in self.rows]
        lines += ["", "Each workload timed once the disk had taken the writes before it (os.sync)."]
        return "\n".join(lines) + "\n"


def care_run(settings: Settings) -> tuple[CareRunReport, float]:
    return timed(lambda: run_care(settings, ASOF, deliver_now=False))


def care_note(report: CareRunReport) -> str:
    assert report.acted is not None
    moments = sum(report.outcomes.values())
    return (
        f"{sum(report.found.values()):,} moments found, {moments:,} recorded, "
        f"{report.acted.messages_queued:,} messages queued"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=POSTGRES, help="a server URL; '' to skip")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="goodwill-care-scale-") as tmp:
        table = run(args, args.keep or Path(tmp))
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table.markdown(), encoding="utf-8")


def run(args: argparse.Namespace, work: Path) -> Table:
    n = args.customers
    print(f"{n:,} customers x 12 months, as of {ASOF}\n")
    table = Table()
    summary, seconds = timed(
        lambda: write_sample(work / "sample", customers=n, months=12, seed=0, asof=ASOF)
    )
    table.row("sample operator (CSV)", seconds, f"{summary.total_rows:,} rows")
    settings = Settings(data_dir=work / "data")
    marks: dict[str, float] = {}

    def mark(step: str) -> None:  # when each step of ingest began
        marks.setdefault(step, time.perf_counter())

    report, seconds = timed(lambda: ingest(work / "sample", settings, mark))
    ended = time.perf_counter()
    ledger = open_ledger(settings.ledger_dir)
    table.floor = scan_floor(ledger)
    usage_rows = ledger.table("usage").count().execute()
    table.row("scan floor (usage, Parquet)", table.floor, f"{usage_rows:,} usage rows")
    table.row(
        "ingest (CSV -> Parquet)",
        seconds,
        f"{sum(t.accepted for t in report.tables):,} rows accepted",
    )
    # Ingest reads and checks every table, then writes the tables' Parquet and lays out
    # usage for rating side by side (ledger/ingest.py): the marks its progress gives.
    writing = marks.get(WRITING, ended)
    checks = writing - min(marks.values(), default=ended)
    table.row("  of it: reading and checking", checks, "every table against the contract")
    table.row("  of it: Parquet and the rating layout", ended - writing,
              "written side by side (rating_usage.parquet: ledger/rating_usage.py)")  # fmt: skip
    card, seconds = timed(lambda: build_scorecard(ledger, ASOF, settings, None, True))
    table.row("scorecard (with re-rating)", seconds, f"{len(card.perspectives)} perspectives")
    sqlite_report, sqlite_seconds = care_run(settings)
    table.row("care run, store on SQLite", sqlite_seconds, care_note(sqlite_report))
    if not args.postgres:
        return table
    with postgres_schema(args.postgres) as url:
        pg_settings = settings.model_copy(update={"store_url": url})
        pg_report, pg_seconds = care_run(pg_settings)
    note = f"{care_note(pg_report)}; x{pg_seconds / sqlite_seconds:.2f} SQLite's time"
    table.row("care run, store on PostgreSQL", pg_seconds, note)
    if pg_report.outcomes != sqlite_report.outcomes:
        raise SystemExit("the care run decided differently on SQLite and PostgreSQL")
    return table


if __name__ == "__main__":
    main()

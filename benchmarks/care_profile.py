"""Profile the care run alone on a ledger kept by ``care_scale.py --keep DIR``.

    .venv/bin/python benchmarks/care_scale.py --customers 30000 --postgres '' --keep /tmp/c30k
    .venv/bin/python benchmarks/care_profile.py /tmp/c30k/data --top 30 --dump rows.json

Each run gets a fresh SQLite store in a temporary folder (a re-run of the same day is a
no-op), times the run, prints cProfile's top functions by own time and by cumulative time,
and with ``--dump`` writes what the run stored (moments, actions, outbox, contacts,
assignments, budget spend, case owners) without the wall-clock columns, so two versions
of the code can be compared row for row.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, create_engine, select

from care_scale import postgres_schema
from goodwill.services.care_run import run_care
from goodwill.settings import Settings
from goodwill.store.models import Base

ASOF_DEFAULT = "2026-11-23"
DUMPED = (
    "moments",
    "actions",
    "messages",
    "contacts",
    "assignments",
    "budget_spend",
    "case_owners",
)


def dump_store(url: str) -> dict[str, list[list[object]]]:
    """Every row of the tables a run writes, by id, the wall-clock columns left out."""
    engine = create_engine(url)
    dumped: dict[str, list[list[object]]] = {}
    with engine.connect() as connection:
        for name in DUMPED:
            table = Base.metadata.tables[name]
            columns = [c for c in table.columns if not _wall_clock(c)]
            order = list(table.primary_key.columns)
            rows = connection.execute(select(*columns).order_by(*order))
            dumped[name] = [[_plain(v) for v in row] for row in rows]
    engine.dispose()
    return dumped


def _wall_clock(column: Column[Any]) -> bool:
    return isinstance(getattr(column.type, "impl", column.type), DateTime)


def _plain(value: object) -> object:
    return value if isinstance(value, (int, float, str, type(None))) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="the data folder that holds ledger/")
    parser.add_argument("--asof", default=ASOF_DEFAULT)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--dump", type=Path, help="write the stored rows to this JSON file")
    parser.add_argument("--postgres", help="a server URL: the store in a fresh schema there")
    parser.add_argument(
        "--warm", action="store_true", help="a dry run first: imports and compiled kernels loaded"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="goodwill-care-profile-") as tmp, ExitStack() as stack:
        url = f"sqlite:///{Path(tmp) / 'store.sqlite'}"
        if args.postgres:
            url = stack.enter_context(postgres_schema(args.postgres))
        settings = Settings(data_dir=args.data_dir, store_url=url)
        if args.warm:
            warm_url = f"sqlite:///{Path(tmp) / 'warm.sqlite'}"
            warm = settings.model_copy(update={"store_url": warm_url})
            run_care(warm, date.fromisoformat(args.asof), dry_run=True, deliver_now=False)
        profile = None if args.no_profile else cProfile.Profile()
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        report = run_care(settings, date.fromisoformat(args.asof), deliver_now=False)
        if profile:
            profile.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert report.acted is not None
        queued = report.acted.messages_queued
        print(f"care run: {seconds:.2f} s ({cpu:.2f} s CPU), {queued:,} messages queued")
        if profile:
            stats = pstats.Stats(profile)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top)
        if args.dump:
            args.dump.write_text(json.dumps(dump_store(url)), encoding="utf-8")


if __name__ == "__main__":
    main()

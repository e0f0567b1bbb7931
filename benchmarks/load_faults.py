"""Customers and agents at once on one store, with faults, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/load_faults.py --customers 50 --agents 5 --markdown load.md
    .venv/bin/python benchmarks/load_faults.py --customers 50 --agents 5 --no-postgres
    .venv/bin/python benchmarks/load_faults.py --faults none restart   # choose the runs

Each store gets a run per fault (tests/load/harness.py): ``none`` (plain); ``worker``, in
which the delivery worker is SIGKILLed mid-batch and restarted while the SMTP server
refuses mail for a second; and, on PostgreSQL, ``restart``: a throwaway cluster of its own
(initdb in a temporary folder, never the shared server) restarted with ``pg_ctl`` (stop
-m fast, start) mid-run. The table gives requests, errors (must be 0) and p50/p99 per page,
then what the store and the loopback SMTP server hold afterwards; a run whose checks fail
makes the script exit 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.load.harness import Outcome, Setup, prepare, run_load
from tests.load.pg_cluster import missing_reason, throwaway_cluster

POSTGRES = os.environ.get(
    "GOODWILL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def postgres_schema() -> Iterator[str]:
    schema = f"gw_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def store(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'store.sqlite'}"
    else:
        with postgres_schema() as url:
            yield url


def rows(kind: str, faults: str, outcome: Outcome) -> list[str]:
    label = kind if faults == "none" else f"{kind}, {faults}"
    out = [
        f"| {label} | {page} | {n} | {p50:,.0f} | {p99:,.0f} |"
        for page, n, p50, p99 in outcome.timings.table()
    ]
    summary = (
        f"| {label} | **all** | {outcome.timings.requests} | errors: "
        f"{len(outcome.timings.errors)} | messages {len(outcome.queued_ids)} queued, "
        f"{sum(outcome.received.values())} received, {len(outcome.duplicates)} twice; "
        f"{outcome.blocks} blocks, {outcome.switches} switches; "
        f"budgets over: {outcome.over_budget}; 503s in the outage: "
        f"{outcome.timings.unavailable}, requests after it: {outcome.timings.after_outage}; "
        f"care runs again: {outcome.care_reruns} |"
    )
    return [*out, summary]


def problems(outcome: Outcome, customers: int, faults: str) -> list[str]:
    """What the run broke of goodwill's promises (tests/load/test_load_and_faults.py)."""
    found = [f"error: {e}" for e in outcome.timings.errors[:10]]
    if not outcome.blocks == outcome.switches == customers:
        found.append(f"{outcome.blocks} blocks and {outcome.switches} switches, not {customers}")
    if set(outcome.jobs.values()) - {1} or len(outcome.jobs) != 2 * customers:
        found.append(f"jobs not once each: {sorted(outcome.jobs.items())[:5]}")
    if set(outcome.statuses) != {"sent"} or set(outcome.received) != outcome.queued_ids:
        found.append(f"messages: {dict(outcome.statuses)}, not every queued one received")
    allowed = outcome.killed_in_flight if faults == "worker" else 0
    if len(outcome.duplicates) > allowed:
        found.append(f"{len(outcome.duplicates)} messages received twice (allowed {allowed})")
    if outcome.over_budget:
        found.append(f"{outcome.over_budget} budgets over their limit")
    return found


@contextmanager
def run_store(kind: str, faults: str, folder: Path) -> Iterator[tuple[str, object]]:
    """The store's URL and, for a restart, the function that restarts it."""
    if faults == "restart":
        with throwaway_cluster() as cluster:
            yield cluster.url, cluster.restart
    else:
        with store(kind, folder) as url:
            yield url, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--faults",
        nargs="+",
        default=["none", "worker", "restart"],
        choices=["none", "worker", "restart"],
    )
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    loadavg = Path("/proc/loadavg")
    load = loadavg.read_text().split()[:3] if loadavg.exists() else []
    lines = [
        f"Load and faults: {args.customers} customers and {args.agents} agents at once "
        f"(load average at the start: {' '.join(load)})",
        "",
        "| store | page | requests | p50 ms | p99 ms |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    kinds = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    failed: list[str] = []
    for kind in kinds:
        for faults in args.faults:
            if faults == "restart" and (kind == "sqlite" or missing_reason()):
                continue  # a restart is PostgreSQL's, on a cluster of its own
            with (
                tempfile.TemporaryDirectory() as tmp,
                run_store(kind, faults, Path(tmp)) as (
                    url,
                    restart,
                ),
            ):
                data = prepare(Path(tmp), url, args.customers)
                setup = Setup(url, data, args.customers, args.agents, faults, restart)  # type: ignore[arg-type]
                outcome = run_load(setup)
            lines += rows(kind, faults, outcome)
            failed += [f"{kind}, {faults}: {p}" for p in problems(outcome, args.customers, faults)]
            print("\n".join(lines[-len(outcome.timings.table()) - 1 :]), flush=True)
    report = "\n".join(lines) + "\n" + "".join(f"\nFAILED {p}" for p in failed)
    if args.markdown:
        args.markdown.write_text(report + "\n")
    print(report)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Customers and agents at once on one store, with faults, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/load_faults.py --markdown load.md
    .venv/bin/python benchmarks/load_faults.py --customers 50 --agents 5 --no-postgres

Each store gets two runs (tests/load/harness.py): one plain, and one in which the delivery
worker is SIGKILLed mid-batch and restarted while the SMTP server refuses mail for a
second. The table gives requests, errors (must be 0) and p50/p99 per page, then what the
store and the loopback SMTP server hold afterwards.
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


def rows(kind: str, faults: bool, outcome: Outcome) -> list[str]:
    label = f"{kind}{', faults' if faults else ''}"
    out = [
        f"| {label} | {page} | {n} | {p50:,.0f} | {p99:,.0f} |"
        for page, n, p50, p99 in outcome.timings.table()
    ]
    summary = (
        f"| {label} | **all** | {outcome.timings.requests} | errors: "
        f"{len(outcome.timings.errors)} | messages {len(outcome.queued_ids)} queued, "
        f"{sum(outcome.received.values())} received, {len(outcome.duplicates)} twice; "
        f"{outcome.blocks} blocks, {outcome.switches} switches; "
        f"budgets over: {outcome.over_budget} |"
    )
    return [*out, summary]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    lines = [
        f"Load and faults: {args.customers} customers and {args.agents} agents at once",
        "",
        "| store | page | requests | p50 ms | p99 ms |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    kinds = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    for kind in kinds:
        for faults in (False, True):
            with tempfile.TemporaryDirectory() as tmp, store(kind, Path(tmp)) as url:
                data = prepare(Path(tmp), url, args.customers)
                outcome = run_load(Setup(url, data, args.customers, args.agents, faults))
            lines += rows(kind, faults, outcome)
            print("\n".join(lines[-len(outcome.timings.table()) - 1 :]), flush=True)
    report = "\n".join(lines) + "\n"
    if args.markdown:
        args.markdown.write_text(report)
    print(report)


if __name__ == "__main__":
    main()

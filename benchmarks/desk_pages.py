"""How fast the care desk answers: each desk page and customer page, p50/p99, on loopback.

    .venv/bin/python benchmarks/desk_pages.py --data goodwill-data    # after `make demo`
    .venv/bin/python benchmarks/desk_pages.py                         # makes a demo first

A copy of the data folder's store (SQLite) is served by uvicorn on 127.0.0.1 as `goodwill
serve` serves it, a desk agent signs in, and each page is asked for once (the first visit
of the day, timed on its own), then ``--requests`` times, one after the other, rotating
over ``--customers`` customers for the customer pages (the slowest first visit is shown
apart: the 360 keeps what it read from the ledger for the snapshot and day). The
scorecard, built in the background as the app starts, is waited for and timed apart. The target is p99 under 200 ms.
The load average is printed with the table: other work on the machine slows every page.
``--markdown FILE`` writes the table for `make bench`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tests.integration.live_web import form_csrf, serving

from goodwill.ledger.reader import open_ledger
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory
from goodwill.store.staff import add_staff_user
from goodwill.web.app import create_app
from goodwill.web.security import hash_password

EMAIL, PASSWORD = "bench.agent@desk.invalid", "a long benchmark password"
TARGET_P99_MS = 200.0


def demo_folder(parent: Path, customers: int) -> Path:
    """A fresh `goodwill demo` data folder (sample, ingest, care run)."""
    data = parent / "demo"
    command = [sys.executable, "-m", "goodwill.cli", "demo", "--data", str(data)]
    subprocess.run([*command, "--customers", str(customers)], check=True, capture_output=True)
    return data


def served_copy(source: Path, into: Path) -> Settings:
    """The data folder's ledger (linked) and a copy of its store, with a desk agent."""
    data = into / "data"
    data.mkdir()
    (data / "ledger").symlink_to((source / "ledger").resolve())
    shutil.copy(source / "goodwill.sqlite", data / "goodwill.sqlite")
    settings = Settings(
        data_dir=data, store_url=f"sqlite:///{data / 'goodwill.sqlite'}", channel="folder"
    )
    engine = make_engine(settings.store_url or "")
    with session_factory(engine).begin() as session:
        add_staff_user(
            session,
            email=EMAIL,
            name="Bench Agent",
            role="agent",
            password_hash=hash_password(PASSWORD),
            now=datetime.now(UTC),
            monthly_allowance_minor=2000,
        )
    engine.dispose()
    return settings


def customers_to_visit(settings: Settings, count: int) -> list[tuple[str, str]]:
    """(id, a word of the name) of customers the care run found something for."""
    from sqlalchemy import select

    from goodwill.store.models import Moment

    engine = make_engine(settings.store_url or "")
    with engine.connect() as connection:
        query = select(Moment.customer_id).distinct().order_by(Moment.customer_id).limit(count)
        ids = [row[0] for row in connection.execute(query)]
    engine.dispose()
    ledger = open_ledger(settings.ledger_dir)
    t = ledger.table("customers")
    found = t.filter(t.customer_id.isin(ids)).select("customer_id", "name")
    names = {r["customer_id"]: r["name"] for r in found.to_pyarrow().to_pylist()}
    ledger.con.disconnect()
    return [(cid, names.get(cid, cid).split(" ")[-1]) for cid in ids]


def pages(visit: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each page, with the URLs its requests rotate over."""
    return {
        "queue": ["/desk/queue"],
        "scorecard": ["/desk"],
        "moments": ["/desk/moments"],
        "moments, one kind": ["/desk/moments?kind=better_plan"],
        "customer search": [f"/desk/customers?q={word}" for _, word in visit],
        "customer 360": [f"/desk/customers/{cid}" for cid, _ in visit],
        "team": ["/desk/agents"],
        "themes": ["/desk/themes"],
        "API: queue": ["/api/desk/queue"],
        "API: moments": ["/api/desk/moments"],
        "API: customer": [f"/api/desk/customers/{cid}" for cid, _ in visit],
    }


def sign_in(client: httpx.Client) -> None:
    form = client.get("/desk/login")
    done = client.post(
        "/desk/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": form_csrf(form.text)},
    )
    if done.status_code != 303:
        raise SystemExit(f"the agent could not sign in: {done.status_code}")


def timed(client: httpx.Client, url: str) -> float:
    start = time.perf_counter()
    answer = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{url} answered {answer.status_code}")
    return elapsed


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _frozen_when_warm(building: threading.Thread) -> None:
    """As `goodwill serve` does once its builds at start are done (where it does)."""
    try:
        from goodwill.web.warm_up import freeze_when_warm
    except ImportError:  # an older goodwill leaves them to the collector
        return
    freeze_when_warm([building]).join()


def measure(settings: Settings, visit: list[tuple[str, str]], requests: int) -> list[str]:
    app = create_app(settings)
    try:  # `goodwill serve` starts building the scorecard as it starts
        from goodwill.web.views.scorecard import prepare

        started = time.perf_counter()
        building = prepare(app.state.web)
    except ImportError:  # an older goodwill builds it on the first visit of the day
        building = None
    rows = []
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as client:
        sign_in(client)
        if building is not None:  # measured apart: it runs off the request path
            building.join()
            _frozen_when_warm(building)
            rows.append(
                f"| scorecard, built in the background at start | "
                f"{(time.perf_counter() - started) * 1000:,.0f} | | | | |"
            )
        for name, urls in pages(visit).items():
            first = [timed(client, u) for u in dict.fromkeys(urls)]  # each URL's first visit
            times = [timed(client, urls[i % len(urls)]) for i in range(requests)]
            p99 = p(times, 0.99)
            rows.append(
                f"| {name} | {max(first):,.0f} | {statistics.median(times):,.1f} | {p99:,.1f} | "
                f"{max(times):,.1f} | {'yes' if p99 < TARGET_P99_MS else 'no'} |"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a `goodwill demo` data folder (SQLite store)")
    parser.add_argument("--demo-customers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    parser.add_argument("--customers", type=int, default=20, help="customers to rotate over")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gw-desk-bench-") as tmp:
        source = args.data or demo_folder(Path(tmp), args.demo_customers)
        settings = served_copy(source, Path(tmp))
        visit = customers_to_visit(settings, args.customers)
        before = Path("/proc/loadavg").read_text().split()[:3]
        rows = measure(settings, visit, args.requests)
        after = Path("/proc/loadavg").read_text().split()[:3]
    size = "the data folder given" if args.data else f"a {args.demo_customers:,}-customer demo"
    table = "\n".join(
        [
            f"Each page asked for {args.requests} times after its first visit, one signed-in "
            f"agent, `goodwill serve`'s app on loopback, SQLite store, {size}; load average "
            f"{' '.join(before)} before, {' '.join(after)} after.\n",
            "| page | slowest first visit (ms) | p50 (ms) | p99 (ms) | max (ms) | p99 < 200 ms |",
            "| --- | ---: | ---: | ---: | ---: | :---: |",
            *rows,
            "",
        ]
    )
    print(table)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()

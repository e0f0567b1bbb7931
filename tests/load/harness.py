"""Concurrent customers and agents on one store while a care run and a delivery worker run.

Used by tests/load (small, bounded counts) and benchmarks/load_faults.py (larger ones).
Everything is loopback: uvicorn serves the app as `goodwill serve` does, aiosmtpd receives
the mail, `goodwill run` and a delivery worker are processes of their own.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from goodwill.ledger.ingest import ingest
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.models import Action, BudgetSpend, Message, PlanChangeRequest, SimBlock
from goodwill.web.app import create_app
from tests.conftest import write_source
from tests.integration.conftest import Inbox, free_port
from tests.integration.live_web import (
    Customer,
    form_csrf,
    new_client,
    serving,
    sign_in_by_email,
)
from tests.integration.web_support import AGENT_PASSWORD, recent_periods, seed_people

#: A delivery worker as `goodwill deliver` runs, in a loop, with a short lease and backoff
#: so a test sees a killed worker's messages claimed again within seconds. The lease must
#: outlast a batch even on a loaded machine, or another deliverer sends a batch again.
WORKER = """
import sys, time
from datetime import timedelta
from goodwill.channels.outbox import deliver
from goodwill.channels.smtp import SmtpChannel
from goodwill.store.engine import make_engine
from goodwill.store.messages import Backoff

url, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
engine = make_engine(url)
while True:
    deliver(engine, SmtpChannel(host, port), batch_size=2, lease=timedelta(seconds=10),
            backoff=Backoff(base=timedelta(seconds=0.3), cap=timedelta(seconds=1)),
            max_attempts=50)
    time.sleep(0.1)
"""


def load_source(folder: Path, customers: int) -> Path:
    """``customers`` customers, each with one line on P-1000 using little: P-750 fits."""
    periods = recent_periods(datetime.now(UTC).date(), 6)
    people = ["customer_id,name,email,joined_at,left_at,referred_by,consents,locale"]
    subs = ["subscription_id,customer_id,user_name,plan_id,started_at,ended_at,contract_end"]
    usage = ["subscription_id,period,kind,quantity"]
    for n in range(1, customers + 1):
        people.append(f"C{n},Person {n},c{n}@example.com,2024-01-03T10:00:00Z,,,advice;care,")
        subs.append(f"S{n},C{n},,P-1000,2024-01-03T10:00:00Z,,")
        usage += [f"S{n},{p},data_mb,1500" for p in periods]
    tables = {
        "plans": "plan_id,name,monthly_fee,currency,on_sale,contract_months,device_fee\n"
        "P-750,Goodybag 7.50,750,GBP,true,0,0\nP-1000,Goodybag 10,1000,GBP,true,0,0\n",
        "plan_allowances": "plan_id,kind,included,overage_rate\nP-750,data_mb,3000,\n"
        "P-1000,data_mb,10000,\n",
        "customers": "\n".join(people) + "\n",
        "subscriptions": "\n".join(subs) + "\n",
        "usage": "\n".join(usage) + "\n",
        "bills": "customer_id,period,amount,currency\n"
        + "".join(f"C{n},{p},1000,GBP\n" for n in range(1, customers + 1) for p in periods),
    }
    return write_source(folder, tables)


@dataclass
class Timings:
    """Seconds per page, and what went wrong."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, page: str, send: object, *args: object, ok: tuple[int, ...] = (200,)) -> object:
        start = time.perf_counter()
        try:
            response = send(*args)  # type: ignore[operator]
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors.append(f"{page}: {type(exc).__name__}")
            return None
        with self.lock:
            self.seconds[page].append(time.perf_counter() - start)
            if response.status_code not in ok:
                self.errors.append(f"{page}: {response.status_code} {response.text[:200]}")
        return response

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.seconds.values())

    def table(self) -> list[tuple[str, int, float, float]]:
        """(page, requests, p50 ms, p99 ms)."""
        rows = []
        for page, values in sorted(self.seconds.items()):
            ordered = sorted(values)
            p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
            rows.append((page, len(values), statistics.median(values) * 1000, p99 * 1000))
        return rows


@dataclass
class Outcome:
    """What a load run did and what the store and the SMTP server hold afterwards."""

    timings: Timings
    customers: int
    received: Counter[str]
    statuses: Counter[str]
    blocks: int
    switches: int
    actions_by_kind: Counter[str]
    over_budget: int
    queued_ids: set[str]
    killed_in_flight: int = 0

    @property
    def duplicates(self) -> dict[str, int]:
        return {mid: n for mid, n in self.received.items() if n > 1}


@dataclass
class Setup:
    store_url: str
    data: Path
    customers: int
    agents: int
    faults: bool = False


@contextmanager
def smtp(inbox: Inbox) -> Iterator[tuple[str, int]]:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield "127.0.0.1", controller.port
    finally:
        controller.stop()


def prepare(tmp: Path, store_url: str, customers: int) -> Path:
    data = tmp / "data"
    ingest(load_source(tmp / "source", customers), Settings(data_dir=data))
    engine = make_engine(store_url)
    upgrade(engine)
    seed_people(engine)
    engine.dispose()
    return data


def run_load(setup: Setup) -> Outcome:
    """Sign every customer in, then all at once: read, switch, block; agents on the desk;
    a care run and a delivery worker on the same store. With ``faults``: the worker is
    SIGKILLed mid-batch and restarted, and the SMTP server refuses mail for a while."""
    inbox, timings = Inbox(), Timings()
    with smtp(inbox) as (host, port):
        settings = Settings(
            data_dir=setup.data,
            store_url=setup.store_url,
            channel="smtp",
            smtp_host=host,
            smtp_port=port,
            login_attempts=1000,
            web_delivery_interval_seconds=1,
        )
        env = {**os.environ, "GOODWILL_DATA_DIR": str(setup.data)}
        env |= {"GOODWILL_STORE_URL": setup.store_url, "GOODWILL_HOLDOUT_PERCENT": "0"}
        worker = _worker(setup.store_url, host, port)
        killed = 0
        with serving(create_app(settings)) as url:
            people = _sign_in_all(url, inbox, setup.customers, timings)
            care = subprocess.Popen(
                [str(Path(sys.executable).parent / "goodwill"), "run", "--no-deliver"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            faults = threading.Thread(target=_faults, args=(inbox, worker), daemon=True)
            if setup.faults:
                inbox.delay_s = 0.02
                faults.start()
            with ThreadPoolExecutor(8) as pool:
                jobs = [
                    pool.submit(_customer_work, c, n + 1, timings) for n, c in enumerate(people)
                ]
                jobs += [pool.submit(_agent_work, url, timings) for _ in range(setup.agents)]
                for job in jobs:
                    job.result()
            output, _ = care.communicate(timeout=300)
            if care.returncode != 0:
                timings.errors.append(f"goodwill run: {output.decode()[-500:]}")
            if setup.faults:
                faults.join()
                killed = 1
                worker = _worker(setup.store_url, host, port)  # restarted after the kill
            for person in people:
                person.client.close()
            _wait_all_sent(setup.store_url, timeout_s=120)
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
        return _outcome(setup, timings, inbox, killed)


def _worker(store_url: str, host: str, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", WORKER, store_url, host, str(port)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _faults(inbox: Inbox, worker: subprocess.Popen[bytes]) -> None:
    """Kill the worker once it has sent a few, then refuse mail for a second."""
    deadline = time.monotonic() + 60
    start = len(inbox.received)
    while len(inbox.received) < start + 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.communicate()
    inbox.refuse_with = "451 4.3.0 try again later"
    time.sleep(1.0)
    inbox.refuse_with = None


def _sign_in_all(url: str, inbox: Inbox, customers: int, timings: Timings) -> list[Customer]:
    def one(n: int) -> Customer:
        start = time.perf_counter()
        customer = sign_in_by_email(url, f"c{n}@example.com", inbox, timeout_s=120)
        with timings.lock:
            timings.seconds["sign-in (link by email)"].append(time.perf_counter() - start)
        return customer

    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(1, customers + 1)))


def _customer_work(customer: Customer, n: int, timings: Timings) -> None:
    get = customer.client.get
    timings.call("GET /api/me/contact", get, "/api/me/contact")
    timings.call("GET /api/me (my plan)", get, "/api/me")
    timings.call("POST switch", customer.post, f"/api/me/lines/S{n}/switch", {"plan_id": "P-750"})
    block = timings.call("POST block", customer.post, f"/api/me/lines/S{n}/block")
    if block is not None and block.status_code == 200:  # type: ignore[attr-defined]
        block_id = block.json()["id"]  # type: ignore[attr-defined]
        path = f"/api/me/blocks/{block_id}/replacement"
        timings.call("POST replacement", customer.post, path)
        timings.call("GET block", get, f"/api/me/blocks/{block_id}")


def _agent_work(url: str, timings: Timings) -> None:
    with new_client(url) as client:
        login = client.get("/desk/login")
        data = {"email": "priya@care.example", "password": AGENT_PASSWORD}
        form = {**data, "csrf_token": form_csrf(login.text)}
        timings.call("POST desk login", lambda: client.post("/desk/login", data=form), ok=(303,))
        for _ in range(3):
            timings.call("GET /api/desk/roster", client.get, "/api/desk/roster")
            timings.call("GET /api/desk/moments", client.get, "/api/desk/moments")


def _wait_all_sent(store_url: str, timeout_s: float) -> None:
    engine = make_engine(store_url)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            with session_factory(engine, reads_only=True)() as session:
                waiting = session.scalar(
                    select(func.count()).select_from(Message).where(Message.status != "sent")
                )
            if not waiting:
                return
            time.sleep(0.2)
    finally:
        engine.dispose()


def _outcome(setup: Setup, timings: Timings, inbox: Inbox, killed: int) -> Outcome:
    engine = make_engine(setup.store_url)
    with session_factory(engine, reads_only=True)() as session:
        statuses = Counter(str(s) for s in session.scalars(select(Message.status)))
        queued = set(session.scalars(select(Message.message_id)))
        blocks = session.scalar(select(func.count()).select_from(SimBlock)) or 0
        switches = session.scalar(select(func.count()).select_from(PlanChangeRequest)) or 0
        kinds = Counter(str(k) for k in session.scalars(select(Action.kind)))
        over = _over_budget(session)
    engine.dispose()
    return Outcome(
        timings,
        setup.customers,
        Counter(str(m["Message-ID"]) for m in inbox.received),
        statuses,
        int(blocks),
        int(switches),
        kinds,
        over,
        queued,
        killed,
    )


def _over_budget(session: object) -> int:
    """Budgets spent beyond their amount (must be 0)."""
    from goodwill.store.models import Budget

    spent = (
        select(Budget.limit_minor, func.coalesce(func.sum(BudgetSpend.amount_minor), 0))
        .outerjoin(
            BudgetSpend,
            (BudgetSpend.kind == Budget.kind) & (BudgetSpend.period == Budget.period),
        )
        .group_by(Budget.kind, Budget.period, Budget.limit_minor)
    )
    rows = session.execute(spent).all()  # type: ignore[attr-defined]
    return sum(1 for limit, total in rows if total > limit)

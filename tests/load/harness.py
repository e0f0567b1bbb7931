"""Concurrent customers and agents on one store while a care run and a delivery worker run.

Used by tests/load (small, bounded counts) and benchmarks/load_faults.py (larger ones).
Everything is loopback: uvicorn serves the app as `goodwill serve` does, aiosmtpd receives
the mail, `goodwill run` and a delivery worker are processes of their own.

Faults (``Setup.faults``):

- ``worker``: the delivery worker is SIGKILLed mid-batch and restarted, and the SMTP server
  refuses mail for a second;
- ``restart``: PostgreSQL (a throwaway cluster, :mod:`tests.load.pg_cluster`) is restarted
  with ``pg_ctl restart -m fast`` while the customers, agents, care run and worker work.
  A request that meets the outage may get a 503; the client waits and sends it again, as
  the 503's Retry-After asks. A 503 outside the outage, or any other error, is an error.
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
from collections.abc import Callable, Iterator
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
from goodwill.store.models import (
    Action,
    BudgetSpend,
    Job,
    Message,
    PlanChangeRequest,
    SimBlock,
)
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
while True:  # as a supervisor would: a failed round (the store away) is tried again
    try:
        deliver(engine, SmtpChannel(host, port), batch_size=2, lease=timedelta(seconds=10),
                backoff=Backoff(base=timedelta(seconds=0.3), cap=timedelta(seconds=1)),
                max_attempts=50)
    except Exception as exc:
        print(f"worker: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        time.sleep(0.5)
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
class Outage:
    """When the store was away (monotonic seconds); both None when it never was."""

    started: float | None = None
    ended: float | None = None
    over: threading.Event = field(default_factory=threading.Event)

    def covers(self, sent: float, answered: float) -> bool:
        """Whether a request sent at ``sent`` and answered at ``answered`` met the outage."""
        if self.started is None or answered < self.started:
            return False
        return self.ended is None or sent <= self.ended


@dataclass
class Timings:
    """Seconds per page, and what went wrong."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    outage: Outage = field(default_factory=Outage)
    unavailable: int = 0  # 503s that met the outage, each then sent again
    while_down: list[httpx.Response] = field(default_factory=list)  # probes while it was away
    after_outage: int = 0  # requests sent once the outage was over

    def call(self, page: str, send: object, *args: object, ok: tuple[int, ...] = (200,)) -> object:
        for _ in range(60):
            start = time.perf_counter()
            sent = time.monotonic()
            try:
                response = send(*args)  # type: ignore[operator]
            except httpx.HTTPError as exc:
                with self.lock:
                    self.errors.append(f"{page}: {type(exc).__name__}")
                return None
            answered = time.monotonic()
            with self.lock:
                self.seconds[page].append(time.perf_counter() - start)
                if self.outage.ended is not None and sent > self.outage.ended:
                    self.after_outage += 1
                if response.status_code == 503 and self.outage.covers(sent, answered):
                    self.unavailable += 1
                    retry = True
                else:
                    retry = False
                    if response.status_code not in ok:
                        self.errors.append(f"{page}: {response.status_code} {response.text[:200]}")
            if not retry:
                return response
            time.sleep(0.5)  # the 503 asks for a few seconds; the test is in a hurry
        with self.lock:
            self.errors.append(f"{page}: still 503 after 60 tries")
        return None

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
    jobs: Counter[tuple[str, str]] = field(default_factory=Counter)  # (customer, kind)
    care_reruns: int = 0  # care runs the outage ended, then run again
    care_output: str = ""

    @property
    def duplicates(self) -> dict[str, int]:
        return {mid: n for mid, n in self.received.items() if n > 1}


@dataclass
class Setup:
    store_url: str
    data: Path
    customers: int
    agents: int
    faults: str = "none"  # none, worker (SIGKILL and SMTP refusals), restart (PostgreSQL)
    #: With faults="restart": restarts the store, calling its argument while it is down.
    restart: Callable[[Callable[[], None]], float] | None = None
    restart_after_requests: int = 10  # how many customer requests before the restart

    def __post_init__(self) -> None:
        if self.faults not in ("none", "worker", "restart"):
            raise ValueError(f"faults: none, worker or restart, not {self.faults!r}")
        if (self.faults == "restart") != (self.restart is not None):
            raise ValueError("faults='restart' needs restart, and only it takes one")


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
    a care run and a delivery worker on the same store; with the faults ``setup`` names."""
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
        worker = _worker(setup.store_url, host, port)
        killed = reruns = 0
        with serving(create_app(settings)) as url:
            people = _sign_in_all(url, inbox, setup.customers, timings)
            care = _care_run(setup)
            faults = _fault_thread(setup, inbox, worker, timings, people[0].client)
            if setup.faults == "worker":
                inbox.delay_s = 0.02
            if faults is not None:
                faults.start()
            after = timings.outage.over if setup.faults == "restart" else None
            with ThreadPoolExecutor(setup.customers + setup.agents) as pool:
                jobs = [
                    pool.submit(_customer_work, c, n + 1, timings, after)
                    for n, c in enumerate(people)
                ]
                jobs += [pool.submit(_agent_work, url, timings, after) for _ in range(setup.agents)]
                for job in jobs:
                    job.result()
            output = care.communicate(timeout=600)[0].decode()
            if faults is not None:
                faults.join()
            if care.returncode != 0 and setup.faults == "restart":
                # The outage ended the run (it says so and exits 1); run again, as an
                # operator or a scheduler would: what it recorded stays, nothing twice.
                reruns, first = 1, output
                care = _care_run(setup)
                output = first + "\n--- run again ---\n" + care.communicate(timeout=600)[0].decode()
            if care.returncode != 0:
                timings.errors.append(f"goodwill run: {output[-800:]}")
            if setup.faults == "worker":
                killed = 1
                worker = _worker(setup.store_url, host, port)  # restarted after the kill
            for person in people:
                person.client.close()
            _wait_all_sent(setup.store_url, timeout_s=180)
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
        outcome = _outcome(setup, timings, inbox, killed)
        outcome.care_reruns, outcome.care_output = reruns, output
        return outcome


def _care_run(setup: Setup) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOODWILL_DATA_DIR": str(setup.data)}
    env |= {"GOODWILL_STORE_URL": setup.store_url, "GOODWILL_HOLDOUT_PERCENT": "0"}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "goodwill"), "run", "--no-deliver"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _fault_thread(
    setup: Setup,
    inbox: Inbox,
    worker: subprocess.Popen[bytes],
    timings: Timings,
    probe: httpx.Client,
) -> threading.Thread | None:
    if setup.faults == "worker":
        return threading.Thread(target=_faults, args=(inbox, worker), daemon=True)
    if setup.faults == "restart":
        assert setup.restart is not None
        args = (setup.restart, timings, setup.restart_after_requests, probe)
        return threading.Thread(target=_restart_store, args=args, daemon=True)
    return None


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


def _restart_store(
    restart: Callable[[Callable[[], None]], float],
    timings: Timings,
    after_requests: int,
    probe: httpx.Client,
) -> None:
    """Restart the store once the customers have made ``after_requests`` requests; while
    it is down, a signed-in customer's read shows what a client gets then."""
    served = timings.requests
    deadline = time.monotonic() + 120
    while timings.requests < served + after_requests and time.monotonic() < deadline:
        time.sleep(0.01)
    timings.outage.started = time.monotonic()

    def while_down() -> None:
        timings.while_down.append(probe.get("/api/me/contact"))

    try:
        restart(while_down)
    finally:
        timings.outage.ended = time.monotonic()
        timings.outage.over.set()


def _sign_in_all(url: str, inbox: Inbox, customers: int, timings: Timings) -> list[Customer]:
    def one(n: int) -> Customer:
        start = time.perf_counter()
        customer = sign_in_by_email(url, f"c{n}@example.com", inbox, timeout_s=300)
        with timings.lock:
            timings.seconds["sign-in (link by email)"].append(time.perf_counter() - start)
        return customer

    with ThreadPoolExecutor(min(customers, 16)) as pool:
        return list(pool.map(one, range(1, customers + 1)))


def _customer_work(
    customer: Customer, n: int, timings: Timings, after: threading.Event | None
) -> None:
    """Read, block, order the replacement, switch; with ``after``, the switch and two reads
    wait until it is set (the store is back), so they use connections from before."""
    get = customer.client.get
    timings.call("GET /api/me/contact", get, "/api/me/contact")
    timings.call("GET /api/me (my plan)", get, "/api/me")
    block = timings.call("POST block", customer.post, f"/api/me/lines/S{n}/block")
    if block is not None and block.status_code == 200:  # type: ignore[attr-defined]
        block_id = block.json()["id"]  # type: ignore[attr-defined]
        path = f"/api/me/blocks/{block_id}/replacement"
        timings.call("POST replacement", customer.post, path)
        timings.call("GET block", get, f"/api/me/blocks/{block_id}")
    later = "" if after is None else " (after the restart)"
    if after is not None:
        after.wait(180)
    switch = f"/api/me/lines/S{n}/switch"
    timings.call(f"POST switch{later}", customer.post, switch, {"plan_id": "P-750"})
    if after is not None:
        timings.call("GET /api/me (after the restart)", get, "/api/me")
        timings.call("GET /api/me/contact (after the restart)", get, "/api/me/contact")


def _agent_work(url: str, timings: Timings, after: threading.Event | None) -> None:
    with new_client(url) as client:
        login = client.get("/desk/login")
        data = {"email": "priya@care.example", "password": AGENT_PASSWORD}
        form = {**data, "csrf_token": form_csrf(login.text)}
        timings.call("POST desk login", lambda: client.post("/desk/login", data=form), ok=(303,))
        for _ in range(3):
            timings.call("GET /api/desk/roster", client.get, "/api/desk/roster")
            timings.call("GET /api/desk/moments", client.get, "/api/desk/moments")
        if after is not None:
            after.wait(180)
            timings.call("GET /api/desk/roster (after the restart)", client.get, "/api/desk/roster")


def _wait_all_sent(store_url: str, timeout_s: float, medium: str | None = None) -> None:
    """Wait until every message (of ``medium``, e.g. ``email``) is sent, or the timeout."""
    engine = make_engine(store_url)
    deadline = time.monotonic() + timeout_s
    unsent = Message.status != "sent"
    if medium is not None:
        unsent = unsent & (Message.channel == medium)
    try:
        while time.monotonic() < deadline:
            with session_factory(engine, reads_only=True)() as session:
                waiting = session.scalar(select(func.count()).select_from(Message).where(unsent))
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
        jobs = Counter(
            (str(c), str(k)) for c, k in session.execute(select(Job.customer_id, Job.kind))
        )
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
        jobs,
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

"""Agents giving goodwill at once while the care run spends its monthly budgets (issue 15).

Every agent gives credits from several browser tabs at once, within their monthly allowance
and above it (those wait for a lead); two leads approve what waits, both racing for the
same gestures, and hold back what the budget can no longer pay for; meanwhile `goodwill run` spends the care budgets (``broken_promise``,
``repeated_failures``) on the same store, and the web process delivers. The budgets are
small, so every spender meets a limit. Afterwards the store must show no budget and no
allowance exceeded, and each gesture recorded once: one row per answer that said it was
taken, and for each one given, one action, one spend of its amount and one message.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.models import Action, BudgetSpend, Gesture, GestureStatus, Message, StaffUser
from goodwill.store.staff import add_staff_user
from goodwill.web.app import create_app
from goodwill.web.security import hash_password
from tests.integration.conftest import Inbox
from tests.integration.live_web import form_csrf, new_client, serving
from tests.load.harness import Timings, _over_budget, _wait_all_sent, smtp

PASSWORD = "a long desk passphrase 15"
GIFT = 700  # pence per gesture: two fit an allowance of 2000, the third waits for a lead


@dataclass
class BudgetSetup:
    store_url: str
    data: Path
    agents: int = 3
    gives_per_agent: int = 4
    tabs_per_agent: int = 2  # concurrent gives by one agent
    allowance_minor: int = 2_000
    budgets_minor: dict[str, int] = field(
        default_factory=lambda: {
            "broken_promise": 3_000,
            "repeated_failures": 2_000,
            "goodwill_gesture": 5_000,
        }
    )


@dataclass
class BudgetOutcome:
    timings: Timings
    taken: int  # gives answered 200 (given, or waiting for a lead)
    refused_for_budget: int  # gives or approvals answered "the budget has only … left"
    refused_at_give: int  # of them, gives (within the allowance, after the budget ran low)
    approvals: Counter[str]  # approve answers: given, not waiting (the other lead won), budget
    gestures: Counter[str]  # rows by status
    allowance_over: dict[str, int]  # agent email -> pence over their allowance (must be none)
    over_budget: int  # budgets spent beyond their limit (must be 0)
    spent: dict[str, int]  # kind -> pence spent this month
    given_without_one_spend: int  # given gestures without exactly one spend of their amount
    given_without_one_message: int
    given_by_lead: int  # given gestures a lead approved
    spends_without_action: int
    care_output: str
    received: Counter[str] = field(default_factory=Counter)
    queued_ids: set[str] = field(default_factory=set)  # emails (billing's wait for its webhook)


def prepare_budget(
    tmp: Path, store_url: str, agents: int, allowance_minor: int = 2_000, customers: int = 150
) -> Path:
    """The sample operator (broken promises: credits for the care run), a store with
    ``agents`` agents (each with ``allowance_minor`` a month) and two leads on the desk."""
    today = datetime.now(UTC).date()
    write_sample(tmp / "sample", customers=customers, months=4, seed=15, asof=today)
    data = tmp / "data"
    ingest(tmp / "sample", Settings(data_dir=data))
    engine = make_engine(store_url)
    upgrade(engine)
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:
        for n in range(1, agents + 1):
            _staff(session, f"agent{n}@care.example", f"Agent {n}", "agent", allowance_minor, now)
        for n in (1, 2):
            _staff(session, f"lead{n}@care.example", f"Lead {n}", "lead", 0, now)
    engine.dispose()
    return data


def _staff(
    session: object, email: str, name: str, role: str, allowance: int, now: datetime
) -> None:
    add_staff_user(
        session,  # type: ignore[arg-type]
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(PASSWORD),
        now=now,
        monthly_allowance_minor=allowance,
    )


def customer_ids(data: Path, n: int) -> list[str]:
    """The first ``n`` customers of the sample that :func:`prepare_budget` wrote beside ``data``."""
    with (data.parent / "sample" / "customers.csv").open(newline="") as rows:
        return [row["customer_id"] for row, _ in zip(csv.DictReader(rows), range(n), strict=False)]


def run_budget_load(setup: BudgetSetup) -> BudgetOutcome:
    inbox, timings = Inbox(), Timings()
    budgets = json.dumps(setup.budgets_minor)
    tally: Counter[str] = Counter()
    lock = threading.Lock()
    with smtp(inbox) as (host, port):
        settings = Settings(
            data_dir=setup.data,
            store_url=setup.store_url,
            channel="smtp",
            smtp_host=host,
            smtp_port=port,
            login_attempts=1000,
            web_delivery_interval_seconds=1,
            monthly_budgets_minor=setup.budgets_minor,
        )
        env = {**os.environ, "GOODWILL_DATA_DIR": str(setup.data)}
        env |= {"GOODWILL_STORE_URL": setup.store_url, "GOODWILL_HOLDOUT_PERCENT": "0"}
        env |= {"GOODWILL_MONTHLY_BUDGETS_MINOR": budgets}
        who = customer_ids(setup.data, setup.agents * setup.gives_per_agent)
        with serving(create_app(settings)) as url:
            agents = [_desk(url, f"agent{n}@care.example") for n in range(1, setup.agents + 1)]
            leads = [_desk(url, f"lead{n}@care.example") for n in (1, 2)]
            care = subprocess.Popen(
                [str(Path(sys.executable).parent / "goodwill"), "run", "--no-deliver"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            giving = threading.Event()

            def give(agent: tuple[httpx.Client, str], k: int, customer: str) -> None:
                client, csrf = agent
                body = {"amount_minor": GIFT, "reason": f"Sorry for the trouble ({k})"}
                path = f"/api/desk/customers/{customer}/gestures"
                send = lambda: client.post(path, json=body, headers={"X-CSRF-Token": csrf})  # noqa: E731
                answer = timings.call("POST give", send, ok=(200, 400))
                with lock:
                    if answer is not None and answer.status_code == 200:  # type: ignore[attr-defined]
                        tally["taken"] += 1
                    elif answer is not None and "budget" in answer.text:  # type: ignore[attr-defined]
                        tally["budget"] += 1
                        tally["give budget"] += 1
                    elif answer is not None:
                        timings.errors.append(f"POST give: {answer.text[:200]}")  # type: ignore[attr-defined]

            def lead_work(lead: tuple[httpx.Client, str]) -> None:
                client, csrf = lead
                while True:
                    done = not giving.is_set()
                    view = timings.call(
                        "GET /api/desk/approvals", client.get, "/api/desk/approvals"
                    )
                    waiting = [] if view is None else view.json()["waiting"]  # type: ignore[attr-defined]
                    for gesture in waiting:
                        path = f"/api/desk/gestures/{gesture['id']}/approve"
                        send = lambda p=path: client.post(p, headers={"X-CSRF-Token": csrf})  # noqa: E731
                        answer = timings.call("POST approve", send, ok=(200, 400, 404))
                        if answer is None:
                            continue
                        status = answer.status_code  # type: ignore[attr-defined]
                        kind = {200: "given", 404: "not waiting"}.get(status, "budget")
                        if status == 400 and "budget" not in answer.text:  # type: ignore[attr-defined]
                            timings.errors.append(f"POST approve: {answer.text[:200]}")  # type: ignore[attr-defined]
                        with lock:
                            tally[f"approve {kind}"] += 1
                            if kind == "budget":
                                tally["budget"] += 1
                        if kind == "budget":  # it cannot go out this month: hold it back
                            held = path.removesuffix("/approve") + "/hold"
                            hold = lambda p=held: client.post(p, headers={"X-CSRF-Token": csrf})  # noqa: E731
                            timings.call("POST hold", hold, ok=(200, 404))
                    if done and not waiting:
                        return
                    time.sleep(0.05)

            giving.set()
            with ThreadPoolExecutor(setup.agents * setup.tabs_per_agent + 2) as pool:
                deciders = [pool.submit(lead_work, lead) for lead in leads]
                gives = [
                    pool.submit(give, agents[a], k, who[a * setup.gives_per_agent + k])
                    for a in range(setup.agents)
                    for k in range(setup.gives_per_agent)
                ]
                for job in gives:
                    job.result()
                giving.clear()
                for job in deciders:
                    job.result()
            output = care.communicate(timeout=600)[0].decode()
            if care.returncode != 0:
                timings.errors.append(f"goodwill run: {output[-800:]}")
            for client, _ in agents + leads:
                client.close()
            _wait_all_sent(setup.store_url, timeout_s=180, medium="email")
    outcome = _budget_outcome(setup, timings, tally, output)
    outcome.received = Counter(str(m["Message-ID"]) for m in inbox.received)
    return outcome


def _desk(url: str, email: str) -> tuple[httpx.Client, str]:
    client = new_client(url)
    login = client.get("/desk/login")
    form = {"email": email, "password": PASSWORD, "csrf_token": form_csrf(login.text)}
    answer = client.post("/desk/login", data=form)
    assert answer.status_code == 303, answer.text
    return client, client.get("/api/session").json()["csrf_token"]


def _budget_outcome(
    setup: BudgetSetup, timings: Timings, tally: Counter[str], output: str
) -> BudgetOutcome:
    period = date.today().strftime("%Y-%m")
    engine = make_engine(setup.store_url)
    with session_factory(engine, reads_only=True)() as session:
        gestures = list(session.scalars(select(Gesture)))
        staff = {s.id: s for s in session.scalars(select(StaffUser))}
        used: Counter[str] = Counter()
        for g in gestures:
            if g.status == GestureStatus.GIVEN and g.decided_by is None:
                used[staff[g.staff_user_id].email] += g.amount_minor
        over = {
            email: n - staff_by_email.monthly_allowance_minor
            for email, n in used.items()
            if (staff_by_email := next(s for s in staff.values() if s.email == email))
            and n > staff_by_email.monthly_allowance_minor
        }
        spends = session.execute(
            select(
                BudgetSpend.kind,
                BudgetSpend.period,
                BudgetSpend.amount_minor,
                BudgetSpend.action_id,
            )
        ).all()
        spent: Counter[str] = Counter()
        for kind, spend_period, amount, _ in spends:
            if spend_period == period:
                spent[kind] += amount
        by_action = Counter(a for _, _, _, a in spends if a is not None)
        amounts = {a: amount for _, _, amount, a in spends}
        given = [g for g in gestures if g.status == GestureStatus.GIVEN]
        no_spend = sum(
            1
            for g in given
            if g.action_id is None
            or by_action[g.action_id] != 1
            or amounts[g.action_id] != g.amount_minor
        )
        messages = Counter(
            session.scalars(select(Message.action_id).where(Message.channel == "email"))
        )
        no_message = sum(1 for g in given if messages[g.action_id] != 1)
        actions = set(session.scalars(select(Action.id)))
        orphans = sum(1 for a in by_action if a not in actions)
        over_budget = _over_budget(session)
        queued = set(session.scalars(select(Message.message_id).where(Message.channel == "email")))
        rows = session.scalar(select(func.count()).select_from(Gesture)) or 0
    engine.dispose()
    assert rows == len(gestures)
    return BudgetOutcome(
        timings=timings,
        taken=tally["taken"],
        refused_for_budget=tally["budget"],
        refused_at_give=tally["give budget"],
        approvals=Counter(
            {k.removeprefix("approve "): n for k, n in tally.items() if k.startswith("approve ")}
        ),
        gestures=Counter(str(g.status) for g in gestures),
        allowance_over=over,
        over_budget=over_budget,
        spent=dict(spent),
        given_without_one_spend=no_spend,
        given_without_one_message=no_message,
        given_by_lead=sum(1 for g in given if g.decided_by is not None),
        spends_without_action=orphans,
        care_output=output,
        queued_ids=queued,
    )

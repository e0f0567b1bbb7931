"""Customers and agents at once on one store, with a care run and a delivery worker, on
SQLite and PostgreSQL; then with faults (issue 15). Bounded: a few dozen requests each.

Afterwards the store and the loopback SMTP server must agree: every job, switch and block
recorded once, every queued message sent and received, budgets not exceeded. With a
delivery worker SIGKILLed mid-batch and the SMTP server refusing for a while, at most the
one message in flight arrives twice. With PostgreSQL restarted mid-run (a throwaway
cluster of the test's own, never the shared server), requests that meet the outage may
get a 503 and are sent again; none fails after it, and nothing arrives twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.agents import add_agent
from goodwill.store.engine import retrying_while_unreachable
from goodwill.store.models import Agent
from tests.load.budget_load import GIFT, BudgetSetup, prepare_budget, run_budget_load
from tests.load.harness import Outcome, Setup, prepare, run_load
from tests.load.pg_cluster import Cluster, missing_reason, throwaway_cluster

CUSTOMERS, AGENTS = 3, 1  # benchmarks/load_faults.py runs 50 and 5
NOW = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)


def check(outcome: Outcome, customers: int = CUSTOMERS) -> None:
    """What every load run must leave behind."""
    assert outcome.timings.errors == []
    assert outcome.blocks == outcome.switches == customers  # each recorded once
    assert outcome.actions_by_kind["sim_block"] == outcome.actions_by_kind["sim_replacement"]
    assert outcome.actions_by_kind["sim_block"] == customers
    expected_jobs = {(f"C{n}", kind) for n in range(1, customers + 1) for kind in _JOB_KINDS}
    assert set(outcome.jobs) == expected_jobs and set(outcome.jobs.values()) == {1}
    assert set(outcome.statuses) == {"sent"}
    assert set(outcome.received) == outcome.queued_ids  # every queued message arrived
    assert outcome.over_budget == 0


_JOB_KINDS = ("plan_switch", "lost_sim")


@pytest.mark.slow
def test_a_killed_worker_and_a_refusing_smtp_server_lose_nothing(
    store_url: str, tmp_path: Path
) -> None:
    data = prepare(tmp_path, store_url, CUSTOMERS)
    outcome = run_load(Setup(store_url, data, CUSTOMERS, AGENTS, faults="worker"))
    check(outcome)
    assert len(outcome.duplicates) <= outcome.killed_in_flight  # the one in flight, at most
    assert all(n == 2 for n in outcome.duplicates.values())


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the test's own, which it may restart."""
    reason = missing_reason()
    if reason is not None:
        pytest.skip(f"no throwaway PostgreSQL cluster for the restart: {reason}")
    with throwaway_cluster() as running:
        yield running


def _add_agent(engine: Engine, n: int) -> None:
    with session_factory(engine).begin() as session:
        add_agent(
            session, name=f"Agent {n}", email=f"a{n}@care.example", team="care", phone=None, now=NOW
        )


def _agents(engine: Engine) -> int:
    with session_factory(engine, reads_only=True)() as session:
        return int(session.scalar(select(func.count()).select_from(Agent)) or 0)


@pytest.mark.postgres
def test_after_a_restart_nobody_saw_the_next_write_gets_a_fresh_connection(
    cluster: Cluster,
) -> None:
    """The pool's connections all died in the restart; ``pool_pre_ping`` finds that as a
    connection leaves the pool, so the first write afterwards does not fail."""
    engine = make_engine(cluster.url)
    upgrade(engine)
    _add_agent(engine, 1)  # leaves a connection in the pool
    cluster.restart()
    _add_agent(engine, 2)
    assert _agents(engine) == 2
    engine.dispose()


@pytest.mark.postgres
def test_work_safe_to_repeat_waits_for_the_store_to_come_back(cluster: Cluster) -> None:
    """While the server is down, the outbox's transactions are tried again until it is up."""
    engine = make_engine(cluster.url)
    upgrade(engine)
    tries: list[int] = []

    def work() -> None:
        tries.append(1)
        _add_agent(engine, len(tries))

    waiters: list[threading.Thread] = []

    def while_down() -> None:
        with pytest.raises(OperationalError):  # down: a single try fails
            _add_agent(engine, 99)
        waiter = threading.Thread(
            target=retrying_while_unreachable, args=(work,), kwargs={"what": "a test"}
        )
        waiter.start()
        waiters.append(waiter)
        time.sleep(1.0)  # it keeps trying while the server is still down

    cluster.restart(while_down)
    waiters[0].join(60)
    assert not waiters[0].is_alive()
    assert len(tries) >= 2  # it failed while down, then succeeded once the store was back
    assert _agents(engine) == 1

    def bad_statement() -> None:
        with session_factory(engine)() as session:
            session.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(ProgrammingError):  # any other error is raised at once, not retried
        retrying_while_unreachable(bad_statement, what="a test")
    engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_a_postgresql_restart_mid_run_loses_nothing_and_sends_nothing_twice(
    cluster: Cluster, tmp_path: Path
) -> None:
    data = prepare(tmp_path, cluster.url, CUSTOMERS)
    setup = Setup(cluster.url, data, CUSTOMERS, AGENTS, faults="restart", restart=cluster.restart)
    outcome = run_load(setup)
    check(outcome)
    assert outcome.duplicates == {}  # no worker died: nothing is sent twice
    assert outcome.timings.after_outage >= 2 * CUSTOMERS + AGENTS  # and none failed after it
    assert "database system is shut down" in cluster.log()  # it did restart
    [down] = outcome.timings.while_down  # a read while the store was away: a clear 503
    assert down.status_code == 503 and down.headers["retry-after"] == "5"
    assert "try again" in down.json()["detail"]


@pytest.mark.slow
def test_agents_and_leads_giving_at_once_beside_a_care_run_exceed_no_budget_or_allowance(
    store_url: str, tmp_path: Path
) -> None:
    """Three agents give from two tabs each, within their allowance and above it; two leads
    race to approve what waits and hold what the budget cannot pay; the care run spends
    its budgets on the same store meanwhile. Each gesture is recorded once."""
    setup = BudgetSetup(store_url, prepare_budget(tmp_path, store_url, agents=3))
    outcome = run_budget_load(setup)
    assert outcome.timings.errors == []
    assert outcome.allowance_over == {}  # no agent gave more than their allowance alone
    assert outcome.over_budget == 0
    assert outcome.spent["goodwill_gesture"] <= setup.budgets_minor["goodwill_gesture"]
    assert outcome.spent.get("broken_promise", 0) > 0  # the care run spent at the same time
    # The limits bit: gifts were asked for beyond the budget, and refused.
    assert setup.budgets_minor["goodwill_gesture"] < 3 * 4 * GIFT
    assert outcome.refused_for_budget > 0
    # Once each: a row per answer that took it; each given one spent and told once. A give
    # within the allowance is refused at once when a lead's approval spent the budget first.
    assert sum(outcome.gestures.values()) == outcome.taken
    assert outcome.taken + outcome.refused_at_give == 3 * 4
    assert outcome.spent["goodwill_gesture"] == outcome.gestures["given"] * GIFT
    assert outcome.given_without_one_spend == outcome.given_without_one_message == 0
    assert outcome.spends_without_action == 0
    assert set(outcome.gestures) <= {"given", "held"}  # every one that waited was decided
    assert outcome.approvals["given"] == outcome.given_by_lead  # of two leads, one gave it
    assert set(outcome.received) == outcome.queued_ids and max(outcome.received.values()) == 1

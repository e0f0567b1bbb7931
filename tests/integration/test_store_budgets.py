"""Goodwill budgets: spending never goes past the limit, alone or against a rival process."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from goodwill.store import (
    BudgetNotSetError,
    ensure_budget,
    make_engine,
    session_factory,
    set_budget,
    spend,
    spent,
)

PERIOD = "2026-10"


def test_ensure_budget_makes_the_month_once_and_keeps_the_first_limit(
    sessions: sessionmaker[Session],
) -> None:
    """Both of two desks giving the month's first gift make the budget: the second finds
    the first's and keeps its limit (set_budget's insert would fail on the key, or change
    it). The race itself is in tests/load (test_agents_and_leads_giving_at_once…)."""
    with sessions() as first, sessions() as second:
        first.begin()
        assert ensure_budget(first, "gesture", PERIOD, 500, "GBP").limit_minor == 500
        first.commit()
        assert ensure_budget(second, "gesture", PERIOD, 900, "GBP").limit_minor == 500
        second.commit()
    with sessions() as session:
        assert spend(session, "gesture", PERIOD, 500) and not spend(session, "gesture", PERIOD, 1)


def test_spend_takes_what_fits_and_refuses_the_rest(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        set_budget(session, "credit", PERIOD, 1000, "GBP")
        set_budget(session, "credit", "2026-11", 50, "GBP")
    with sessions.begin() as session:
        assert spend(session, "credit", PERIOD, 600)
        assert not spend(session, "credit", PERIOD, 401)
        assert spend(session, "credit", PERIOD, 400)
        assert not spend(session, "credit", PERIOD, 1)
        assert spend(session, "credit", "2026-11", 50)  # another month, its own budget
    with sessions() as session:
        assert spent(session, "credit", PERIOD) == 1000


def test_a_raised_limit_is_seen_at_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        set_budget(session, "credit", PERIOD, 100, "GBP")
        assert not spend(session, "credit", PERIOD, 150)
        set_budget(session, "credit", PERIOD, 200, "GBP")
        assert spend(session, "credit", PERIOD, 150)


def test_spending_without_a_budget_is_an_error(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(BudgetNotSetError, match="no goodwill budget"):
        spend(session, "replacement_sim", PERIOD, 100)


def test_a_spend_must_be_positive(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(ValueError, match="must be positive"):
        spend(session, "credit", PERIOD, 0)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(min_value=0, max_value=5_000),
    amounts=st.lists(st.integers(min_value=1, max_value=2_000), max_size=15),
)
def test_spend_never_exceeds_the_limit(
    sessions: sessionmaker[Session], limit: int, amounts: list[int]
) -> None:
    kind = f"credit-{uuid.uuid4().hex[:8]}"  # one budget per example; the database is shared
    with sessions.begin() as session:
        set_budget(session, kind, PERIOD, limit, "GBP")
    total = 0
    for amount in amounts:
        with sessions.begin() as session:
            accepted = spend(session, kind, PERIOD, amount)
        assert accepted == (total + amount <= limit)
        total += amount if accepted else 0
    with sessions() as session:
        assert spent(session, kind, PERIOD) == total <= limit


def spend_in_a_loop(url: str, tries: int, amount: int, start: Event, won: Queue[int]) -> None:
    """One rival: spend ``amount`` as often as the budget allows, each in its own transaction."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    start.wait()
    accepted = 0
    for _ in range(tries):
        with sessions.begin() as session:
            if spend(session, "credit", PERIOD, amount):
                accepted += 1
                # A care run writes the action and its message before committing; a rival
                # that did not wait for this transaction would read a stale total here.
                time.sleep(0.002)
    engine.dispose()
    won.put(accepted)


@pytest.mark.slow
def test_two_processes_racing_never_overspend(
    sessions: sessionmaker[Session], store_url: str
) -> None:
    limit, amount, tries = 1_000, 10, 70  # 140 tries at 100 places
    with sessions.begin() as session:
        set_budget(session, "credit", PERIOD, limit, "GBP")
    context = multiprocessing.get_context("spawn")
    start, won = context.Event(), context.Queue()
    rivals = [
        context.Process(target=spend_in_a_loop, args=(store_url, tries, amount, start, won))
        for _ in range(2)
    ]
    for rival in rivals:
        rival.start()
    try:
        start.set()
        accepted = [won.get(timeout=60) for _ in rivals]
    finally:
        for rival in rivals:
            rival.join(timeout=10)
            if rival.is_alive():
                rival.kill()
    with sessions() as session:
        assert spent(session, "credit", PERIOD) == sum(accepted) * amount == limit
    assert all(n > 0 for n in accepted), f"one rival never got to spend: {accepted}"

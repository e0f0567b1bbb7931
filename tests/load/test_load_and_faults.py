"""Customers and agents at once on one store, with a care run and a delivery worker, on
SQLite and PostgreSQL; then with faults (issue 15). Bounded: a few dozen requests each.

Afterwards the store and the loopback SMTP server must agree: every switch and block
recorded once, every queued message sent and received, budgets not exceeded. Without
faults every message arrives exactly once; with a delivery worker SIGKILLed mid-batch
and the SMTP server refusing for a while, at most the one message in flight arrives twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.load.harness import Outcome, Setup, prepare, run_load

CUSTOMERS, AGENTS = 3, 1  # benchmarks/load_faults.py runs 50 and 5


def _check(outcome: Outcome) -> None:
    assert outcome.timings.errors == []
    assert outcome.blocks == outcome.switches == CUSTOMERS  # each recorded once
    assert outcome.actions_by_kind["sim_block"] == outcome.actions_by_kind["sim_replacement"]
    assert outcome.actions_by_kind["sim_block"] == CUSTOMERS
    assert set(outcome.statuses) == {"sent"}
    assert set(outcome.received) == outcome.queued_ids  # every queued message arrived
    assert outcome.over_budget == 0


@pytest.mark.slow
def test_a_killed_worker_and_a_refusing_smtp_server_lose_nothing(
    store_url: str, tmp_path: Path
) -> None:
    data = prepare(tmp_path, store_url, CUSTOMERS)
    outcome = run_load(Setup(store_url, data, CUSTOMERS, AGENTS, faults=True))
    _check(outcome)
    assert len(outcome.duplicates) <= outcome.killed_in_flight  # the one in flight, at most
    assert all(n == 2 for n in outcome.duplicates.values())

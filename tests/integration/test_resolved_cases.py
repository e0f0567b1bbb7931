"""The care run closes the cases whose ticket the ledger shows resolved (on SQLite and
PostgreSQL), before it moves cases from owners who are away."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from goodwill.ledger.ingest import ingest
from goodwill.services.care_run import run_care
from goodwill.services.resolved_cases import ticket_of
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.agents import add_agent, assign_owner, set_away
from goodwill.store.models import Agent, CaseOwner, Moment
from goodwill.store.moments import add_moment_once
from goodwill.store.runs import start_run
from tests.conftest import GOOD_SOURCE, write_source

ASOF = date(2026, 3, 10)
NOW = datetime(2026, 3, 9, 15, tzinfo=UTC)
#: T1 resolved before the run's day ends, T2 only after it, T3 still open; T4 resolved,
#: known to the desk through a slow-answer moment whose evidence names it.
TICKETS = """\
ticket_id,customer_id,channel,opened_at,first_response_at,resolved_at,category,is_complaint,owner
T1,C1,email,2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,2026-03-10T18:00:00Z,billing,false,
T2,C1,phone,2026-03-02T09:00:00Z,2026-03-02T09:10:00Z,2026-03-11T08:00:00Z,network,false,
T3,C2,chat,2026-03-03T09:00:00Z,,,account,true,
T4,C2,web,2026-03-04T09:00:00Z,2026-03-06T09:00:00Z,2026-03-07T09:00:00Z,billing,false,
"""
SLOW_T4 = "slow_first_response:T4:2026-03-04"


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    settings = Settings(
        data_dir=tmp_path / "data", store_url=store_url, outbox_dir=tmp_path / "outbox"
    )
    ingest(write_source(tmp_path / "src", {**GOOD_SOURCE, "tickets": TICKETS}), settings)
    engine = make_engine(store_url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        for name, email in (("Sam Patel", "sam@care.example"), ("Ros Kaur", "ros@care.example")):
            add_agent(session, name=name, email=email, team="care", phone=None, now=NOW)
        _slow_answer_moment(session)
        for customer, case in (
            ("C1", "ticket:T1"),
            ("C1", "ticket:T2"),
            ("C2", "ticket:T3"),
            ("C2", SLOW_T4),
        ):
            assign_owner(session, customer, case, team="care", today=ASOF, now=NOW)
    engine.dispose()
    return settings


def _slow_answer_moment(session: object) -> None:
    run = start_run(session, ASOF - timedelta(days=5), now=NOW)  # type: ignore[arg-type]
    add_moment_once(
        session,  # type: ignore[arg-type]
        run_id=run.id,
        customer_id="C2",
        subscription_id=None,
        kind="slow_first_response",
        detected_for="2026-03-05",
        value_to_customer_minor=0,
        cost_to_business_minor=0,
        currency="GBP",
        status="acted",
        evidence={"ticket_id": "T4", "waited_minutes": 2880, "channel": "web"},
        dedupe_key=SLOW_T4,
        now=NOW,
    )


def open_subjects(settings: Settings) -> set[str]:
    engine = make_engine(settings.store_url or "")
    with session_factory(engine)() as session:
        query = select(CaseOwner.subject).where(CaseOwner.released_at.is_(None))
        subjects = set(session.scalars(query))
    engine.dispose()
    return subjects


def test_the_care_run_closes_the_cases_of_resolved_tickets(settings: Settings) -> None:
    run_care(settings, ASOF, deliver_now=False, detectors=["broken_promise"])
    assert open_subjects(settings) == {"ticket:T2", "ticket:T3"}


def test_a_solved_case_is_closed_not_moved_when_its_owner_is_away(settings: Settings) -> None:
    engine = make_engine(settings.store_url or "")
    with session_factory(engine).begin() as session:
        owner = select(Agent.email).join(CaseOwner, CaseOwner.agent_id == Agent.id)
        email = session.scalar(owner.where(CaseOwner.subject == "ticket:T1"))
        assert email is not None
        set_away(session, email, ASOF + timedelta(days=10))
    engine.dispose()
    run_care(settings, ASOF, deliver_now=False, detectors=["broken_promise"])
    engine = make_engine(settings.store_url or "")
    with session_factory(engine)() as session:
        told = session.scalars(select(Moment).where(Moment.kind == "case_moved")).all()
        moved_cases = {case for m in told for case in m.evidence["cases"]}
    engine.dispose()
    assert "ticket:T2" in moved_cases  # T1's owner's open case of the same customer
    assert "ticket:T1" not in moved_cases
    assert open_subjects(settings) == {"ticket:T2", "ticket:T3"}


def test_a_case_names_its_ticket_by_subject_or_by_its_moments_evidence() -> None:
    assert ticket_of("ticket:T-9", None) == "T-9"
    assert ticket_of("slow_first_response:T-9:2026-03-04", {"ticket_id": "T-9"}) == "T-9"
    assert ticket_of("broken_promise:PR-1:2026-03-04", {"promise_id": "PR-1"}) is None
    assert ticket_of("ticket:", None) is None

"""The care run moves the cases of owners away too long and tells each customer, once,
who has their case now: on SQLite and PostgreSQL, with the real store and outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from goodwill.ledger.ingest import ingest
from goodwill.services.care_run import CareRunReport, run_care
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.agents import add_agent, assign_owner, set_away
from goodwill.store.models import CaseOwner, Message, Moment, Run
from tests.conftest import GOOD_SOURCE, write_source

ASOF = date(2026, 3, 10)
NOW = datetime(2026, 3, 9, 15, tzinfo=UTC)
#: Ann consents to care messages; Bob (now with an address) consents to nothing.
CUSTOMERS = GOOD_SOURCE["customers"].replace("C2,Bob Roy,,", "C2,Bob Roy,bob@example.com,")


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    settings = Settings(
        data_dir=tmp_path / "data", store_url=store_url, outbox_dir=tmp_path / "outbox"
    )
    ingest(write_source(tmp_path / "src", {**GOOD_SOURCE, "customers": CUSTOMERS}), settings)
    engine = make_engine(store_url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        add_agent(
            session,
            name="Sam Patel",
            email="sam@care.example",
            team="care",
            phone="0161 555 0100",
            now=NOW,
        )
        for customer, case in (("C1", "ticket:T1"), ("C1", "ticket:T2"), ("C2", "ticket:T3")):
            assign_owner(session, customer, case, team="care", today=ASOF, now=NOW)
        add_agent(
            session,
            name="Ros Kaur",
            email="ros@care.example",
            team="care",
            phone="0161 555 0199",
            now=NOW,
        )
    engine.dispose()
    return settings


def away(settings: Settings, days: int) -> None:
    """Sam, who owns every case, is away ``days`` days from ASOF, ASOF included."""
    engine = make_engine(settings.store_url or "")
    with session_factory(engine).begin() as session:
        set_away(session, "sam@care.example", ASOF + timedelta(days=days - 1))
    engine.dispose()


def stored(settings: Settings) -> tuple[list[Moment], list[Message], dict[str, str]]:
    engine = make_engine(settings.store_url or "")
    with session_factory(engine)() as session:
        moments = list(session.scalars(select(Moment).order_by(Moment.customer_id)))
        messages = list(session.scalars(select(Message).order_by(Message.customer_id)))
        open_cases = session.scalars(select(CaseOwner).where(CaseOwner.released_at.is_(None)))
        owners = {c.subject: str(c.agent_id) for c in open_cases}
        runs = list(session.scalars(select(Run)))
        session.expunge_all()
    engine.dispose()
    assert all(r.status == "succeeded" for r in runs)
    return moments, messages, owners


def care_run(settings: Settings) -> CareRunReport:
    return run_care(settings, ASOF, deliver_now=False, detectors=["broken_promise"])


def test_away_longer_than_the_limit_moves_and_tells_once(settings: Settings) -> None:
    away(settings, 4)  # more than owner_max_away_days (3)
    report = care_run(settings)
    assert report.outcomes == {("case_moved", "acted"): 2}
    moments, messages, owners = stored(settings)
    assert [(m.customer_id, m.kind, m.status) for m in moments] == [
        ("C1", "case_moved", "acted"),
        ("C2", "case_moved", "acted"),  # no consent needed: it is about their own case
    ]
    assert moments[0].evidence["cases"] == ["ticket:T1", "ticket:T2"]  # one notice for both
    assert len(set(owners.values())) == 1  # every case is with Ros now, none with Sam
    [to_ann, to_bob] = messages
    assert to_ann.to_address == "ann@example.com" and to_bob.to_address == "bob@example.com"
    assert to_ann.subject == "Ros Kaur is looking after your case now"
    text = " ".join(to_ann.body_text.split())
    assert "Sam Patel has been looking after your case, but is away until 13 March 2026." in text
    assert "0161 555 0199" in text and "ros@care.example" in text  # her direct line and email
    assert "ros@care.example" in (to_ann.body_html or "")
    assert report.acted is not None and report.acted.messages_queued == 2

    again = care_run(settings)  # the same day again: nothing moves, nothing is sent
    assert again.outcomes == {} and again.acted is not None and again.acted.messages_queued == 0
    moments_after, messages_after, owners_after = stored(settings)
    assert [m.id for m in moments_after] == [m.id for m in moments]
    assert [m.id for m in messages_after] == [m.id for m in messages]
    assert owners_after == owners


def test_away_up_to_the_limit_keeps_the_owner_and_says_nothing(settings: Settings) -> None:
    away(settings, 3)  # exactly owner_max_away_days: the cases wait for Sam
    _, before_messages, before = stored(settings)
    report = care_run(settings)
    assert report.found["case_moved"] == 0 and report.outcomes == {}
    _, messages, owners = stored(settings)
    assert messages == before_messages == [] and owners == before


def test_a_dry_run_tells_what_would_move_but_moves_nothing(settings: Settings) -> None:
    away(settings, 10)
    _, _, before = stored(settings)
    report = run_care(settings, ASOF, dry_run=True, detectors=["broken_promise"])
    assert report.outcomes == {("case_moved", "acted"): 2}
    assert stored(settings)[2] == before

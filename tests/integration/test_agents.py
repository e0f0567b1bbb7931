"""The roster and case owners in the store, and ``goodwill agents``, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from goodwill.cli.agents import agents_app
from goodwill.store import upgrade
from goodwill.store.agents import (
    add_agent,
    assign_owner,
    list_agents,
    move_cases_from_away,
    open_load,
    release_case,
    set_away,
)

runner = CliRunner()
TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 2, tzinfo=UTC)


def said(result: Result) -> str:
    return " ".join(result.output.split())


def roster(session: Session) -> dict[str, str]:
    ids = {}
    for name, team in (("Sam Patel", "care"), ("Ros Kaur", "care"), ("Val Ortiz", "senior")):
        email = f"{name.split()[0].lower()}@example.com"
        ids[name] = add_agent(session, name=name, email=email, team=team, phone=None, now=NOW)
        ids[name] = ids[name].agent_id  # type: ignore[assignment]
    return ids  # type: ignore[return-value]


def test_cases_spread_then_stay_with_the_customers_owner(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        ids = roster(session)
        first = assign_owner(session, "C1", "ticket:T1", team="care", today=TODAY, now=NOW)
        second = assign_owner(session, "C2", "ticket:T2", team="care", today=TODAY, now=NOW)
        again = assign_owner(session, "C1", "ticket:T3", team="care", today=TODAY, now=NOW)
        same_case = assign_owner(session, "C2", "ticket:T2", team="care", today=TODAY, now=NOW)
        senior = assign_owner(session, "C9", "repeated:C9", team="senior", today=TODAY, now=NOW)
    assert first.agent and first.agent.name == "Sam Patel"  # lowest id among the least loaded
    assert second.agent and second.agent.name == "Ros Kaur"
    assert again.agent == first.agent and again.why == "continuity"
    assert same_case.agent == second.agent
    assert senior.agent and senior.agent.name == "Val Ortiz"
    with sessions() as session:
        assert open_load(session) == {ids["Sam Patel"]: 2, ids["Ros Kaur"]: 1, ids["Val Ortiz"]: 1}


def test_an_owner_away_long_hands_over_and_the_customer_is_told(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        roster(session)
        owned = assign_owner(session, "C1", "ticket:T1", team="care", today=TODAY, now=NOW)
        assert owned.agent is not None
        set_away(session, owned.agent.email, date(2026, 3, 12))  # 3 days: stays
        assert move_cases_from_away(session, today=TODAY, now=NOW) == []
        fallback = assign_owner(session, "C1", "ticket:T2", team="care", today=TODAY, now=NOW)
        set_away(session, owned.agent.email, date(2026, 3, 20))  # 11 days: moves
        moved = move_cases_from_away(session, today=TODAY, now=NOW)
    assert fallback.agent and fallback.agent.name == "Ros Kaur"  # Sam is away today
    assert [(m.subject, m.choice.tell_customer) for m in moved] == [("ticket:T1", True)]
    assert moved[0].choice.agent and moved[0].choice.agent.name == "Ros Kaur"
    assert moved[0].choice.previous and moved[0].choice.previous.name == "Sam Patel"
    with sessions.begin() as session:
        assert release_case(session, "ticket:T1", NOW)
        assert not release_case(session, "ticket:T1", NOW)
        assert list(open_load(session).values()) == [1]  # T2, with Ros


@pytest.fixture
def data_dir(tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOODWILL_STORE_URL", store_url)
    upgrade(store_url)
    return tmp_path / "data"


def test_agents_add_list_away_back(data_dir: Path, sessions: sessionmaker[Session]) -> None:
    d = ["--data", str(data_dir)]
    added = runner.invoke(
        agents_app, ["add", "Sam Patel", "sam@example.com", "--phone", "0161 555 0100", *d]
    )
    assert added.exit_code == 0, said(added)
    assert "Added Sam Patel <sam@example.com> to the care team." in said(added)
    twice = runner.invoke(agents_app, ["add", "Sam P", "sam@example.com", *d])
    assert twice.exit_code == 1 and "already on the roster" in said(twice)
    away = runner.invoke(agents_app, ["away", "sam@example.com", "--until", "2099-01-31", *d])
    assert "Sam Patel is away until 2099-01-31." in said(away)
    listed = runner.invoke(agents_app, ["list", *d])
    assert "care Sam Patel sam@example.com 0161 555 0100 away until 2099-01-31" in said(listed)
    back = runner.invoke(agents_app, ["away", "sam@example.com", "--back", *d])
    assert back.exit_code == 0 and "back at work" in said(back)
    with sessions() as session:
        assert [a.away_until for a in list_agents(session)] == [None]


def test_agents_away_refuses_bad_input(data_dir: Path) -> None:
    d = ["--data", str(data_dir)]
    nobody = runner.invoke(agents_app, ["away", "who@example.com", "--back", *d])
    assert nobody.exit_code == 1 and "no agent with email who@example.com" in said(nobody)
    both = runner.invoke(agents_app, ["away", "x@example.com", *d])
    assert both.exit_code == 1 and "--until YYYY-MM-DD or --back" in said(both)
    bad = runner.invoke(agents_app, ["away", "x@example.com", "--until", "soon", *d])
    assert bad.exit_code == 1 and "is not a day" in said(bad)

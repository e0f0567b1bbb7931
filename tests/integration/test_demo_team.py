"""The demo's care team gets desk logins, also on a roster an older demo made without them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from goodwill.cli.demo_story import LOCKED, seed_roster
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, store_url_for, upgrade
from goodwill.store.agents import add_agent
from goodwill.store.models import Agent, StaffUser
from goodwill.web.security import verify_password


def _team(settings: Settings) -> list[tuple[str, str, str | None, int | None]]:
    engine = make_engine(store_url_for(settings))
    query = select(Agent.email, Agent.team, StaffUser.role, StaffUser.monthly_allowance_minor)
    with session_factory(engine)() as session:
        rows = session.execute(query.outerjoin(StaffUser).order_by(Agent.email)).all()
    engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_roster_from_an_older_demo_gains_its_desk_logins(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    engine = make_engine(store_url_for(settings))
    upgrade(engine)
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:  # as an older goodwill demo left it
        for name, email, team in (
            ("Aisha Khan", "aisha.khan@care.example", "care"),
            ("Marek Nowak", "marek.nowak@care.example", "senior"),
        ):
            add_agent(session, name=name, email=email, team=team, phone=None, now=now)
    engine.dispose()
    assert seed_roster(settings) == 0  # the roster is kept as it is
    assert _team(settings) == [
        ("aisha.khan@care.example", "care", "agent", 2000),
        ("marek.nowak@care.example", "senior", "lead", 5000),
    ]
    assert seed_roster(settings) == 0 and len(_team(settings)) == 2  # nothing twice


def test_a_seeded_login_takes_no_password_until_the_demo_sets_one() -> None:
    assert not verify_password(LOCKED, "")
    assert not verify_password(LOCKED, LOCKED)

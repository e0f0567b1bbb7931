"""A care run writes each message exactly as rendering it on its own would: the run reads
the templates once and looks owners up in bulk, and neither may change a word."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from goodwill.analytics.engine import open_ledger_for
from goodwill.channels.render import render_message
from goodwill.domain.contact import Owner
from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.services.care_run import run_care
from goodwill.services.inputs import customer_facts
from goodwill.services.links import links_for
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.agents import add_agent
from goodwill.store.models import Action, Agent, CaseOwner, Message, Moment

ASOF = date(2026, 11, 23)
ROSTER = (("Sam Patel", "care"), ("Ros Kaur", "care"), ("Val Ortiz", "senior"))


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("care-messages")
    write_sample(root / "sample", customers=1500, months=8, seed=5, asof=ASOF)
    ingest(root / "sample", Settings(data_dir=root / "data"))
    return root / "data" / "ledger"


def with_roster(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        for name, team in ROSTER:
            email = f"{name.split()[0].lower()}@example.com"
            add_agent(session, name=name, email=email, team=team, phone="0161 555 0100", now=now)
    engine.dispose()


def stored(store_url: str) -> tuple[list[tuple[str, str, str, str | None]], dict[str, Owner]]:
    """(dedupe key, subject, text, HTML) of each email, and each case's owner."""
    engine = make_engine(store_url)
    with session_factory(engine)() as session:
        emails = session.execute(
            select(Moment.dedupe_key, Message.subject, Message.body_text, Message.body_html)
            .join(Action, Message.action_id == Action.id)
            .join(Moment, Action.moment_id == Moment.id)
            .where(Message.channel == "email")
        ).all()
        cases = session.execute(select(CaseOwner.subject, Agent).join(Agent)).all()
    engine.dispose()
    owners = {subject: Owner(a.name, email=a.email, phone=a.phone) for subject, a in cases}
    return [tuple(e) for e in emails], owners  # type: ignore[misc]


def test_every_message_of_a_run_is_the_one_render_message_writes(
    tmp_path: Path, ledger_dir: Path, store_url: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger").symlink_to(ledger_dir.resolve())
    settings = Settings(data_dir=data, store_url=store_url, team_name="The Goodybag team")
    with_roster(store_url)
    report = run_care(settings, ASOF, deliver_now=False)
    moments = {d.moment.dedupe_key: d.moment for d in report.decisions}
    ledger = open_ledger_for(settings)
    _, recipients = customer_facts(ledger, {m.customer_id for m in moments.values()})
    links = links_for(moments.values(), settings)
    emails, owners = stored(store_url)
    for key, subject, text, html in emails:
        moment = moments[key]
        one = render_message(
            moment,
            recipients[moment.customer_id].first_name,
            owners.get(key),
            links[key],
            settings.templates_dir,
            team_name=settings.team_name,
        )
        assert (subject, text, html) == (one.subject, one.text, one.html), key
    kinds = Counter(moments[key].kind for key, *_ in emails)
    assert len(kinds) >= 5 and len(emails) > 100
    assert sum(1 for key, *_ in emails if key in owners) >= 10  # care messages, signed

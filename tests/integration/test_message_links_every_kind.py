"""Every kind of care email that carries a link, from a real care run over the sample
operator, opens the page that does its job: a plan message the switch to the plan it
names (and the switch goes through), a credit message the customer's own account."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.services.care_run import run_care
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, store_url_for
from goodwill.store.models import Action, Message, Moment
from goodwill.web.app import create_app
from tests.integration.web_support import TestClient, csrf_of

PUBLIC = "http://127.0.0.1:8000"
ASOF = date(2026, 11, 23)
PLAN_KINDS = ("better_plan", "annual_best_tariff", "end_of_contract", "loyalty_penalty")
ACCOUNT_KINDS = ("broken_promise",)
LINK = re.compile(re.escape(PUBLIC) + r"(/signin/[\w-]+\?next=\S+)")


@dataclass(frozen=True)
class Sent:
    kind: str
    customer_id: str
    subscription_id: str | None
    body: str


def _contract_ending(source: Path) -> None:
    """One line on a 24-month phone plan whose term ends in three weeks, so the run owes
    an end-of-contract notice (the sample's 400 customers may have none that month)."""
    path = source / "subscriptions.csv"
    with path.open() as table:
        rows = list(csv.DictReader(table))
    line = next(r for r in rows if r["plan_id"].startswith("H-") and not r["ended_at"])
    line["contract_end"] = str(ASOF + timedelta(days=21))
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, list[Sent]]]:
    root = tmp_path_factory.mktemp("every-kind")
    write_sample(root / "source", customers=400, months=12, seed=7, asof=ASOF)
    _contract_ending(root / "source")
    settings = Settings(data_dir=root / "data", public_url=PUBLIC)
    ingest(root / "source", settings)
    run_care(settings, ASOF, deliver_now=False)
    engine = make_engine(store_url_for(settings))
    query = (
        select(Moment.kind, Moment.customer_id, Moment.subscription_id, Message.body_text)
        .join(Action, Message.action_id == Action.id)
        .join(Moment, Action.moment_id == Moment.id)
        .where(Message.channel == "email")
        .order_by(Moment.value_to_customer_minor.desc(), Message.id)
    )
    with session_factory(engine)() as session:
        emails = [Sent(*row) for row in session.execute(query)]
    engine.dispose()
    yield settings, emails


def _follow(client: TestClient, body: str) -> tuple[str, str]:
    """Open the email's link as the customer would: the page it lands on, and its text."""
    found = LINK.search(body)
    assert found, body
    link = found.group(1)
    client.cookies.clear()
    confirm = client.get(link)
    assert confirm.status_code == 200, confirm.text
    landing = parse_qs(urlsplit(link).query)["next"][0]
    done = client.post(link, data={"csrf_token": csrf_of(confirm.text), "next": landing})
    assert done.status_code == 200, done.text
    where = urlsplit(str(done.url))
    return f"{where.path}?{where.query}" if where.query else where.path, done.text


@pytest.mark.parametrize("kind", PLAN_KINDS)
def test_a_plan_message_opens_the_switch_it_offers_and_the_switch_goes_through(
    sent: tuple[Settings, list[Sent]], kind: str
) -> None:
    settings, emails = sent
    email = next((e for e in emails if e.kind == kind), None)
    assert email is not None, f"the run sent no {kind} email"
    assert "mailto:" not in email.body
    with TestClient(create_app(settings), base_url=PUBLIC) as client:
        where, page = _follow(client, email.body)
        assert where.startswith(f"/me/lines/{email.subscription_id}/switch?plan="), where
        assert "Yes, switch me" in page
        plan = parse_qs(urlsplit(where).query)["plan"][0]
        job = page.split('name="job_id" value="', 1)[1].split('"', 1)[0]
        form = {"csrf_token": csrf_of(page), "plan": plan, "job_id": job}
        done = client.post(f"/me/lines/{email.subscription_id}/switch", data=form)
        assert done.status_code == 200 and "All done" in done.text, done.text


@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
def test_a_credit_message_opens_the_customers_own_account(
    sent: tuple[Settings, list[Sent]], kind: str
) -> None:
    settings, emails = sent
    email = next((e for e in emails if e.kind == kind), None)
    assert email is not None, f"the run sent no {kind} email"
    first_name = re.search(r"^Hi (\w+),", email.body, re.MULTILINE)
    assert first_name, email.body
    with TestClient(create_app(settings), base_url=PUBLIC) as client:
        where, page = _follow(client, email.body)
        assert where == "/me"
        assert f"Hi {first_name.group(1)}" in page
        mine = client.get("/api/me").json()
        assert mine["customer_id"] == email.customer_id
        # the email says the credit is on their account: the page shows it, for what
        credit = re.search(r"added a credit of (£[\d,.]+)", email.body)
        assert credit, email.body
        assert (
            f"<strong>{credit.group(1)}</strong> on " in page and "for a promise we broke" in page
        )
        assert credit.group(1) in [c["amount"] for c in mine["credits"]]


def test_every_email_kind_with_a_job_to_do_carries_its_link(
    sent: tuple[Settings, list[Sent]],
) -> None:
    _, emails = sent
    kinds = {e.kind for e in emails}
    assert set(PLAN_KINDS) | set(ACCOUNT_KINDS) <= kinds, kinds
    missing = [
        e.kind for e in emails if e.kind in PLAN_KINDS + ACCOUNT_KINDS and not LINK.search(e.body)
    ]
    assert missing == []

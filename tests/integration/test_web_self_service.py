"""Customer self-service over real HTTP: sign in by link, switch plan, lost SIM, my contact."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from goodwill.store import session_factory
from goodwill.store.models import Action, Job, Message, PlanChangeRequest, Promise, SimBlock
from goodwill.web.outbox import tone_issues
from tests.integration.web_support import (
    Web,
    csrf_of,
    emails_in,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_customer,
)


@pytest.fixture
def web(store_url: str, ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(store_url, ledger_data, tmp_path)


def test_my_plan_shows_plan_advice_and_owner(web: Web) -> None:
    sign_in_customer(web)
    page = web.client.get("/me")
    assert page.status_code == 200
    assert "Hi Ann" in page.text
    assert "Goodybag 10" in page.text and "You could save £2.50 a month" in page.text
    assert "Switch to Goodybag 7.50" in page.text
    assert "Priya Shah" in page.text
    contact = web.client.get("/me/contact")
    assert "0161 496 0000" in contact.text and "priya@care.example" in contact.text
    data = web.client.get("/api/me").json()
    assert [line["subscription_id"] for line in data["lines"]] == ["S1", "S2"]
    assert data["lines"][0]["advice"]["monthly_saving_minor"] == 250
    assert data["owners"][0]["name"] == "Priya Shah"


def test_switch_plan_records_request_and_tells_billing(web: Web) -> None:
    sign_in_customer(web)
    confirm = web.client.get("/me/lines/S1/switch", params={"plan": "P-750"})
    assert "Switch to Goodybag 7.50?" in confirm.text and "£2.50 a month less" in confirm.text
    form = {"csrf_token": csrf_of(confirm.text), "plan": "P-750", "job_id": _job_id(confirm.text)}
    done = web.client.post("/me/lines/S1/switch", data=form)
    assert "All done, Ann" in done.text
    with session_factory(web.engine)() as session:
        request = session.scalars(select(PlanChangeRequest)).one()
        assert (request.subscription_id, request.from_plan_id, request.to_plan_id) == (
            "S1",
            "P-1000",
            "P-750",
        )
        jobs = session.scalars(select(Job)).all()
        assert len(jobs) == 1 and jobs[0].status == "done"
        assert [s["step"] for s in jobs[0].steps] == [
            "started",
            "offer_shown",
            "confirmed",
            "requested",
        ]
        hook = session.scalars(select(Message).where(Message.channel == "webhook")).one()
        assert json.loads(hook.body_text)["to_plan_id"] == "P-750"
    mails = [m for m in emails_in(web.outbox) if "moving to Goodybag 7.50" in m[1]]
    assert mails and "save you about £2.50 a month" in mails[0][2]
    assert tone_issues(mails[0][1], mails[0][2]) == []


def test_the_same_switch_sent_again_records_nothing_twice(web: Web) -> None:
    """A form sent twice (a double click, a retry after a 503) is one request, one
    billing message and one email, and both answers show the same job."""
    sign_in_customer(web)
    confirm = web.client.get("/me/lines/S1/switch", params={"plan": "P-750"})
    form = {"csrf_token": csrf_of(confirm.text), "plan": "P-750", "job_id": _job_id(confirm.text)}
    first = web.client.post("/me/lines/S1/switch", data=form, follow_redirects=False)
    with session_factory(web.engine)() as session:
        messages = len(session.scalars(select(Message)).all())
        actions = len(session.scalars(select(Action)).all())
    again = web.client.post("/me/lines/S1/switch", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    with session_factory(web.engine)() as session:
        assert len(session.scalars(select(PlanChangeRequest)).all()) == 1
        assert len(session.scalars(select(Message)).all()) == messages
        assert len(session.scalars(select(Action)).all()) == actions


def test_a_block_sent_again_through_the_api_answers_with_the_same_block(web: Web) -> None:
    """A client that sends the block again (a retry after a 503 whose commit had already
    reached the store, or a timeout) gets the first block back, and nothing twice."""
    sign_in_customer(web)
    api = {"X-CSRF-Token": web.client.get("/api/session").json()["csrf_token"]}
    first = web.client.post("/api/me/lines/S2/block", headers=api)
    again = web.client.post("/api/me/lines/S2/block", headers=api)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    with session_factory(web.engine)() as session:
        assert len(session.scalars(select(SimBlock)).all()) == 1
        assert session.scalars(select(Action.kind)).all().count("sim_block") == 1
        hooks = session.scalars(select(Message).where(Message.channel == "webhook")).all()
        assert [m.subject for m in hooks] == ["sim_block"]
    assert web.client.post("/api/me/lines/S9/block", headers=api).status_code == 404


def test_block_this_sim_asks_first_then_blocks_and_sends_the_replacement_at_once(
    web: Web,
) -> None:
    """Click 1 only asks (nothing is blocked by a stray click); click 2 does both."""
    sign_in_customer(web)
    ask = web.client.get("/me/lines/S2/block")
    assert ask.status_code == 200 and "Block the SIM for Kit Lee&#39;s line (S2)?" in ask.text
    with session_factory(web.engine)() as session:
        assert session.scalars(select(SimBlock)).all() == []
    done = web.client.post(
        "/me/lines/S2/block", data={"csrf_token": csrf_of(ask.text), "replacement": "yes"}
    )
    assert "Sorted, Ann" in done.text and "arrives by" in done.text
    with session_factory(web.engine)() as session:
        assert session.scalars(select(SimBlock)).one().subscription_id == "S2"
        assert session.scalars(select(Promise)).one().kind == "sim_delivery"
    assert web.client.get("/me/lines/S9/block").status_code == 404


def test_lost_sim_blocks_then_orders_replacement_in_two_clicks(web: Web) -> None:
    sign_in_customer(web)
    plan = web.client.get("/me")
    blocked = web.client.post("/me/lines/S2/block", data={"csrf_token": csrf_of(plan.text)})
    assert "your SIM is blocked" in blocked.text
    with session_factory(web.engine)() as session:
        assert session.scalars(select(SimBlock)).one().subscription_id == "S2"
        assert session.scalars(select(Action.kind)).all().count("sim_block") == 1
    done = web.client.post(
        str(blocked.url) + "/replacement", data={"csrf_token": csrf_of(blocked.text)}
    )
    assert "Sorted, Ann" in done.text and "arrives by" in done.text
    with session_factory(web.engine)() as session:
        promise = session.scalars(select(Promise)).one()
        assert promise.kind == "sim_delivery" and promise.kept_at is None
        assert promise.due_at.date().weekday() < 5 and promise.due_at > promise.made_at
        assert session.scalars(select(Job)).one().status == "done"
        events = sorted(
            m.subject for m in session.scalars(select(Message).where(Message.channel == "webhook"))
        )
        assert events == ["sim_block", "sim_replacement"]
    mails = [m for m in emails_in(web.outbox) if m[1] == "Your new SIM is on its way"]
    assert mails and "Kit Lee's line" in mails[0][2]
    # The billing system's messages never sit among the customers' emails.
    assert [to for to, _, _ in emails_in(web.outbox) if "billing" in to] == []
    assert tone_issues(mails[0][1], mails[0][2]) == []


def test_signin_link_works_once_and_expires(web: Web) -> None:
    from datetime import timedelta

    page = web.client.get("/signin")
    web.client.post("/signin", data={"email": "ANN@example.com", "csrf_token": csrf_of(page.text)})
    link = (
        next(m for m in emails_in(web.outbox) if "sign in" in m[1])[2]
        .split("8000", 1)[1]
        .split()[0]
    )
    confirm = web.client.get(link)
    assert (
        web.client.post(
            link, data={"csrf_token": csrf_of(confirm.text)}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "expired or was already used" in web.client.get(link).text
    again = web.client.post(link, data={"csrf_token": csrf_of(web.client.get("/me").text)})
    assert again.status_code == 400 and "expired or was already used" in again.text
    web.client.post("/signout", data={"csrf_token": csrf_of(web.client.get("/me").text)})
    page = web.client.get("/signin")
    web.client.post("/signin", data={"email": "bob@example.com", "csrf_token": csrf_of(page.text)})
    late = [
        m for m in emails_in(web.outbox) if m[0].endswith("bob@example.com>") or "bob@" in m[0]
    ][-1][2]
    link = late.split("8000", 1)[1].split()[0]
    later = web.state.clock() + timedelta(minutes=web.state.config.login_link_minutes + 1)
    web.state.clock = lambda: later
    assert "expired or was already used" in web.client.get(link).text
    assert web.client.get("/me", follow_redirects=False).headers["location"] == "/signin"


def test_unknown_email_gets_the_same_answer_and_no_message(web: Web) -> None:
    page = web.client.get("/signin")
    answer = web.client.post(
        "/signin", data={"email": "nobody@example.com", "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 200 and "If that address is one we know" in answer.text
    assert emails_in(web.outbox) == []


def _job_id(html: str) -> str:
    return html.split('name="job_id" value="', 1)[1].split('"', 1)[0]

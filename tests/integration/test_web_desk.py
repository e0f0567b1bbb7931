"""The care desk over real HTTP: staff sign-in, customer 360, gestures and approvals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from goodwill.store import session_factory
from goodwill.store.models import Action, BudgetSpend, Gesture, Message
from goodwill.web.outbox import tone_issues
from tests.integration.web_support import (
    AGENT_PASSWORD,
    LEAD_PASSWORD,
    Web,
    csrf_of,
    emails_in,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_staff,
)


@pytest.fixture
def web(store_url: str, ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(store_url, ledger_data, tmp_path)


def _give(
    web: Web, amount: str, reason: str = "Sorry you waited so long for us on the phone."
) -> str:
    page = web.client.get("/desk/customers/C1")
    answer = web.client.post(
        "/desk/customers/C1/gestures",
        data={"amount": amount, "reason": reason, "csrf_token": csrf_of(page.text)},
    )
    return answer.text


def test_agent_sees_customer_360_and_gives_within_allowance(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    page = web.client.get("/desk/customers/C1")
    assert page.status_code == 200
    for part in (
        "Ann Lee",
        "Kit Lee",
        "Goodybag 10",
        "Goodybag 7.50",
        "Priya Shah",
        "Right a wrong",
    ):
        assert part in page.text
    assert "The credit is on their account" in _give(web, "7.50")
    with session_factory(web.engine)() as session:
        credit = session.scalars(select(Action).where(Action.kind == "credit")).one()
        assert credit.amount_minor == 750
        assert session.scalars(select(BudgetSpend.amount_minor)).all() == [750]
    mails = [m for m in emails_in(web.outbox) if "from Priya Shah" in m[1]]
    assert mails and "£7.50" in mails[0][2] and "Priya Shah" in mails[0][2]
    assert tone_issues(mails[0][1], mails[0][2]) == []


def test_above_allowance_waits_for_a_lead_who_approves(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    assert "gone to a lead" in _give(web, "25.00")
    assert web.client.get("/desk/approvals").status_code == 403  # an agent is not a lead
    web.client.post("/desk/logout", data={"csrf_token": csrf_of(web.client.get("/desk").text)})
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    queue = web.client.get("/desk/approvals")
    assert "£25" in queue.text and "Sorry you waited" in queue.text
    with session_factory(web.engine)() as session:
        gesture_id = session.scalar(select(Gesture.id))
    web.client.post(
        f"/desk/gestures/{gesture_id}",
        data={"decision": "approve", "csrf_token": csrf_of(queue.text)},
    )
    with session_factory(web.engine)() as session:
        gesture = session.scalars(select(Gesture)).one()
        assert gesture.status == "given" and gesture.decided_by is not None
        assert session.scalars(select(Message).where(Message.customer_id == "C1")).all()
    assert "Nothing waiting" in web.client.get("/desk/approvals").text


def test_bad_gesture_input_is_explained_and_records_nothing(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    assert "isn&#39;t an amount of money" in _give(web, "lots")
    assert "between £0.01 and £1,000" in _give(web, "-3")
    assert "say in a sentence why" in _give(web, "3.00", reason="  ")
    with session_factory(web.engine)() as session:
        assert session.scalars(select(Gesture)).all() == []
        assert session.scalars(select(Action)).all() == []


def test_wrong_password_is_refused_and_the_desk_stays_shut(web: Web) -> None:
    page = web.client.get("/desk/login")
    answer = web.client.post(
        "/desk/login",
        data={
            "email": "lee@care.example",
            "password": "wrong password!",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert answer.status_code == 400 and "don&#39;t match" in answer.text
    assert web.client.get("/desk", follow_redirects=False).headers["location"] == "/desk/login"


def test_desk_pages_render(web: Web) -> None:
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    assert "How we're doing" in web.client.get("/desk").text
    assert "Nothing here yet" in web.client.get("/desk/moments", params={"status": "acted"}).text
    assert "Ann Lee" in web.client.get("/desk/customers", params={"q": "ann"}).text
    team = web.client.get("/desk/agents")
    assert "Priya Shah" in team.text and "£20" in team.text
    web.client.post(
        "/desk/staff/1/allowance", data={"amount": "30", "csrf_token": csrf_of(team.text)}
    )
    assert "£30" in web.client.get("/desk/agents").text


def _history_source(folder: Path, now: datetime) -> Path:
    """The web ledger, and for Ann a ticket answered, waited on, resolved, reopened and
    resolved again, a repair kept on time and a call back we never made: every date
    counted back from ``now``."""
    from tests.integration.web_support import web_source

    source = web_source(folder, now.date())
    at = lambda days, hours=0: (now - timedelta(days=days, hours=hours)).isoformat()  # noqa: E731
    tables = {
        "tickets": "ticket_id,customer_id,channel,opened_at,first_response_at,resolved_at,"
        "category,is_complaint,owner\n"
        f"T-7,C1,phone,{at(10)},{at(9, 22)},{at(9)},lost_sim,true,\n",
        # answered, waited on Ann, she replied, resolved, reopened, resolved for good
        "ticket_events": "ticket_id,at,event\n"
        f"T-7,{at(9, 22)},agent_reply\nT-7,{at(9, 21)},awaiting_customer\n"
        f"T-7,{at(9, 12)},customer_reply\nT-7,{at(9, 11)},resolved\n"
        f"T-7,{at(9, 6)},reopened\nT-7,{at(9)},resolved\n",
        "promises": "promise_id,customer_id,kind,made_at,due_at,kept_at,cancelled_at\n"
        f"PR-1,C1,repair,{at(20)},{at(15)},{at(16)},\n"
        f"PR-2,C1,callback,{at(6)},{at(5)},,\n",
    }
    for name, text in tables.items():
        (source / f"{name}.csv").write_text(text)
    return source


@pytest.fixture
def web_with_history(store_url: str, tmp_path: Path) -> Iterator[Web]:
    from goodwill.ledger.ingest import ingest
    from goodwill.settings import Settings

    ledger = tmp_path / "history"
    ingest(_history_source(tmp_path / "source", datetime.now(UTC)), Settings(data_dir=ledger))
    yield from make_web(store_url, ledger, tmp_path)


def _switch_and_block(web: Web) -> None:
    """Ann switches S1 to Goodybag 7.50 and blocks Kit's lost SIM, with its replacement."""
    from tests.integration.web_support import sign_in_customer

    sign_in_customer(web)
    confirm = web.client.get("/me/lines/S1/switch", params={"plan": "P-750"}).text
    job_id = confirm.split('name="job_id" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": csrf_of(confirm), "plan": "P-750", "job_id": job_id}
    assert "All done, Ann" in web.client.post("/me/lines/S1/switch", data=form).text
    ask = web.client.get("/me/lines/S2/block").text
    done = web.client.post(
        "/me/lines/S2/block", data={"csrf_token": csrf_of(ask), "replacement": "yes"}
    )
    assert "Sorted, Ann" in done.text
    web.client.post("/signout", data={"csrf_token": csrf_of(web.client.get("/me").text)})


def _in_order(text: str, *parts: str) -> None:
    """Each part is in ``text``, each after the one before (a part twice: two places)."""
    at = -1
    for part in parts:
        found = text.find(part, at + 1)
        assert found > at, (part, "not after", text[max(at, 0) : at + 80])
        at = found


def test_the_360_tells_their_history_in_plain_words_newest_first(web_with_history: Web) -> None:
    from goodwill.web.views.words import month_words
    from tests.integration.web_support import recent_periods, without_tokens

    web = web_with_history
    _switch_and_block(web)
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    _give(web, "7.50")
    page = without_tokens(web.client.get("/desk/customers/C1").text)
    last = recent_periods(datetime.now(UTC).date(), 6)[-1]
    history = page[page.index("Their history, newest first") :]
    for today in (
        "credit from Priya Shah: given",
        "Asked to move S1 from Goodybag 10 to Goodybag 7.50",  # the plan switch
        "Switched plan: done",
        "Lost SIM: done",  # the SIM block and its replacement
        "We promised to deliver your new SIM",
        "Your new SIM is on its way",  # the message they read
    ):
        _in_order(history, today, "Broken: ")
    _in_order(
        history,
        "Broken: to call you back was due",  # the call back we never made, 5 days ago
        "We promised to call you back",
        "Ticket T-7: resolved",
        "Ticket T-7: reopened: it was not fixed after all",
        "Ticket T-7: resolved",
        "Ticket T-7: they answered us",
        "Ticket T-7: we asked them something and waited for their answer",
        "Ticket T-7: first answer after 2 h",
        "Ticket T-7: got in touch by phone about lost sim (a complaint)",
        "Kept on time: ",  # the repair, 16 days ago
        f"Bill for {month_words(last)}: £17.50",
    )
    assert "A little something from Priya Shah" in history and "What they read" in history
    assert "I&#39;ve added a credit of £7.50" in history  # the message as Ann read it
    # No internals: no period codes, no kind codes, no Python dicts, no staff footer.
    assert f">{last}<" not in page and "voice_min" not in page and "{&#39;" not in page
    assert "Kit Lee&#39;s line (S2)" in page and "Calls" in page and "Data" in page
    assert "Just reply to any email from us" not in page

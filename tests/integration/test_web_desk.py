"""The care desk over real HTTP: staff sign-in, customer 360, gestures and approvals."""

from __future__ import annotations

from collections.abc import Iterator
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


def test_the_360_tells_their_history_in_plain_words_newest_first(web: Web) -> None:
    from datetime import UTC, datetime

    from goodwill.web.views.words import month_words
    from tests.integration.web_support import recent_periods, without_tokens

    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    _give(web, "7.50")
    page = without_tokens(web.client.get("/desk/customers/C1").text)
    last = recent_periods(datetime.now(UTC).date(), 6)[-1]
    history = page[page.index("Their history, newest first") :]
    assert history.index("credit from Priya Shah: given") < history.index(
        f"Bill for {month_words(last)}: £17.50"
    )
    assert "A little something from Priya Shah" in history and "What they read" in history
    assert "I&#39;ve added a credit of £7.50" in history  # the message as Ann read it
    # No internals: no period codes, no kind codes, no Python dicts, no staff footer.
    assert f">{last}<" not in page and "voice_min" not in page and "{&#39;" not in page
    assert "Kit Lee&#39;s line (S2)" in page and "Calls" in page and "Data" in page
    assert "Just reply to any email from us" not in page

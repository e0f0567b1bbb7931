"""Bad input to every form: the same page again, with the problem next to its field, what
was typed kept (never a password), a 4xx status, and nothing written to the store."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from goodwill.domain.periods import period_of
from goodwill.store import session_factory, set_budget
from goodwill.store.models import Base, Gesture, StaffUser
from tests.integration.web_support import (
    AGENT_PASSWORD,
    LEAD_PASSWORD,
    Web,
    csrf_of,
    emails_in,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_customer,
    sign_in_staff,
)


@pytest.fixture
def web(store_url: str, ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(store_url, ledger_data, tmp_path)


def rows_in_store(web: Web) -> dict[str, int]:
    """Rows in every table but the sign-in limiter's (which counts attempts on purpose)."""
    with session_factory(web.engine)() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in Base.metadata.tables.items()
            if name != "login_attempts"
        }


def shows_field_error(page: str, field: str, words: str) -> None:
    """The page has a summary and, next to ``field``, a message with ``words`` tied to it."""
    text = html.unescape(page)
    assert "Nearly there" in text, "no error summary at the top"
    assert f'href="#{field}"' in page, "the summary does not link to the field"
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', text)
    assert found and words in found.group(1), (field, found and found.group(1))
    assert f'aria-describedby="{field}-error"' in page


def test_staff_login(web: Web) -> None:
    before = rows_in_store(web)
    token = csrf_of(web.client.get("/desk/login").text)
    empty = web.client.post("/desk/login", data={"csrf_token": token})
    assert empty.status_code == 400
    shows_field_error(empty.text, "email", "Please type your work email")
    shows_field_error(empty.text, "password", "Please type your password")
    assert empty.text.count('aria-invalid="true"') == 2
    wrong = web.client.post(
        "/desk/login",
        data={"email": "lee@care.example", "password": "my secret guess", "csrf_token": token},
    )
    assert wrong.status_code == 400
    shows_field_error(wrong.text, "password", "don't match")
    assert 'value="lee@care.example"' in wrong.text and "my secret guess" not in wrong.text
    assert rows_in_store(web) == before


def test_customer_sign_in_request(web: Web) -> None:
    before = rows_in_store(web)
    token = csrf_of(web.client.get("/signin").text)
    answer = web.client.post("/signin", data={"email": "ann at example", "csrf_token": token})
    assert answer.status_code == 400
    shows_field_error(answer.text, "email", "Please type the email address you gave us")
    assert 'value="ann at example"' in answer.text
    assert rows_in_store(web) == before and emails_in(web.outbox) == []


def test_gesture_form_on_the_360_page(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    before = rows_in_store(web)
    token = csrf_of(web.client.get("/desk/customers/C1").text)
    both = web.client.post(
        "/desk/customers/C1/gestures", data={"amount": "lots", "reason": " ", "csrf_token": token}
    )
    assert both.status_code == 400 and "Ann Lee" in both.text  # the same 360 page
    shows_field_error(both.text, "amount", "isn't an amount of money")
    shows_field_error(both.text, "reason", "say in a sentence why")
    assert 'value="lots"' in both.text
    reason = "Sorry we kept you waiting."
    negative = web.client.post(
        "/desk/customers/C1/gestures", data={"amount": "-3", "reason": reason, "csrf_token": token}
    )
    assert negative.status_code == 400
    shows_field_error(negative.text, "amount", "between £0.01 and £1,000")
    assert f">{reason}</textarea>" in negative.text and 'value="-3"' in negative.text
    assert rows_in_store(web) == before


def test_gesture_over_the_budget_leaves_nothing_half_done(web: Web) -> None:
    with session_factory(web.engine).begin() as session:
        period = period_of(datetime.now(UTC).date())
        set_budget(session, "goodwill_gesture", period, 100, "GBP")
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    before = rows_in_store(web)
    token = csrf_of(web.client.get("/desk/customers/C1").text)
    answer = web.client.post(
        "/desk/customers/C1/gestures",
        data={"amount": "5.00", "reason": "Sorry about the bill.", "csrf_token": token},
    )
    assert answer.status_code == 400
    shows_field_error(answer.text, "amount", "budget has only £1 left")
    assert rows_in_store(web) == before  # no gesture, no action, no spend, no message


def test_allowance_form_on_the_roster(web: Web) -> None:
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    before = rows_in_store(web)
    token = csrf_of(web.client.get("/desk/agents").text)
    for typed, words in (("-5", "between £0 and £1,000,000"), ("lots", "isn't an amount")):
        answer = web.client.post(
            "/desk/staff/1/allowance", data={"amount": typed, "csrf_token": token}
        )
        assert answer.status_code == 400 and "The team" in answer.text
        shows_field_error(answer.text, "a1", words)
        assert f'value="{typed}"' in answer.text
    with session_factory(web.engine)() as session:
        assert session.get_one(StaffUser, 1).monthly_allowance_minor == 2000
    assert rows_in_store(web) == before


def test_approvals(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    token = csrf_of(web.client.get("/desk/customers/C1").text)
    web.client.post(
        "/desk/customers/C1/gestures",
        data={"amount": "25", "reason": "Sorry about the bill.", "csrf_token": token},
    )
    web.client.post("/desk/logout", data={"csrf_token": token})
    with session_factory(web.engine).begin() as session:
        set_budget(session, "goodwill_gesture", period_of(datetime.now(UTC).date()), 100, "GBP")
        gesture_id = session.scalar(select(Gesture.id))
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    before = rows_in_store(web)
    token = csrf_of(web.client.get("/desk/approvals").text)
    maybe = web.client.post(
        f"/desk/gestures/{gesture_id}", data={"decision": "maybe", "csrf_token": token}
    )
    assert maybe.status_code == 400
    shows_field_error(maybe.text, f"g{gesture_id}", "Please choose Approve and give, or Hold")
    over = web.client.post(
        f"/desk/gestures/{gesture_id}", data={"decision": "approve", "csrf_token": token}
    )
    assert over.status_code == 400 and "Gestures waiting for you" in over.text
    shows_field_error(over.text, f"g{gesture_id}", "budget has only £1 left")
    with session_factory(web.engine)() as session:
        assert session.get_one(Gesture, gesture_id).status == "awaiting_lead"
    assert rows_in_store(web) == before


def test_plan_switch_and_lost_sim_confirmations(web: Web) -> None:
    sign_in_customer(web)
    before = rows_in_store(web)
    token = csrf_of(web.client.get("/me").text)
    unknown = web.client.get("/me/lines/S1/switch", params={"plan": "P-NOPE"})
    assert unknown.status_code == 400 and "Hi Ann" in unknown.text
    shows_field_error(unknown.text, "line-S1", "isn't one you can move to")
    same = web.client.post("/me/lines/S1/switch", data={"plan": "P-1000", "csrf_token": token})
    assert same.status_code == 400
    shows_field_error(same.text, "line-S1", "already on Goodybag 10")
    assert rows_in_store(web) == before
    web.client.post("/me/lines/S2/block", data={"csrf_token": token})
    blocked = rows_in_store(web)
    again = web.client.post("/me/lines/S2/block", data={"csrf_token": token})
    assert again.status_code == 400
    shows_field_error(again.text, "line-S2", "already blocked")
    assert rows_in_store(web) == blocked


def test_desk_filters_and_search(web: Web) -> None:
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    bad = web.client.get("/desk/moments", params={"kind": "better_plan", "status": "bogus"})
    assert bad.status_code == 400
    shows_field_error(bad.text, "status", "Please choose a decision from the list")
    assert 'value="better_plan"' in bad.text
    long = web.client.get("/desk/customers", params={"q": "x" * 101})
    assert long.status_code == 400
    shows_field_error(long.text, "q", "up to 100 characters")


def test_the_api_still_answers_bad_input_in_json(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    token = web.client.get("/api/session").json()["csrf_token"]
    before = rows_in_store(web)
    answer = web.client.post(
        "/api/desk/customers/C1/gestures",
        json={"amount_minor": 0, "reason": " "},
        headers={"X-CSRF-Token": token},
    )
    assert answer.status_code == 400
    assert "between £0.01 and £1,000" in answer.json()["detail"]
    assert rows_in_store(web) == before

"""The desk's queue: what needs a person, its clock, filters, and assigning a case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from goodwill.store import session_factory
from goodwill.store.agents import add_agent
from goodwill.store.models import CaseOwner
from tests.integration.web_support import (
    AGENT_PASSWORD,
    LEAD_PASSWORD,
    Web,
    csrf_of,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_staff,
    without_tokens,
)


@pytest.fixture
def web(ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path)


def test_the_queue_lists_cases_with_name_clock_and_owner_and_a_case_can_be_handed_on(
    web: Web,
) -> None:
    with session_factory(web.engine).begin() as session:
        add_agent(
            session,
            name="Sam Okafor",
            email="sam@care.example",
            team="care",
            phone=None,
            now=datetime.now(UTC),
        )
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    page = without_tokens(web.client.get("/desk/queue").text)
    assert "Ann Lee" in page and "Their enquiry T-1" in page and "Priya Shah" in page
    assert "hours left" in page and 'aria-current="page"' in page
    api = web.client.get("/api/desk/queue").json()
    assert api["counts"] == {"all": 1, "mine": 1, "overdue": 0, "approvals": 0}
    assert web.client.get("/api/desk/queue?show=overdue").json()["items"] == []
    item = api["items"][0]
    sam = next(a["id"] for a in api["agents"] if a["name"] == "Sam Okafor")
    done = web.client.post(
        f"/desk/queue/cases/{item['case_id']}/assign",
        data={"csrf_token": csrf_of(web.client.get("/desk/queue").text), "agent": str(sam)},
    )
    assert "the case has its new owner" in done.text and "Sam Okafor" in done.text
    assert web.client.get("/api/desk/queue?show=mine").json()["items"] == []
    with session_factory(web.engine)() as session:
        rows = session.scalars(select(CaseOwner).order_by(CaseOwner.id)).all()
        assert [r.released_at is None for r in rows] == [False, True]
    # And back to me, in one click.
    again = web.client.get("/desk/queue").text
    case_id = web.client.get("/api/desk/queue").json()["items"][0]["case_id"]
    web.client.post(
        f"/desk/queue/cases/{case_id}/assign", data={"csrf_token": csrf_of(again), "agent": "me"}
    )
    assert web.client.get("/api/desk/queue").json()["counts"]["mine"] == 1


def test_a_credit_above_allowance_waits_in_the_queue_for_a_lead(web: Web) -> None:
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    page = web.client.get("/desk/customers/C1")
    web.client.post(
        "/desk/customers/C1/gestures",
        data={"amount": "40", "reason": "Sorry we got it wrong.", "csrf_token": csrf_of(page.text)},
    )
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    queue = web.client.get("/api/desk/queue?show=approvals").json()
    assert [i["what"] for i in queue["items"]] == [
        "£40 credit from Priya Shah, above their allowance"
    ]
    assert queue["items"][0]["clock"].endswith("left")
    assert web.client.get("/desk/queue?show=nonsense").status_code == 400


def test_the_team_page_shows_workload_and_where_an_away_agents_cases_went(web: Web) -> None:
    from datetime import timedelta

    from goodwill.store.agents import move_cases_from_away, set_away

    now = datetime.now(UTC)
    with session_factory(web.engine).begin() as session:
        add_agent(
            session, name="Sam Okafor", email="sam@care.example", team="care", phone=None, now=now
        )
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    team = web.client.get("/api/desk/roster").json()
    assert {r["name"]: r["open_cases"] for r in team if r["team"]} == {
        "Priya Shah": 1,
        "Sam Okafor": 0,
    }
    with session_factory(web.engine).begin() as session:
        set_away(session, "priya@care.example", (now + timedelta(days=10)).date())
        assert len(move_cases_from_away(session, today=now.date(), now=now)) == 1
    page = web.client.get("/desk/agents").text
    assert "their cases went to Sam Okafor" in page
    team = {r["name"]: r for r in web.client.get("/api/desk/roster").json()}
    assert team["Sam Okafor"]["open_cases"] == 1 and team["Priya Shah"]["open_cases"] == 0
    assert team["Priya Shah"]["monthly_allowance_minor"] == 2000


def _open_case(web: Web, subject: str, assigned_at: datetime, customer_id: str = "C1") -> int:
    """An open case of ``customer_id`` owned by Priya, reaching the desk at ``assigned_at``."""
    from goodwill.store.models import Agent

    with session_factory(web.engine).begin() as session:
        priya = session.scalar(select(Agent.id).where(Agent.email == "priya@care.example"))
        case = CaseOwner(
            customer_id=customer_id,
            subject=subject,
            agent_id=priya,
            reason="test",
            assigned_at=assigned_at,
        )
        session.add(case)
        session.flush()
        return case.id


def test_the_owner_closes_a_case_with_done_and_it_leaves_the_queue(web: Web) -> None:
    now = datetime.now(UTC)
    with session_factory(web.engine).begin() as session:
        add_agent(
            session, name="Sam Okafor", email="sam@care.example", team="care", phone=None, now=now
        )
        from goodwill.store.staff import add_staff_user
        from goodwill.web.security import hash_password

        add_staff_user(
            session,
            email="sam@care.example",
            name="Sam Okafor",
            password_hash=hash_password(AGENT_PASSWORD),
            role="agent",
            now=now,
        )
    sign_in_staff(web, "sam@care.example", AGENT_PASSWORD)
    case_id = web.client.get("/api/desk/queue").json()["items"][0]["case_id"]
    page = web.client.get("/desk/queue").text
    assert "Done" not in page  # Priya's case: not Sam's to close
    refused = web.client.post(
        f"/desk/queue/cases/{case_id}/close", data={"csrf_token": csrf_of(page)}
    )
    assert refused.status_code == 403 and "owner or a lead" in refused.text
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    page = web.client.get("/desk/queue").text
    assert "close Ann Lee&#39;s case" in page or "close Ann Lee's case" in page
    done = web.client.post(f"/desk/queue/cases/{case_id}/close", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 200 and "Closed: the case has left the queue" in done.text
    assert web.client.get("/api/desk/queue").json()["counts"] == {
        "all": 0,
        "mine": 0,
        "overdue": 0,
        "approvals": 0,
    }
    with session_factory(web.engine)() as session:
        assert session.get(CaseOwner, case_id).released_at is not None  # type: ignore[union-attr]
    again = web.client.post(
        f"/desk/queue/cases/{case_id}/close", data={"csrf_token": csrf_of(page)}
    )
    assert again.status_code == 404


def test_a_lead_closes_a_colleagues_case_through_the_api(web: Web) -> None:
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    case_id = web.client.get("/api/desk/queue").json()["items"][0]["case_id"]
    token = web.client.get("/api/session").json()["csrf_token"]
    unsigned = web.client.post(f"/api/desk/queue/cases/{case_id}/close")
    assert unsigned.status_code == 403
    closed = web.client.post(
        f"/api/desk/queue/cases/{case_id}/close", headers={"X-CSRF-Token": token}
    )
    assert closed.status_code == 200 and closed.json()["customer_id"] == "C1"
    assert web.client.get("/api/desk/queue").json()["items"] == []


def test_a_case_past_its_target_shows_overdue_first(web: Web) -> None:
    now = datetime.now(UTC)
    _open_case(web, "slow_first_response:T-2:2026-11-01", now - timedelta(hours=30), "C2")
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    queue = web.client.get("/api/desk/queue").json()
    assert queue["counts"]["overdue"] == 1
    first = queue["items"][0]
    assert first["overdue"] and first["clock"] == "overdue by 26 hours", first
    overdue = web.client.get("/desk/queue?show=overdue").text
    assert 'class="overdue"' in overdue and "overdue by 26 hours" in overdue
    assert "Their enquiry T-1" not in overdue


def test_26_cases_make_two_pages_of_25(web: Web) -> None:
    now = datetime.now(UTC)
    for n in range(25):  # with the seeded case of C1: 26
        _open_case(web, f"ticket:T-{100 + n}", now - timedelta(minutes=n))
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    first = web.client.get("/api/desk/queue").json()
    assert (first["counts"]["all"], first["pages"], len(first["items"])) == (26, 2, 25)
    second = web.client.get("/api/desk/queue?page=2").json()
    assert second["page"] == 2 and len(second["items"]) == 1
    seen = {i["case_id"] for i in first["items"]} | {i["case_id"] for i in second["items"]}
    assert len(seen) == 26
    page = web.client.get("/desk/queue").text
    assert 'href="/desk/queue?page=2"' in page and 'aria-current="page">1</a>' in page


def test_a_case_says_what_its_moment_was_about(web: Web) -> None:
    from goodwill.store.moments import add_moment_once
    from goodwill.store.runs import start_run

    now = datetime.now(UTC)
    key = "broken_promise:PR-9:2026-11-10"
    evidence = {
        "promise_kind": "callback",
        "due_at": "2026-11-10T14:45:24+00:00",
        "verdict": "late",
        "days_late": 13,
    }
    with session_factory(web.engine).begin() as session:
        run = start_run(session, now.date(), now=now)
        add_moment_once(
            session,
            run_id=run.id,
            customer_id="C2",
            subscription_id=None,
            kind="broken_promise",
            detected_for="2026-11-23",
            value_to_customer_minor=500,
            cost_to_business_minor=500,
            currency="GBP",
            status="acted",
            evidence=evidence,
            dedupe_key=key,
            now=now,
        )
    _open_case(web, key, now, "C2")
    _open_case(web, "repeated_failures:C2:2026-11", now, "C2")  # no moment stored: generic
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    what = {i["what"] for i in web.client.get("/api/desk/queue").json()["items"]}
    assert what == {
        "Their enquiry T-1",
        "Call back 13 days late (due 10 November 2026)",
        "Several things going wrong",
    }
    assert "A promise we broke" not in web.client.get("/desk/queue").text

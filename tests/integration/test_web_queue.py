"""The desk's queue: what needs a person, its clock, filters, and assigning a case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
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

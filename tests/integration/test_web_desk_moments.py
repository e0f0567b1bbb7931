"""The desk's moments page in plain words; the JSON API keeps its machine fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from goodwill.store import session_factory
from goodwill.store.moments import add_action, add_moment_once
from goodwill.store.runs import start_run
from tests.integration.web_support import (
    AGENT_PASSWORD,
    Web,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_staff,
)

BETTER_PLAN = {
    "current_plan_name": "Goodybag 10",
    "recommended_plan_name": "Goodybag 7.50",
    "current_monthly_cost_minor": 1000,
    "monthly_saving_minor": 250,
    "annual_saving_minor": 3000,
}
BROKEN = {"promise_kind": "engineer_appointment", "due_at": "2026-03-12T09:00:00+00:00"}


@pytest.fixture
def web(ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path)


def _seed(web: Web) -> None:
    now = datetime.now(UTC)
    with session_factory(web.engine).begin() as session:
        run = start_run(session, date.today(), now=now)
        better = add_moment_once(
            session,
            run_id=run.id,
            customer_id="C1",
            subscription_id="S1",
            kind="better_plan",
            detected_for="2026-03",
            value_to_customer_minor=3000,
            cost_to_business_minor=3000,
            currency="GBP",
            status="acted",
            evidence=BETTER_PLAN,
            dedupe_key="better_plan:S1:2026-03",
            now=now,
        )
        assert better is not None
        add_action(session, moment_id=better.id, customer_id="C1", kind="message", now=now)
        add_moment_once(
            session,
            run_id=run.id,
            customer_id="C1",
            kind="broken_promise",
            detected_for="2026-03-12",
            value_to_customer_minor=1250,
            cost_to_business_minor=1250,
            currency="GBP",
            status="suppressed",
            reason="no consent to care messages",
            evidence=BROKEN,
            dedupe_key="broken_promise:PR1",
            now=now,
        )


def test_the_moments_page_says_who_and_what_in_words(web: Web) -> None:
    _seed(web)
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    page = web.client.get("/desk/moments").text
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    assert '<a href="/desk/customers/C1">Ann Lee</a>' in body
    assert "Could save £2.50 a month on Goodybag 7.50" in body
    assert "Engineer visit missed on 12 March 2026" in body
    assert "March 2026" in body and "£30" in body and "£12.50" in body
    assert "sent a message" in body
    for code in ("better_plan", "broken_promise", "2026-03", ">C1<", "suppressed<"):
        assert code not in re.sub(r'(href|class|value)="[^"]*"', "", body), code


def test_the_filters_keep_working_and_the_api_keeps_its_fields(web: Web) -> None:
    _seed(web)
    sign_in_staff(web, "priya@care.example", AGENT_PASSWORD)
    one = web.client.get("/desk/moments", params={"kind": "broken_promise"}).text
    assert "Engineer visit" in one and "Could save" not in one
    assert '<option value="broken_promise" selected>' in one
    acted = web.client.get("/desk/moments", params={"status": "acted"}).text
    assert "Could save" in acted and "Engineer visit" not in acted
    rows = web.client.get("/api/desk/moments").json()
    assert {r["kind"] for r in rows} == {"better_plan", "broken_promise"}
    better = next(r for r in rows if r["kind"] == "better_plan")
    assert better["customer_id"] == "C1" and better["value_to_customer_minor"] == 3000
    assert better["detected_for"] == "2026-03" and better["actions"] == ["message"]
    assert better["customer_name"] == "Ann Lee" and better["when"] == "March 2026"
    assert better["what"].startswith("Could save £2.50 a month on Goodybag 7.50")

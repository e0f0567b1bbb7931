"""The desk's pages speak in words: no kind codes (better_plan), no month codes (2026-11)
in what a person reads, after a real care run has filled the store."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from goodwill.services.care_run import run_care
from goodwill.store import session_factory
from goodwill.store.moments import add_moment_once
from goodwill.store.runs import start_run
from tests.integration.web_support import (
    LEAD_PASSWORD,
    Web,
    ledger_data,  # noqa: F401  (a fixture)
    make_web,
    sign_in_staff,
)

CODE = re.compile(r"\b[a-z]+_[a-z]+\b")
MONTH_CODE = re.compile(r"\b\d{4}-\d{2}\b")
DESK_PAGES = (
    "/desk",
    "/desk/queue",
    "/desk/moments",
    "/desk/moments?status=withheld",
    "/desk/moments?status=deferred",
    "/desk/themes",
    "/desk/agents",
    "/desk/approvals",
    "/desk/customers?q=ann",
    "/desk/customers/C1",
)
#: Reasons as the care run stores them (codes and month codes in them).
REASONS = {
    "withheld": "holdout arm of the better_plan experiment: no message, so the lift can be "
    "measured",
    "deferred": "budget for broken_promise in 2026-11 is spent (£0 left, credit of £5)",
}


@pytest.fixture
def web(ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path)


def visible_text(page: str) -> str:
    """What a person reads: no scripts, styles or attributes, entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _stored_reasons(web: Web) -> None:
    now = datetime.now(UTC)
    with session_factory(web.engine).begin() as session:
        run = start_run(session, now.date(), now=now)
        for status, reason in REASONS.items():
            add_moment_once(
                session,
                run_id=run.id,
                customer_id="C2",
                kind="better_plan" if status == "withheld" else "broken_promise",
                detected_for="2026-11",
                value_to_customer_minor=500,
                cost_to_business_minor=500,
                currency="GBP",
                status=status,
                reason=reason,
                dedupe_key=f"words:{status}",
                now=now,
            )


def test_no_codes_in_what_the_desk_pages_say(web: Web) -> None:
    run_care(web.settings, datetime.now(UTC).date(), deliver_now=False)
    _stored_reasons(web)
    sign_in_staff(web, "lee@care.example", LEAD_PASSWORD)
    card = web.client.get("/api/desk/scorecard").json()  # waits for the background build
    assert any("holdout" in p["reading"] for p in card["perspectives"]), card["perspectives"]
    found = {}
    for path in DESK_PAGES:
        page = web.client.get(path)
        assert page.status_code == 200, path
        text = visible_text(page.text)
        codes = CODE.findall(text) + MONTH_CODE.findall(text)
        if codes:
            found[path] = sorted(set(codes))
    assert found == {}
    moments = visible_text(web.client.get("/desk/moments?status=withheld").text)
    assert "“A cheaper plan fits” experiment" in moments

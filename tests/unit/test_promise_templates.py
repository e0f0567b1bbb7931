"""Templates of promise_at_risk and slow_first_response: the facts, the owner, a warm tone."""

from __future__ import annotations

import pytest

from goodwill.channels.render import render_message
from goodwill.domain.contact import Owner
from goodwill.domain.moments import Moment

SAM = Owner("Sam Patel", email="sam.patel@example.com", phone="0161 555 0100")

EVIDENCE: dict[str, dict[str, object]] = {
    "promise_at_risk": {
        "promise_id": "P1",
        "promise_kind": "sim_delivery",
        "due_at": "2026-03-21T15:00:00+00:00",
        "expected_by": "2026-03-22",
        "summary": "Your new SIM is due on 21 March 2026, and we now expect it by 22 March 2026.",
    },
    "slow_first_response": {
        "ticket_id": "T1",
        "channel": "email",
        "opened_at": "2026-03-03T09:00:00+00:00",
        "waited_minutes": 1860,
        "target_minutes": 1440,
        "summary": "You emailed us on 3 March 2026 and waited 31 hours for an answer; "
        "we aim to answer within 24 hours.",
    },
}


def moment(kind: str) -> Moment:
    return Moment("C1", "X1", kind, "2026-03-21", 0, 0, "GBP", EVIDENCE[kind], "care")


@pytest.mark.parametrize("kind", sorted(EVIDENCE))
@pytest.mark.parametrize("owner", [SAM, None], ids=["owner", "no-owner"])
def test_renders_warmly_with_the_summary(kind: str, owner: Owner | None) -> None:
    message = render_message(moment(kind), "Priya", owner, {})
    assert message.tone_issues == (), [str(i) for i in message.tone_issues]
    summary = str(EVIDENCE[kind]["summary"])
    assert summary in message.text and summary in message.html
    assert "Priya" in message.text and "\n" not in message.subject
    assert ("0161 555 0100" in message.text) == (owner is not None)


def test_the_heads_up_names_the_day_in_the_subject() -> None:
    message = render_message(moment("promise_at_risk"), "Priya", SAM, {})
    assert message.subject == "A heads-up: what we promised for 21 March 2026 may be late"
    assert "22 March 2026" in message.text


def test_the_apology_for_waiting_promises_priority_and_names_the_owner() -> None:
    message = render_message(moment("slow_first_response"), "Priya", SAM, {})
    assert "front of the queue" in message.text
    assert "Sam Patel will see it through" in message.text

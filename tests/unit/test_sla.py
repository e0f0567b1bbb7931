"""SLA clocks: pause while waiting on the customer, stop on resolution, restart on reopen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from goodwill.domain.sla import SlaPolicy, TicketEvent, ticket_clocks

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ev(minutes: int, kind: str) -> TicketEvent:
    return TicketEvent(at(minutes), kind)  # type: ignore[arg-type]


def test_first_response_stops_at_the_first_agent_reply() -> None:
    c = ticket_clocks([ev(0, "opened"), ev(30, "agent_reply"), ev(50, "agent_reply")], at(90))
    assert c.first_response.elapsed == timedelta(minutes=30)
    assert c.first_response.state == "stopped"
    assert c.resolution.elapsed == timedelta(minutes=90)


def test_waiting_on_the_customer_pauses_and_their_reply_resumes() -> None:
    events = [
        ev(0, "opened"),
        ev(10, "agent_reply"),
        ev(10, "awaiting_customer"),
        ev(70, "customer_reply"),
        ev(85, "agent_reply"),
    ]
    c = ticket_clocks(events, at(100))
    assert c.resolution.elapsed == timedelta(minutes=40)  # 10 + 30, not the hour waited
    assert [k.elapsed for k in c.next_responses] == [timedelta(minutes=15)]
    assert not c.waiting_on_customer


def test_paused_clock_reads_the_same_later() -> None:
    events = [ev(0, "opened"), ev(20, "awaiting_customer")]
    assert ticket_clocks(events, at(30)).resolution.elapsed == timedelta(minutes=20)
    assert ticket_clocks(events, at(3000)).resolution.elapsed == timedelta(minutes=20)
    assert ticket_clocks(events, at(3000)).first_response.state == "paused"


def test_resolution_stops_every_clock() -> None:
    events = [ev(0, "opened"), ev(5, "agent_reply"), ev(6, "customer_reply"), ev(60, "resolved")]
    c = ticket_clocks(events, at(500))
    assert c.resolution.elapsed == timedelta(minutes=60)
    assert c.resolution.state == "stopped"
    assert c.next_responses[-1].elapsed == timedelta(minutes=54)
    assert c.next_responses[-1].state == "stopped"


def test_reopen_resumes_resolution_and_restarts_next_response() -> None:
    events = [
        ev(0, "opened"),
        ev(5, "agent_reply"),
        ev(60, "resolved"),
        ev(200, "reopened"),
        ev(230, "agent_reply"),
    ]
    c = ticket_clocks(events, at(260))
    assert c.resolution.elapsed == timedelta(minutes=60 + 60)
    assert [k.elapsed for k in c.next_responses] == [timedelta(minutes=30)]
    assert c.next_responses[0].state == "stopped"


def test_a_customer_reply_to_a_resolved_ticket_does_not_reopen_it() -> None:
    events = [ev(0, "opened"), ev(10, "resolved"), ev(20, "customer_reply")]
    c = ticket_clocks(events, at(100))
    assert (c.resolution.elapsed, c.next_responses) == (timedelta(minutes=10), ())


def test_complaints_get_the_tighter_target() -> None:
    policy = SlaPolicy()
    assert policy.first_response_target("email", False) == timedelta(hours=24)
    assert policy.first_response_target("email", True) == timedelta(hours=4)
    assert policy.first_response_target("chat", True) == timedelta(minutes=15)
    assert policy.first_response_target("carrier_pigeon", False) == timedelta(hours=24)


KINDS = st.sampled_from(
    ["agent_reply", "customer_reply", "awaiting_customer", "resolved", "reopened"]
)
HISTORIES = st.lists(st.tuples(st.integers(1, 600), KINDS), max_size=12)


def _timeline(history: list[tuple[int, str]]) -> list[TicketEvent]:
    events, minute = [ev(0, "opened")], 0
    for gap, kind in history:
        minute += gap
        events.append(ev(minute, kind))
    return events


def _stretch(events: list[TicketEvent], after: int, delta: timedelta) -> list[TicketEvent]:
    return [e if i <= after else TicketEvent(e.at + delta, e.kind) for i, e in enumerate(events)]


def _elapsed(events: list[TicketEvent], now: datetime) -> list[timedelta]:
    c = ticket_clocks(events, now)
    return [c.first_response.elapsed, c.resolution.elapsed] + [k.elapsed for k in c.next_responses]


@given(HISTORIES, st.integers(0, 12), st.integers(1, 10_000))
def test_a_clock_never_counts_paused_time(
    history: list[tuple[int, str]], gap: int, extra_minutes: int
) -> None:
    """Waiting longer on the customer changes no clock; waiting longer on us adds exactly that."""
    events = _timeline(history)
    after = gap % len(events)
    delta = timedelta(minutes=extra_minutes)
    end = events[-1].at + timedelta(minutes=1)
    state = ticket_clocks(events[: after + 1], events[after].at)
    stretched = _elapsed(_stretch(events, after, delta), end + delta)
    before = _elapsed(events, end)
    total = end - T0
    assert all(timedelta(0) <= e <= total for e in before)
    if state.waiting_on_customer or state.resolution.state == "stopped":
        assert stretched == before
    else:
        assert stretched[1] == before[1] + delta

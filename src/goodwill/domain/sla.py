"""SLA clocks per ticket: first response, next response and resolution.

A ticket's history is a sequence of :class:`TicketEvent`. Every clock pauses while we
wait on the customer (``awaiting_customer`` until their ``customer_reply``) and stops
on ``resolved``; ``reopened`` resumes the resolution clock and starts a new
next-response clock. A clock never counts paused or stopped time.

>>> from datetime import UTC, datetime
>>> t = lambda h: datetime(2026, 3, 2, h, tzinfo=UTC)
>>> c = ticket_clocks([TicketEvent(t(9), "opened"), TicketEvent(t(11), "agent_reply")], t(12))
>>> c.first_response.elapsed
datetime.timedelta(seconds=7200)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

from goodwill.domain.formatting import format_day

EventKind = Literal[
    "opened", "agent_reply", "customer_reply", "awaiting_customer", "resolved", "reopened"
]
ClockState = Literal["running", "paused", "stopped"]


@dataclass(frozen=True)
class TicketEvent:
    """Something that happened to a ticket, at a UTC time."""

    at: datetime
    kind: EventKind


@dataclass(frozen=True)
class Clock:
    """Time counted so far, and whether it is still counting (``since``: when it last started)."""

    elapsed: timedelta = timedelta(0)
    state: ClockState = "running"
    since: datetime | None = None

    def at(self, now: datetime) -> timedelta:
        """The elapsed time as of ``now`` (a running clock keeps counting)."""
        if self.state == "running" and self.since is not None:
            return self.elapsed + max(timedelta(0), now - self.since)
        return self.elapsed

    def pause(self, now: datetime) -> Clock:
        return Clock(self.at(now), "paused") if self.state == "running" else self

    def resume(self, now: datetime) -> Clock:
        return Clock(self.elapsed, "running", now) if self.state == "paused" else self

    def stop(self, now: datetime) -> Clock:
        return Clock(self.at(now), "stopped")


@dataclass(frozen=True)
class TicketClocks:
    """A ticket's clocks; ``next_responses`` holds one clock per customer message awaiting us."""

    first_response: Clock
    resolution: Clock
    next_responses: tuple[Clock, ...] = ()
    waiting_on_customer: bool = False


def ticket_clocks(events: Iterable[TicketEvent], now: datetime) -> TicketClocks:
    """Replay ``events`` (sorted by time; ties keep their order) and read the clocks at ``now``.

    Events before ``opened`` are ignored; events after ``now`` have not happened yet.
    """
    ordered = sorted((e for e in events if e.at <= now), key=lambda e: e.at)
    clocks: TicketClocks | None = None
    for event in ordered:
        if clocks is None:
            if event.kind == "opened":
                clocks = TicketClocks(Clock(since=event.at), Clock(since=event.at))
            continue
        clocks = _step(clocks, event)
    if clocks is None:
        raise ValueError("a ticket's events need an 'opened' event at or before now")
    return _read(clocks, now)


def _step(c: TicketClocks, e: TicketEvent) -> TicketClocks:
    nexts = list(c.next_responses)
    if e.kind == "agent_reply":
        if c.first_response.state != "stopped":
            return replace(c, first_response=c.first_response.stop(e.at))
        if nexts and nexts[-1].state != "stopped":
            nexts[-1] = nexts[-1].stop(e.at)
        return replace(c, next_responses=tuple(nexts))
    if e.kind == "awaiting_customer" and c.resolution.state != "stopped":
        # Waiting on the customer only means something on an open ticket.
        return _all(c, lambda k: k.pause(e.at), waiting=True)
    if e.kind == "customer_reply" and c.resolution.state != "stopped":
        c = _all(c, lambda k: k.resume(e.at), waiting=False)
        return _open_next(c, e.at)
    if e.kind == "resolved":
        return _all(c, lambda k: k.stop(e.at), waiting=False)
    if e.kind == "reopened" and c.resolution.state == "stopped":
        c = replace(
            c, resolution=Clock(c.resolution.elapsed, "running", e.at), waiting_on_customer=False
        )
        return _open_next(c, e.at)
    return c


def _all(c: TicketClocks, move: Callable[[Clock], Clock], *, waiting: bool) -> TicketClocks:
    return TicketClocks(
        move(c.first_response),
        move(c.resolution),
        tuple(move(k) for k in c.next_responses),
        waiting,
    )


def _open_next(c: TicketClocks, at: datetime) -> TicketClocks:
    # Before the first reply the first-response clock is the one that runs.
    if c.first_response.state != "stopped":
        return c
    if c.next_responses and c.next_responses[-1].state != "stopped":
        return c
    return replace(c, next_responses=(*c.next_responses, Clock(since=at)))


def _read(c: TicketClocks, now: datetime) -> TicketClocks:
    def fix(k: Clock) -> Clock:
        return replace(k, elapsed=k.at(now), since=now) if k.state == "running" else k

    return TicketClocks(
        fix(c.first_response),
        fix(c.resolution),
        tuple(fix(k) for k in c.next_responses),
        c.waiting_on_customer,
    )


#: First-response targets per channel; complaints get ``complaint_first_response`` if tighter.
DEFAULT_FIRST_RESPONSE: Mapping[str, timedelta] = MappingProxyType(
    {
        "email": timedelta(hours=24),
        "web": timedelta(hours=24),
        "social": timedelta(hours=4),
        "chat": timedelta(minutes=15),
        "phone": timedelta(minutes=20),
        "store": timedelta(minutes=60),
    }
)


@dataclass(frozen=True)
class SlaPolicy:
    """First-response targets per channel, the tighter complaint target, and how far back to look."""

    first_response: Mapping[str, timedelta] = field(default_factory=lambda: DEFAULT_FIRST_RESPONSE)
    complaint_first_response: timedelta = timedelta(hours=4)
    lookback: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_response", MappingProxyType(dict(self.first_response)))

    def first_response_target(self, channel: str, is_complaint: bool) -> timedelta:
        """The target for a ticket: its channel's (24 h if unknown), tighter for a complaint."""
        target = self.first_response.get(channel, timedelta(hours=24))
        return min(target, self.complaint_first_response) if is_complaint else target


_CHANNEL_WORDS = {
    "email": "You emailed us",
    "chat": "You started a chat with us",
    "phone": "You called us",
    "social": "You messaged us on social media",
    "web": "You wrote to us through our website",
    "store": "You came to see us in store",
}


def format_duration(span: timedelta) -> str:
    """A wait as a person says it: '4 minutes', '31 hours', '3 days' (rounded down)."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minute" + ("" if minutes == 1 else "s")
    if minutes < 48 * 60:
        return f"{minutes // 60} hours"
    return f"{minutes // (24 * 60)} days"


def first_response_summary(
    channel: str, opened_at: datetime, waited: timedelta, target: timedelta, answered: bool
) -> str:
    """Two short sentences: 'You emailed us on 3 March 2026 and waited 31 hours for an
    answer. We aim to answer within 24 hours.'
    """
    start = _CHANNEL_WORDS.get(channel, "You got in touch")
    wait = f"waited {format_duration(waited)} for an answer"
    if not answered:
        wait = f"have waited {format_duration(waited)} for an answer so far"
    return f"{start} on {format_day(opened_at)} and {wait}. We aim to answer within {format_duration(target)}."

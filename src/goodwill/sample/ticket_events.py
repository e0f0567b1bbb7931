"""What happened to a ticket between its first answer and its resolution.

For a share of resolved tickets (an operator whose desk keeps a history) the sample
writes ``ticket_events``: the first ``agent_reply``; for some, a question to the
customer (``awaiting_customer``) and their ``customer_reply``; for a few, a resolution
that did not hold (``resolved``, then ``reopened``); and the final ``resolved``. Every
event falls between the ticket's first_response_at and resolved_at, so the tickets table
is unchanged; the events are drawn from a random stream of their own, so adding them
changed no other draw of the sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.ledger.contract import TICKET_EVENTS
from goodwill.sample.clock import NEVER
from goodwill.sample.params import SampleParams
from goodwill.sample.tickets import Tickets

Ints = npt.NDArray[np.int64]
EVENT_STREAM = 7


@dataclass
class TicketEvents:
    """One entry per event, in ticket then time order; ``event`` indexes TICKET_EVENTS."""

    ticket: Ints
    at_s: Ints
    event: Ints


def draw_ticket_events(seed: int, tickets: Tickets, p: SampleParams) -> TicketEvents:
    """The events of a share ``ticket_events_share`` of the resolved tickets."""
    rng = np.random.Generator(np.random.PCG64([seed, EVENT_STREAM]))
    n = len(tickets)
    first, resolved = tickets.first_response_s, tickets.resolved_s
    done = (first != NEVER) & (resolved != NEVER)
    kept = done & (rng.random(n) < p.ticket_events_share)
    asked = kept & (rng.random(n) < p.awaiting_customer_share)
    reopened = kept & (rng.random(n) < p.reopened_share)
    span = np.where(done, resolved - first, 0)

    def at(share: npt.NDArray[np.float64]) -> Ints:
        return first + (share * span).astype(np.int64)

    parts = [
        (kept, first, "agent_reply"),
        (asked, at(rng.uniform(0.05, 0.3, n)), "awaiting_customer"),
        (asked, at(rng.uniform(0.35, 0.7, n)), "customer_reply"),
        (reopened, at(np.full(n, 0.75)), "resolved"),
        (reopened, at(np.full(n, 0.85)), "reopened"),
        (kept, resolved, "resolved"),
    ]
    ticket = np.concatenate([np.flatnonzero(m) for m, _, _ in parts])
    when = np.concatenate([t[m] for m, t, _ in parts])
    event = np.concatenate([np.full(int(m.sum()), TICKET_EVENTS.index(e)) for m, _, e in parts])
    order = np.lexsort((when, ticket))  # stable: same-time events keep the order above
    return TicketEvents(ticket[order], when[order], event[order])

"""Time a ticket's service-level clocks do not count, from the ledger's ``ticket_events``.

The clocks are :func:`goodwill.domain.sla.ticket_clocks`: after ``awaiting_customer`` they
pause until the customer's ``customer_reply``; after ``resolved`` they stop until
``reopened``. This is the same rule as one vectorized expression for DuckDB and Spark:
each pause or stop is a span from its event to the ticket's next event that changes the
clocks, and a clock's time up to ``until`` is ``until - opened_at`` less the overlap of
those spans with ``[opened_at, until]``. A ticket with no events pauses for 0 days, so
without the table every clock is the plain difference it always was.

    tickets = with_paused_days(tickets, ledger.table("ticket_events"), tickets.resolved_at)
    hours = (days_between(tickets.opened_at, tickets.resolved_at) - tickets.paused_days) * 24
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

#: The events that change the clocks (an agent_reply only stops the response clock).
CLOCK_EVENTS = ("awaiting_customer", "customer_reply", "resolved", "reopened")
#: The events after which the clocks do not count.
NOT_COUNTING = ("awaiting_customer", "resolved")


def not_counting_spans(events: ibis.Table) -> ibis.Table:
    """Per ticket, ``[start, end)`` spans the clocks do not count (``end`` NULL: still so)."""
    changes = events.filter(events.event.isin(CLOCK_EVENTS))
    # The event name only breaks ties in time, so the order is the same on every engine.
    w = ibis.window(group_by=changes.ticket_id, order_by=[changes.at, changes.event])
    spans = changes.mutate(end=changes.at.lead().over(w))
    spans = spans.filter(spans.event.isin(NOT_COUNTING))
    return spans.select("ticket_id", start=spans.at, end=spans.end)


def with_paused_days(
    tickets: ibis.Table, events: ibis.Table, until: ir.TimestampValue, name: str = "paused_days"
) -> ibis.Table:
    """``tickets`` with a column ``name``: the days in ``[opened_at, until]`` the clocks did
    not count. ``until`` is an expression on ``tickets`` (e.g. ``first_response_at``)."""
    marked = tickets.mutate(_until=until)
    spans = not_counting_spans(events)
    pairs = marked.select("ticket_id", "opened_at", "_until").inner_join(spans, "ticket_id")
    start = ibis.greatest(pairs.start, pairs.opened_at)
    end = ibis.least(pairs.end.coalesce(pairs._until), pairs._until)
    seconds = ibis.greatest(end.epoch_seconds() - start.epoch_seconds(), 0)
    paused = pairs.group_by(pairs.ticket_id.name("_paused_ticket")).aggregate(
        _paused=seconds.sum().cast("float64") / 86400.0
    )
    joined = marked.left_join(paused, marked.ticket_id == paused._paused_ticket)
    return joined.mutate(**{name: joined._paused.coalesce(0.0)}).drop(
        "_until", "_paused", "_paused_ticket"
    )

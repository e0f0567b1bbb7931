"""The internal-process perspective: promises kept, response and resolution times, SLAs."""

from __future__ import annotations

import math
from collections.abc import Mapping

import ibis
from sqlalchemy import Engine

from goodwill.analytics.paused_time import with_paused_days
from goodwill.analytics.scorecard.figures import Figure, Perspective
from goodwill.analytics.scorecard.store_reads import self_service_jobs
from goodwill.analytics.scorecard.window import Window, all_rows, days_between, one_row, ts
from goodwill.domain.stats import Z_95, Estimate, proportion, quantile_estimate
from goodwill.ledger.contract import TICKET_CHANNELS
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings


def promises_figure(promises: ibis.Table, window: Window) -> Figure:
    """The share of promises due in the window that were kept by their due time."""
    due = promises.filter(
        (promises.due_at >= ts(window.start)) & (promises.due_at < ts(window.end))
    )
    on_time = due.kept_at.notnull() & (due.kept_at <= due.due_at)
    row = one_row(due.aggregate(kept=on_time.cast("int64").sum(), n=due.count()))
    return Figure(
        "promises_kept", "Promises kept on time", proportion(row["kept"] or 0, row["n"]), "share"
    )


def quantile_with_ci(hours: ibis.Table, q: float) -> Estimate:
    """The q-quantile of ``hours.h`` with the distribution-free 95% interval: the order
    statistics at ranks n·q ± z·sqrt(n·q·(1-q)) (Conover 1999, section 3.2)."""
    n = one_row(hours.aggregate(n=hours.count()))["n"]
    if n == 0:
        return Estimate.missing(0, "no tickets")
    half = Z_95 * math.sqrt(n * q * (1 - q)) / n
    levels = {"value": q, "low": max(0.0, q - half), "high": min(1.0, q + half)}
    row = one_row(hours.aggregate(**{k: hours.h.quantile(v) for k, v in levels.items()}))
    return Estimate(row["value"], n, row["low"], row["high"])


def counted_hours(
    tickets: ibis.Table,
    events: ibis.Table,
    until: str,
    window: Window,
    keep: tuple[str, ...] = (),
) -> ibis.Table:
    """``h``: hours from ``opened_at`` to the column ``until`` that the SLA clocks count
    (time waiting on the customer or resolved is not), for the tickets that have it, with
    the ticket columns named in ``keep``."""
    done = tickets.filter(tickets[until].notnull())
    done = with_paused_days(done, events.filter(events.at < ts(window.end)), done[until])
    return done.select(*keep, h=(days_between(done.opened_at, done[until]) - done.paused_days) * 24)


def channel_figures(tickets: ibis.Table, window: Window, events: ibis.Table) -> list[Figure]:
    """Median and p90 first-response and resolution hours per channel that has tickets.

    Each clock's hours are worked out once for every channel (the join with the events
    is the slow part) and kept while its quantiles are read per channel.
    """
    opened = tickets.filter(
        (tickets.opened_at >= ts(window.start)) & (tickets.opened_at < ts(window.end))
    )
    present = {r["channel"] for r in all_rows(opened.select("channel").distinct())}
    channels = [c for c in TICKET_CHANNELS if c in present]
    found: dict[tuple[str, str, str], Figure] = {}
    for what, column in (("first_response", "first_response_at"), ("resolution", "resolved_at")):
        if not channels:
            break
        with counted_hours(opened, events, column, window, keep=("channel",)).cache() as hours:
            for channel in channels:
                mine = hours.filter(hours.channel == channel)
                for q, name in ((0.5, "median"), (0.9, "p90")):
                    label = f"{what.replace('_', ' ').capitalize()} on {channel}, {name} (hours)"
                    found[(channel, what, name)] = Figure(
                        f"{what}_{name}_{channel}", label, quantile_with_ci(mine, q), "hours"
                    )
    return [
        found[(channel, what, name)]
        for channel in channels
        for what in ("first_response", "resolution")
        for name in ("median", "p90")
    ]


def sla_figure(
    tickets: ibis.Table,
    window: Window,
    sla_minutes: Mapping[str, int],
    complaint_minutes: int,
    events: ibis.Table,
) -> Figure:
    """The share of the window's tickets first answered later than their channel's SLA
    (``sla_first_response_minutes``, the same targets ``slow_first_response`` uses), or not
    answered and already past it; time waiting on the customer is not counted."""
    opened = tickets.filter(
        (tickets.opened_at >= ts(window.start)) & (tickets.opened_at < ts(window.end))
    )
    answered_at = opened.first_response_at.coalesce(ts(window.end))
    opened = with_paused_days(opened, events.filter(events.at < ts(window.end)), answered_at)
    by_channel = opened.channel.cases(*sla_minutes.items(), else_=24 * 60)
    sla = ibis.ifelse(opened.is_complaint, ibis.least(by_channel, complaint_minutes), by_channel)
    answered_at = opened.first_response_at.coalesce(ts(window.end))
    counted_days = days_between(opened.opened_at, answered_at) - opened.paused_days
    late = counted_days * 24 * 60 > sla
    row = one_row(opened.aggregate(late=late.cast("int64").sum(), n=opened.count()))
    return Figure(
        "sla_breaches",
        "First responses later than the SLA",
        proportion(row["late"] or 0, row["n"]),
        "share",
    )


def self_service_figures(store: Engine | None, window: Window) -> list[Figure]:
    """Completion rate and median time to done of the self-service jobs (plan switch, lost
    SIM …) the web app recorded; without a store, they are reported as not recorded."""
    if store is None:
        missing = Estimate.missing(
            0, "no store: self-service journeys are recorded by `goodwill serve`"
        )
        return [
            Figure("self_service_completion", "Self-service journeys completed", missing, "share")
        ]
    jobs = self_service_jobs(store, window)
    figures = [
        Figure(
            "self_service_completion",
            "Self-service journeys completed",
            proportion(sum(done for _, done, _ in jobs), len(jobs)),
            "share",
        )
    ]
    minutes = [m for _, done, m in jobs if done and m is not None]
    figures.append(
        Figure(
            "self_service_minutes_median",
            "Self-service time to done, median (minutes)",
            quantile_estimate(minutes, 0.5, "finished journeys"),
            "minutes",
        )
    )
    return figures


def process_perspective(
    ledger: Ledger, window: Window, settings: Settings, store: Engine | None = None
) -> Perspective:
    """Every process figure; self-service comes from the store's job records."""
    tickets, events = ledger.table("tickets"), ledger.table("ticket_events")
    figures = [
        promises_figure(ledger.table("promises"), window),
        sla_figure(
            tickets,
            window,
            settings.sla_first_response_minutes,
            settings.sla_complaint_first_response_minutes,
            events,
        ),
        *channel_figures(tickets, window, events),
        *self_service_figures(store, window),
    ]
    return Perspective("process", tuple(figures), "")

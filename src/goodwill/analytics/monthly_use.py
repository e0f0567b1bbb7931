"""Who is rated: the subscriptions active on a day.

A subscription is *active* on ``asof`` when it started on or before that day and has not
ended by it. Its *history months* are the window's months it has usage recorded for and
was live from the first day of (see :func:`goodwill.domain.periods.history_months`); the
rating reads them from the rating-ready usage (:mod:`goodwill.ledger.rating_usage`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import ibis

from goodwill.ledger.reader import Ledger


def start_of_day_after(day: date) -> datetime:
    """Midnight UTC after ``day``: a timestamp before it falls on ``day`` or earlier."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def active_subscriptions(ledger: Ledger, asof: date) -> ibis.Table:
    """Subscriptions that started by ``asof`` and had not ended by it."""
    subs = ledger.table("subscriptions")
    cutoff = ibis.literal(start_of_day_after(asof))
    return subs.filter(subs.started_at < cutoff, subs.ended_at.isnull() | (subs.ended_at >= cutoff))

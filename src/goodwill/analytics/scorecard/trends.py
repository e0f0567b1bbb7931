"""The scorecard's headline figures month by month, for the desk's tiles.

Each series is the scorecard's own figure computed per month of its window, one grouped
query per figure (not a scorecard per month): complaints and promises per month pool back
to the scorecard's figure exactly (the same numerators and denominators, summed), goodwill
and savings per month add up to its totals, retention is the same Kaplan-Meier 12-month
survival as of the end of each month, and NPS is each respondent's latest answer in the
month.

>>> trends = headline_trends(open_ledger(path), Window(date(2026, 11, 23)), engine)  # doctest: +SKIP
>>> [p.estimate.value for p in trends["complaints_per_1000"].points]  # doctest: +SKIP
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import ibis
from sqlalchemy import Engine, func, select

from goodwill.analytics.scorecard.window import DAYS_PER_MONTH, Window, all_rows, days_between, ts
from goodwill.domain.stats import (
    Estimate,
    SurvivalStep,
    kaplan_meier,
    net_promoter_score,
    proportion,
    rate_per,
)
from goodwill.ledger.reader import Ledger
from goodwill.store.models import Budget, BudgetSpend, Moment, MomentStatus

#: The figures a tile shows, by the scorecard's key, in the order the desk shows them.
HEADLINE_KEYS = (
    "retention_12m",
    "nps",
    "complaints_per_1000",
    "promises_kept",
    "goodwill_spent",
    "advice_handed_back",
)


@dataclass(frozen=True)
class MonthPoint:
    """One month's figure, with the counts it was computed from."""

    period: str  # YYYY-MM
    estimate: Estimate
    numerator: int = 0  # complaints, promises kept, minor units given …
    denominator: int = 0  # customer-months, promises due, the month's budget …


@dataclass(frozen=True)
class Trend:
    key: str
    points: tuple[MonthPoint, ...]


def _month_starts(periods: tuple[str, ...]) -> list[datetime]:
    return [datetime(int(p[:4]), int(p[5:]), 1, tzinfo=UTC) for p in periods]


def _month_after(period: str) -> datetime:
    year, month = int(period[:4]), int(period[5:])
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def retention_at(customers: ibis.Table, ends: list[datetime]) -> list[Estimate]:
    """The share still a customer 12 months after joining (Kaplan-Meier, pooled over
    cohorts, as the scorecard's ``retention_12m``), as of each of ``ends``, in one query."""
    if not ends:
        return []
    parts = []
    for index, at in enumerate(ends):
        end = ts(at)
        joined = customers.filter(customers.joined_at < end)
        left = joined.left_at.notnull() & (joined.left_at < end)
        days = days_between(joined.joined_at, ibis.ifelse(left, joined.left_at, end))
        months = ibis.ifelse(left, (days / DAYS_PER_MONTH).ceil(), (days / DAYS_PER_MONTH).floor())
        rows = joined.select(at=ibis.literal(index), month=months.cast("int64"), left=left)
        parts.append(
            rows.group_by("at", "month").aggregate(
                events=rows.left.cast("int64").sum(), censored=(~rows.left).cast("int64").sum()
            )
        )
    steps: dict[int, list[SurvivalStep]] = defaultdict(list)
    for row in all_rows(ibis.union(*parts).order_by("at", "month")):
        steps[row["at"]].append(SurvivalStep(row["month"], row["events"], row["censored"]))
    return [kaplan_meier(steps.get(i, [])).at(12) for i in range(len(ends))]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def retention_trend(ledger: Ledger, window: Window) -> Trend:
    """Retention as of the end of each month of the window (the last: as of ``asof``)."""
    ends = [min(_month_after(p), window.end) for p in window.periods]
    values = retention_at(ledger.table("customers"), ends)
    return Trend(
        "retention_12m",
        tuple(MonthPoint(p, e) for p, e in zip(window.periods, values, strict=True)),
    )


def nps_trend(ledger: Ledger, window: Window) -> Trend:
    """NPS of each month: each respondent's latest answer that month."""
    feedback = ledger.table("feedback")
    answers = feedback.filter(
        (feedback.kind == "nps")
        & (feedback.at >= ts(window.start))
        & (feedback.at < ts(window.end))
    )
    answers = answers.mutate(period=answers.at.strftime("%Y-%m"))
    ranked = answers.mutate(
        rank=ibis.row_number().over(group_by=["customer_id", "period"], order_by=ibis.desc("at"))
    )
    latest = ranked.filter(ranked["rank"] == 0)
    rows = {
        r["period"]: r
        for r in all_rows(
            latest.group_by("period").aggregate(
                promoters=(latest.score >= 9).cast("int64").sum(),
                detractors=(latest.score <= 6).cast("int64").sum(),
                n=latest.count(),
            )
        )
    }
    points = []
    for period in window.periods:
        row = rows.get(period, {"promoters": 0, "detractors": 0, "n": 0})
        passives = row["n"] - row["promoters"] - row["detractors"]
        points.append(
            MonthPoint(
                period,
                net_promoter_score(row["promoters"], passives, row["detractors"]),
                row["promoters"] - row["detractors"],
                row["n"],
            )
        )
    return Trend("nps", tuple(points))


def complaints_trend(ledger: Ledger, window: Window) -> Trend:
    """Complaints opened each month per 1,000 customers active at the month's start."""
    customers, tickets = ledger.table("customers"), ledger.table("tickets")
    # Active at a month's start (joined before it, not left before it) is a matter of the
    # months joined and left, so count customers by those two and add up in Python.
    spans = customers.select(
        joined=customers.joined_at.strftime("%Y-%m"), left=customers.left_at.strftime("%Y-%m")
    )
    by_span = all_rows(spans.group_by("joined", "left").aggregate(n=spans.count()))
    population = {
        period: sum(
            r["n"]
            for r in by_span
            if r["joined"] < period and (r["left"] is None or r["left"] >= period)
        )
        for period in window.periods
    }
    complaints = tickets.filter(
        tickets.is_complaint
        & (tickets.opened_at >= ts(window.start))
        & (tickets.opened_at < ts(window.end))
    )
    complaints = complaints.mutate(period=complaints.opened_at.strftime("%Y-%m"))
    counts = {
        r["period"]: r["n"]
        for r in all_rows(complaints.group_by("period").aggregate(n=complaints.count()))
    }
    points = []
    for period in window.periods:
        count, people = counts.get(period, 0), population.get(period, 0)
        points.append(MonthPoint(period, rate_per(count, people, 1000), count, people))
    return Trend("complaints_per_1000", tuple(points))


def promises_trend(ledger: Ledger, window: Window) -> Trend:
    """The share of promises due each month that were kept by their due time."""
    promises = ledger.table("promises")
    due = promises.filter(
        (promises.due_at >= ts(window.start)) & (promises.due_at < ts(window.end))
    )
    due = due.mutate(period=due.due_at.strftime("%Y-%m"))
    on_time = due.kept_at.notnull() & (due.kept_at <= due.due_at)
    rows = {
        r["period"]: r
        for r in all_rows(
            due.group_by("period").aggregate(kept=on_time.cast("int64").sum(), n=due.count())
        )
    }
    points = []
    for period in window.periods:
        row = rows.get(period, {"kept": 0, "n": 0})
        kept, n = int(row["kept"] or 0), int(row["n"])
        points.append(MonthPoint(period, proportion(kept, n), kept, n))
    return Trend("promises_kept", tuple(points))


def goodwill_trend(store: Engine, window: Window) -> Trend:
    """Goodwill given each month (the window's months and this one so far), against the
    month's budgets (the denominator: the sum of every kind's limit)."""
    periods = window.periods_through_asof
    spent_query = (
        select(BudgetSpend.period, func.sum(BudgetSpend.amount_minor), func.count())
        .where(BudgetSpend.period.in_(periods))
        .group_by(BudgetSpend.period)
    )
    budget_query = (
        select(Budget.period, func.sum(Budget.limit_minor))
        .where(Budget.period.in_(periods))
        .group_by(Budget.period)
    )
    with store.connect() as connection:
        spent = {p: (int(t), int(n)) for p, t, n in connection.execute(spent_query)}
        budgets = {p: int(t) for p, t in connection.execute(budget_query)}
    points = []
    for period in periods:
        total, count = spent.get(period, (0, 0))
        points.append(
            MonthPoint(period, Estimate(float(total), count), total, budgets.get(period, 0))
        )
    return Trend("goodwill_spent", tuple(points))


def handed_back_trend(store: Engine, window: Window, kind: str = "better_plan") -> Trend:
    """A year's savings of the plan advice acted on each month (as ``advice_handed_back``)."""
    query = select(Moment.created_at, Moment.value_to_customer_minor).where(
        (Moment.kind == kind)
        & (Moment.status == str(MomentStatus.ACTED))
        & (Moment.created_at >= window.start)
        & (Moment.created_at < window.through_asof)
    )
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with store.connect() as connection:
        for created_at, value in connection.execute(query):
            month = _utc(created_at).strftime("%Y-%m")
            sums[month][0] += int(value)
            sums[month][1] += 1
    points = tuple(
        MonthPoint(p, Estimate(float(sums[p][0]), sums[p][1]), sums[p][0], sums[p][1])
        for p in window.periods_through_asof
    )
    return Trend("advice_handed_back", points)


def headline_trends(ledger: Ledger, window: Window, store: Engine | None) -> dict[str, Trend]:
    """Every headline figure's monthly series; the store's two only when there is a store."""
    trends = [
        retention_trend(ledger, window),
        nps_trend(ledger, window),
        complaints_trend(ledger, window),
        promises_trend(ledger, window),
    ]
    if store is not None:
        trends += [goodwill_trend(store, window), handed_back_trend(store, window)]
    return {t.key: t for t in trends}

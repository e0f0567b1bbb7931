"""Per-arm sufficient statistics of each experiment's outcomes, computed in SQL.

The arms come from the store (``assignments``); each customer's outcomes are read from
the ledger after their assignment: retained at 90 and 180 days, revenue in the six months
after the assignment month net of what was given back (with the three months before as
CUPED's pre-period), referrals made, and their latest NPS answer.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from goodwill.analytics.scorecard.store_reads import ArmRow
from goodwill.analytics.scorecard.window import Window, all_rows, moments_of, ts
from goodwill.domain.stats import PairedStats, SampleStats

#: Months of revenue after (and, for CUPED, before) the month of assignment.
POST_MONTHS, PRE_MONTHS = 6, 3


def arms_table(arms: list[ArmRow], given_back: dict[str, int]) -> ibis.Table:
    """The assignments of one experiment as an in-memory table, with what each was given."""
    return ibis.memtable(
        {
            "customer_id": [a.customer_id for a in arms],
            "arm": [a.arm for a in arms],
            "assigned_at": [a.assigned_at for a in arms],
            "given_minor": [given_back.get(a.customer_id, 0) for a in arms],
        },
        schema={
            "customer_id": "string",
            "arm": "string",
            "assigned_at": "timestamp('UTC')",
            "given_minor": "int64",
        },
    )


def retention_stats(
    arms: ibis.Table, customers: ibis.Table, window: Window, days: int
) -> dict[str, SampleStats]:
    """Per arm: 1 for a customer still here ``days`` after assignment, of those followed that long."""
    followed = arms.filter(arms.assigned_at <= ts(window.days_before(days)))
    rows = followed.join(customers, "customer_id")
    horizon = rows.assigned_at + ibis.interval(days=days)
    stayed = (rows.left_at.isnull() | (rows.left_at >= horizon)).cast("float64")
    return _per_arm(rows.mutate(y=stayed), "y")


def revenue_stats(arms: ibis.Table, bills: ibis.Table, window: Window) -> dict[str, PairedStats]:
    """Per arm: (pre-period revenue, post-period revenue net of goodwill given) pairs, for
    the customers whose whole post period has been billed (a gift given last week has no
    revenue effect to show yet, and counting it as zero would read as a loss)."""
    month = arms.assigned_at.strftime("%Y-%m")
    first_post = _add_months(month, 1)
    billed = _add_months(first_post, POST_MONTHS - 1) <= window.periods[-1]
    arms = arms.mutate(month=month, first_post=first_post).filter(billed)
    joined = arms.left_join(bills, "customer_id")
    post = (joined.period >= joined.first_post) & (
        joined.period < _add_months(joined.first_post, POST_MONTHS)
    )
    pre = (joined.period < joined.month) & (joined.period >= _add_months(joined.month, -PRE_MONTHS))
    amount = joined.amount.coalesce(0)
    per_customer = joined.group_by("customer_id", "arm", "given_minor").aggregate(
        x=ibis.ifelse(pre, amount, 0).sum().cast("float64"),
        y=ibis.ifelse(post, amount, 0).sum().cast("float64"),
    )
    net = per_customer.mutate(y=per_customer.y - per_customer.given_minor)
    stats = net.group_by("arm").aggregate(
        n=net.count(),
        sum_x=net.x.sum(),
        sum_y=net.y.sum(),
        sum_x2=(net.x * net.x).sum(),
        sum_y2=(net.y * net.y).sum(),
        sum_xy=(net.x * net.y).sum(),
    )
    return {
        r["arm"]: PairedStats(r["n"], r["sum_x"], r["sum_y"], r["sum_x2"], r["sum_y2"], r["sum_xy"])
        for r in all_rows(stats)
    }


def referral_stats(
    arms: ibis.Table, customers: ibis.Table, window: Window
) -> dict[str, SampleStats]:
    """Per arm: how many customers each one referred after their assignment."""
    referred = customers.filter(
        customers.referred_by.notnull() & (customers.joined_at < ts(window.end))
    )
    pairs = arms.left_join(referred, arms.customer_id == referred.referred_by)
    made = (pairs.joined_at.notnull() & (pairs.joined_at >= pairs.assigned_at)).cast("float64")
    counts = pairs.group_by(pairs.customer_id, pairs.arm).aggregate(y=made.sum())
    return _per_arm(counts, "y")


def nps_stats(arms: ibis.Table, feedback: ibis.Table, window: Window) -> dict[str, SampleStats]:
    """Per arm: each respondent's latest NPS after assignment coded promoter +1, passive 0,
    detractor -1, so that the mean is NPS/100 and Welch's test compares NPS."""
    nps = feedback.filter((feedback.kind == "nps") & (feedback.at < ts(window.end)))
    rows = arms.join(nps, "customer_id").filter(lambda t: t.at >= t.assigned_at)
    ranked = rows.mutate(
        rank=ibis.row_number().over(group_by="customer_id", order_by=ibis.desc("at"))
    )
    latest = ranked.filter(ranked["rank"] == 0)
    coded = latest.score.cases((9, 1.0), (10, 1.0), (7, 0.0), (8, 0.0), else_=-1.0)
    return _per_arm(latest.mutate(y=coded), "y")


def _per_arm(rows: ibis.Table, column: str) -> dict[str, SampleStats]:
    stats = rows.group_by("arm").aggregate(**moments_of(rows[column]))
    return {r["arm"]: SampleStats(r["n"], r["total"], r["sum_squares"]) for r in all_rows(stats)}


def _add_months(period: ir.StringValue, months: int) -> ir.StringValue:
    """``YYYY-MM`` plus ``months``, in SQL."""
    index = period.substr(0, 4).cast("int64") * 12 + period.substr(5, 2).cast("int64") - 1 + months
    year = (index // 12).cast("string")
    month = ((index % 12) + 1).cast("string").lpad(2, "0")
    return year.concat("-", month)

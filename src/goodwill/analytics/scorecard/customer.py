"""The customer perspective: retention, tenure, referrals, NPS, CSAT, complaints, fair price."""

from __future__ import annotations

from pathlib import Path

import ibis

from goodwill.analytics.scorecard.figures import Figure, Perspective
from goodwill.analytics.scorecard.retention import retention_curves
from goodwill.analytics.scorecard.window import (
    DAYS_PER_MONTH,
    Window,
    days_between,
    moments_of,
    one_row,
    ts,
)
from goodwill.domain.stats import Estimate, mean_estimate, net_promoter_score, proportion, rate_per
from goodwill.ledger.reader import Ledger


def latest_answers(feedback: ibis.Table, kind: str, window: Window) -> ibis.Table:
    """Each customer's latest answer of survey ``kind`` inside the window."""
    answers = feedback.filter(
        (feedback.kind == kind) & (feedback.at >= ts(window.start)) & (feedback.at < ts(window.end))
    )
    ranked = answers.mutate(
        rank=ibis.row_number().over(group_by="customer_id", order_by=ibis.desc("at"))
    )
    return ranked.filter(ranked["rank"] == 0)


def nps_figure(feedback: ibis.Table, window: Window) -> Figure:
    """NPS over each respondent's latest answer in the window (no answers: no NPS)."""
    answers = latest_answers(feedback, "nps", window)
    row = one_row(
        answers.aggregate(
            promoters=(answers.score >= 9).cast("int64").sum().coalesce(0),
            detractors=(answers.score <= 6).cast("int64").sum().coalesce(0),
            n=answers.count(),
        )
    )
    passives = row["n"] - row["promoters"] - row["detractors"]
    estimate = net_promoter_score(row["promoters"], passives, row["detractors"])
    return Figure("nps", "Net Promoter Score", estimate, "points")


def csat_figure(feedback: ibis.Table, window: Window) -> Figure:
    """The share of CSAT answers (1-5) that are 4 or 5."""
    answers = feedback.filter(
        (feedback.kind == "csat")
        & (feedback.at >= ts(window.start))
        & (feedback.at < ts(window.end))
    )
    row = one_row(
        answers.aggregate(satisfied=(answers.score >= 4).cast("int64").sum(), n=answers.count())
    )
    return Figure(
        "csat", "CSAT: satisfied (4-5 of 5)", proportion(row["satisfied"] or 0, row["n"]), "share"
    )


def complaint_figures(ledger: Ledger, window: Window) -> list[Figure]:
    """Complaints per 1,000 and per 100,000 customers per month (Ofcom's measure), over
    the window: complaints opened / the sum over its months of customers active at each
    month's start."""
    customers, tickets = ledger.table("customers"), ledger.table("tickets")
    starts = ibis.memtable(
        {
            "month_start": [
                window.start.replace(year=int(p[:4]), month=int(p[5:])) for p in window.periods
            ]
        }
    )
    month_start = starts.month_start.cast("timestamp('UTC')")
    active = customers.cross_join(starts).filter(
        (customers.joined_at < month_start)
        & (customers.left_at.isnull() | (customers.left_at >= month_start))
    )
    customer_months = one_row(active.aggregate(n=active.count()))["n"]
    complaints = tickets.filter(
        tickets.is_complaint
        & (tickets.opened_at >= ts(window.start))
        & (tickets.opened_at < ts(window.end))
    )
    count = one_row(complaints.aggregate(n=complaints.count()))["n"]
    return [
        Figure(
            "complaints_per_1000",
            "Complaints per 1,000 customers a month",
            rate_per(count, customer_months, 1000),
            "rate",
        ),
        Figure(
            "complaints_per_100000",
            "Complaints per 100,000 customers a month",
            rate_per(count, customer_months, 100_000),
            "rate",
        ),
    ]


def tenure_and_referrals(customers: ibis.Table, window: Window) -> list[Figure]:
    """Mean tenure of active customers, and the share of the window's joiners who were referred."""
    end = ts(window.end)
    active = customers.filter(
        (customers.joined_at < end) & (customers.left_at.isnull() | (customers.left_at >= end))
    )
    tenure = one_row(
        active.aggregate(**moments_of(days_between(active.joined_at, end) / DAYS_PER_MONTH))
    )
    joiners = customers.filter(
        (customers.joined_at >= ts(window.start)) & (customers.joined_at < end)
    )
    referred = one_row(
        joiners.aggregate(
            referred=joiners.referred_by.notnull().cast("int64").sum(), n=joiners.count()
        )
    )
    return [
        Figure(
            "tenure_months",
            "Mean tenure of active customers",
            mean_estimate(tenure["n"], tenure["total"], tenure["sum_squares"]),
            "months",
        ),
        Figure(
            "referral_rate",
            "Joiners who were referred",
            proportion(referred["referred"] or 0, referred["n"]),
            "share",
        ),
    ]


def fair_price_figure(advice: ibis.Table | None) -> Figure:
    """The share of rated subscriptions already on their best-fit plan (not advised to move)."""
    if advice is None:
        return Figure(
            "fair_price",
            "On their best-fit plan",
            Estimate.missing(0, "plan advice not computed"),
            "share",
        )
    row = one_row(
        advice.aggregate(rated=advice.count(), advised=advice.advised.cast("int64").sum())
    )
    return Figure(
        "fair_price",
        "On their best-fit plan",
        proportion(row["rated"] - (row["advised"] or 0), row["rated"]),
        "share",
    )


def customer_perspective(
    ledger: Ledger, window: Window, advice: ibis.Table | None, pins_file: Path | None = None
) -> Perspective:
    """Every customer figure, the retention curves, and a reading of them; the top themes
    are those of the desk and ``goodwill themes`` (the same pins, the same kept fit)."""
    from goodwill.analytics.themes.scorecard import theme_figures  # themes import the window

    customers, feedback = ledger.table("customers"), ledger.table("feedback")
    overall, cohorts = retention_curves(customers, window)
    figures = [
        Figure(
            "retention_12m", "Still a customer 12 months after joining", overall.km.at(12), "share"
        ),
        *tenure_and_referrals(customers, window),
        nps_figure(feedback, window),
        csat_figure(feedback, window),
        *complaint_figures(ledger, window),
        fair_price_figure(advice),
        *theme_figures(ledger, window, pins_file=pins_file),
    ]
    recent = [cohorts[c] for c in sorted(cohorts)[-24:-12]]
    return Perspective("customer", tuple(figures), "", curves=(overall, *recent))

"""The learning perspective: does giving pay? Treatment against holdout for every gift kind,
and whether NPS predicts churn better than what customers do."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import ibis
from sqlalchemy import Engine

from goodwill.analytics.scorecard import experiment_metrics as em
from goodwill.analytics.scorecard.figures import Figure, Lift, Perspective
from goodwill.analytics.scorecard.store_reads import ArmRow, experiment_arms, given_back_by_customer
from goodwill.analytics.scorecard.window import Window, all_rows, ts
from goodwill.domain.stats import (
    Estimate,
    LiftResult,
    SampleStats,
    auc_from_counts,
    cuped_lift,
    lift_test,
)
from goodwill.ledger.reader import Ledger

#: How long after an NPS answer churn is looked for, and how far back behaviour is counted.
PREDICTION_DAYS = 182


def _pair(stats: dict[str, SampleStats], metric: str, kind: str, relative: bool) -> Lift:
    control, treatment = stats.get("holdout"), stats.get("treatment")
    if control is None or treatment is None:
        empty = LiftResult(
            "relative" if relative else "absolute",
            0,
            0,
            None,
            None,
            None,
            reason="no customers in one arm",
        )
        return Lift(kind, metric, empty)
    return Lift(kind, metric, lift_test(control, treatment, relative=relative))


def experiment_lifts(
    ledger: Ledger, window: Window, kind: str, arms: list[ArmRow], given: dict[str, int]
) -> list[Lift]:
    """The lifts of one gift kind on retention (90, 180 days), net revenue, referrals and NPS."""
    table = em.arms_table(arms, given)
    customers = ledger.table("customers")
    lifts = [
        _pair(
            em.retention_stats(table, customers, window, days),
            f"retained_{days}d",
            kind,
            relative=False,
        )
        for days in (90, 180)
    ]
    revenue = em.revenue_stats(table, ledger.table("bills"), window)
    if "holdout" in revenue and "treatment" in revenue:
        for relative in (True, False):
            cuped = cuped_lift(revenue["holdout"], revenue["treatment"], relative=relative)
            metric = "net_revenue" if relative else "net_revenue_minor"
            lifts.append(Lift(kind, metric, cuped.adjusted, cuped.variance_reduction))
    lifts.append(
        _pair(em.referral_stats(table, customers, window), "referrals", kind, relative=False)
    )
    lifts.append(
        _pair(
            em.nps_stats(table, ledger.table("feedback"), window), "nps_score", kind, relative=False
        )
    )
    return lifts


def prediction_figures(ledger: Ledger, window: Window) -> list[Figure]:
    """AUC for churn in the 6 months after an NPS answer: of the score (low = churn) and of
    behaviour (complaints and broken promises in the 6 months before the answer)."""
    customers, feedback = ledger.table("customers"), ledger.table("feedback")
    tickets, promises = ledger.table("tickets"), ledger.table("promises")
    cutoff = ts(window.end - timedelta(days=PREDICTION_DAYS))
    answers = feedback.filter((feedback.kind == "nps") & (feedback.at < cutoff))
    ranked = answers.mutate(
        rank=ibis.row_number().over(group_by="customer_id", order_by=ibis.desc("at"))
    )
    latest = ranked.filter(ranked["rank"] == 0).select("customer_id", "at", "score")
    gap = ibis.interval(days=PREDICTION_DAYS)
    who = latest.join(customers, "customer_id")
    churned = who.left_at.notnull() & (who.left_at > who.at) & (who.left_at <= who.at + gap)
    base = who.select("customer_id", "at", "score", churned=churned)
    complaints = (
        base.left_join(tickets.filter(tickets.is_complaint), "customer_id")
        .group_by("customer_id")
        .aggregate(
            n_bad=lambda t: (
                ((t.opened_at < t.at) & (t.opened_at >= t.at - gap)).cast("int64").sum().coalesce(0)
            )
        )
    )
    broken = (
        base.left_join(promises, "customer_id")
        .group_by("customer_id")
        .aggregate(
            n_broken=lambda t: (
                (
                    (t.due_at < t.at)
                    & (t.due_at >= t.at - gap)
                    & (t.kept_at.isnull() | (t.kept_at > t.due_at))
                )
                .cast("int64")
                .sum()
                .coalesce(0)
            )
        )
    )
    scored = base.join(complaints, "customer_id").join(broken, "customer_id")
    scored = scored.mutate(behaviour=scored.n_bad + scored.n_broken, neg_score=-scored.score)
    return [
        Figure(
            "auc_nps", "AUC of NPS for churn within 6 months", _auc(scored, "neg_score"), "share"
        ),
        Figure(
            "auc_behaviour",
            "AUC of complaints and broken promises for churn",
            _auc(scored, "behaviour"),
            "share",
        ),
    ]


def _auc(scored: ibis.Table, column: str) -> Estimate:
    counts = scored.group_by(value=scored[column], churned=scored.churned).aggregate(
        n=scored.count()
    )
    positives: dict[float, int] = defaultdict(int)
    negatives: dict[float, int] = defaultdict(int)
    for row in all_rows(counts):
        (positives if row["churned"] else negatives)[float(row["value"])] += row["n"]
    return auc_from_counts(positives, negatives)


def learning_perspective(ledger: Ledger, window: Window, store: Engine | None) -> Perspective:
    """Lifts of every gift kind with a holdout, and the NPS-against-behaviour check."""
    figures = prediction_figures(ledger, window)
    lifts: list[Lift] = []
    if store is not None:
        by_kind: dict[str, list[ArmRow]] = defaultdict(list)
        for row in experiment_arms(store):
            by_kind[row.kind].append(row)
        given = given_back_by_customer(store)
        for kind in sorted(by_kind):
            lifts.extend(experiment_lifts(ledger, window, kind, by_kind[kind], given))
    return Perspective("learning", tuple(figures), "", lifts=tuple(lifts))

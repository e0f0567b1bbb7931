"""Retention by joining cohort: Kaplan-Meier from counts per (cohort, month) computed in SQL."""

from __future__ import annotations

from collections import defaultdict

import ibis

from goodwill.analytics.scorecard.figures import Curve
from goodwill.analytics.scorecard.window import DAYS_PER_MONTH, Window, all_rows, days_between, ts
from goodwill.domain.stats import SurvivalStep, kaplan_meier


def survival_counts(customers: ibis.Table, window: Window) -> ibis.Table:
    """Per joining month and whole month of tenure: how many left, how many are censored.

    A customer who left is counted at the month their leaving fell in (ceil), one still
    here at ``asof`` is censored after the months they completed (floor).
    """
    end = ts(window.end)
    joined = customers.filter(customers.joined_at < end)
    left = joined.left_at.notnull() & (joined.left_at < end)
    days = days_between(joined.joined_at, ibis.ifelse(left, joined.left_at, end))
    months = ibis.ifelse(left, (days / DAYS_PER_MONTH).ceil(), (days / DAYS_PER_MONTH).floor())
    rows = joined.select(
        cohort=joined.joined_at.strftime("%Y-%m"), month=months.cast("int64"), left=left
    )
    return rows.group_by("cohort", "month").aggregate(
        events=rows.left.cast("int64").sum(), censored=(~rows.left).cast("int64").sum()
    )


def retention_curves(customers: ibis.Table, window: Window) -> tuple[Curve, dict[str, Curve]]:
    """The curve of all customers, and one per monthly joining cohort."""
    by_cohort: dict[str, list[SurvivalStep]] = defaultdict(list)
    pooled: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in all_rows(survival_counts(customers, window).order_by("cohort", "month")):
        by_cohort[row["cohort"]].append(SurvivalStep(row["month"], row["events"], row["censored"]))
        pooled[row["month"]][0] += row["events"]
        pooled[row["month"]][1] += row["censored"]
    overall = kaplan_meier([SurvivalStep(m, e, c) for m, (e, c) in sorted(pooled.items())])
    cohorts = {name: Curve(name, kaplan_meier(steps)) for name, steps in by_cohort.items()}
    return Curve("all customers", overall), cohorts

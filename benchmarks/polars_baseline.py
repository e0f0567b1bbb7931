"""The same plan advice written in polars over the stored ledger: a baseline.

A lazy query: the window's usage pivoted to one row per subscription-month (only months
the subscription was live in), rated under its current plan, then under each plan on sale
(one expression per plan, so no subscriptions x plans frame is ever materialized; the 20
per-plan sums are concatenated), and the best plan picked per subscription by sorting
(lowest total, then most months fitting, then most headroom, then the lower plan id).
Same rules and integers as :mod:`goodwill.domain.advice`; the plan terms come from
:func:`goodwill.domain.rating.kind_terms` (pandas_baseline._terms). Like the pandas
baseline it rates one currency's plans (the benchmark's operator has one).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from goodwill.analytics.catalogue import Catalogue
from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.domain.advice import HEADROOM_MAX
from goodwill.domain.periods import first_day, window_periods
from goodwill.settings import Settings
from pandas_baseline import _terms


def _cost(terms: dict[str, Any], kinds: list[str]) -> pl.Expr:
    """One month's cost under a plan's terms (fee + each kind's overage, rounded up)."""
    cost = pl.lit(int(terms["fee"]), pl.Int64)
    for k in kinds:
        excess = (pl.col(k) - int(terms[f"inc_{k}"])).clip(lower_bound=0)
        cost = cost + (excess * int(terms[f"rate_{k}"]) + 9999) // 10000
    return cost


def _fits(terms: dict[str, Any], kinds: list[str]) -> pl.Expr:
    fits = pl.lit(True)
    for k in kinds:
        if terms[f"capped_{k}"]:
            fits = fits & (pl.col(k) <= int(terms[f"inc_{k}"]))
    return fits


def _headroom(terms: dict[str, Any], kinds: list[str]) -> pl.Expr:
    found = pl.lit(HEADROOM_MAX, pl.Int64)
    for k in kinds:
        room, peak = int(terms[f"room_{k}"]), pl.col(f"peak_{k}")
        if room >= 0:
            ratio = pl.when(peak > 0).then(room * 1000 // peak).otherwise(HEADROOM_MAX)
            found = pl.min_horizontal(found, ratio)
    return found


def advise(folder: Path, catalogue: Catalogue, asof: date, settings: Settings) -> pl.DataFrame:
    """subscription_id, recommended_plan_id, monthly_saving_minor for the advised ones, read
    from the ledger folder's Parquet files."""
    window = window_periods(asof, settings.lookback_months)
    cutoff = start_of_day_after(asof)
    usage = pl.scan_parquet(folder / "usage" / "**" / "*.parquet", hive_partitioning=True)
    usage = usage.with_columns(pl.col("period").cast(pl.String)).filter(
        pl.col("period").is_in(window)
    )
    kinds = sorted(usage.select(pl.col("kind").unique()).collect()["kind"].to_list())
    subs = pl.scan_parquet(folder / "subscriptions.parquet").filter(
        (pl.col("started_at") < cutoff)
        & (pl.col("ended_at").is_null() | (pl.col("ended_at") >= cutoff))
    )
    live = pl.LazyFrame(
        {"period": window, "live": [start_of_day_after(first_day(p)) for p in window]},
        schema={"period": pl.String, "live": pl.Datetime("us", "UTC")},
    )
    wide = (
        usage.join(subs.select("subscription_id", "plan_id", "started_at"), on="subscription_id")
        .join(live, on="period")
        .filter(pl.col("started_at") < pl.col("live"))
        .group_by("subscription_id", "period")
        .agg(
            pl.col("plan_id").first(),
            *[pl.col("quantity").filter(pl.col("kind") == k).sum().alias(k) for k in kinds],
        )
        .with_columns(pl.len().over("subscription_id").alias("months"))
        .filter(pl.col("months") >= settings.min_history_months)
    )
    terms = _terms(catalogue, kinds).to_dict("records")
    by_plan = {t["plan_id"]: t for t in terms}
    current = pl.lit(0, pl.Int64)
    for plan_id, t in by_plan.items():  # the current plan's cost, one branch per plan
        current = pl.when(pl.col("plan_id") == plan_id).then(_cost(t, kinds)).otherwise(current)
    history = wide.with_columns(current.alias("current_cost")).collect().lazy()
    base = history.group_by("subscription_id").agg(
        pl.col("plan_id").first().alias("current_plan"),
        pl.col("months").first(),
        pl.col("current_cost").sum().alias("current_total"),
        *[pl.col(k).max().alias(f"peak_{k}") for k in kinds],
    )
    per_plan = [
        history.group_by("subscription_id")
        .agg(
            _cost(t, kinds).sum().alias("total"),
            _fits(t, kinds).sum().cast(pl.Int64).alias("fitting"),
        )
        .with_columns(pl.lit(t["plan_id"]).alias("candidate"))
        .join(base, on="subscription_id")
        .with_columns(_headroom(t, kinds).alias("headroom"))
        for t in terms
        if t["on_sale"] and t["sim_only"]
    ]
    rated = pl.concat(per_plan).filter(
        pl.col("months") - pl.col("fitting") <= settings.max_unfit_months
    )
    best = (
        rated.sort(
            ["subscription_id", "total", "fitting", "headroom", "candidate"],
            descending=[False, False, True, True, False],
        )
        .group_by("subscription_id", maintain_order=True)
        .first()
    )
    saving = pl.col("current_total") - pl.col("total")
    n = pl.col("months")
    monthly = (2 * pl.col("current_total") + n) // (2 * n) - (2 * pl.col("total") + n) // (2 * n)
    return (
        best.filter(
            (pl.col("candidate") != pl.col("current_plan"))
            & (saving > 0)
            & (saving >= settings.min_saving_minor * n)
            & (saving * 100 >= settings.min_saving_percent * pl.col("current_total"))
        )
        .select(
            "subscription_id",
            pl.col("candidate").alias("recommended_plan_id"),
            monthly.alias("monthly_saving_minor"),
        )
        .sort("subscription_id")
        .collect()
    )

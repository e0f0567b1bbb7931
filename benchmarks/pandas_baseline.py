"""The same plan advice written the way a data analyst would, in pandas: the baseline.

Long usage is pivoted to one row per subscription-month, crossed with the plans on sale
(in chunks of subscriptions, or 1M subscriptions x 6 months x 20 plans would need tens of
GB), rated column by column, grouped per subscription and plan, and sorted to pick the
best plan. Same rules, same integers, same tie-breaks as ``goodwill.analytics.advice``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd

from goodwill.analytics.catalogue import Catalogue
from goodwill.domain.advice import HEADROOM_INCLUDED_LIMIT, HEADROOM_MAX
from goodwill.domain.periods import first_day, window_periods
from goodwill.domain.rating import kind_terms
from goodwill.settings import Settings

#: An allowance nobody reaches: what "unlimited" becomes in the baseline's terms.
UNLIMITED = 2**62


def _terms(catalogue: Catalogue, kinds: list[str]) -> pd.DataFrame:
    rows = []
    for p in catalogue.plans:
        row = {
            "plan_id": p.plan_id,
            "fee": p.monthly_fee_minor,
            "on_sale": p.on_sale,
            "sim_only": p.sim_only,
        }
        for k in kinds:
            t = kind_terms(p, k, catalogue.rates_for(p.currency))
            row[f"inc_{k}"] = UNLIMITED if t.included is None else t.included
            row[f"rate_{k}"] = t.rate_units or 0
            row[f"capped_{k}"] = t.rate_units is None
            row[f"room_{k}"] = (
                -1 if t.included is None else min(t.included, HEADROOM_INCLUDED_LIMIT)
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _rate(frame: pd.DataFrame, kinds: list[str]) -> tuple[pd.Series, pd.Series]:
    cost = frame["fee"].to_numpy().copy()
    fits = np.ones(len(frame), dtype=bool)
    for k in kinds:
        excess = np.maximum(frame[k].to_numpy() - frame[f"inc_{k}"].to_numpy(), 0)
        cost += -(-(excess * frame[f"rate_{k}"].to_numpy()) // 10_000)
        fits &= ~(frame[f"capped_{k}"].to_numpy() & (excess > 0))
    return pd.Series(cost, index=frame.index), pd.Series(fits, index=frame.index)


def _history(usage: pd.DataFrame, subs: pd.DataFrame, asof: date, settings: Settings) -> tuple:
    window = window_periods(asof, settings.lookback_months)
    use = usage[usage["period"].isin(window)]
    wide = use.pivot_table(index=["subscription_id", "period"], columns="kind", values="quantity",
                           aggfunc="sum", fill_value=0).reset_index()  # fmt: skip
    kinds = [c for c in wide.columns if c not in ("subscription_id", "period")]
    cutoff = pd.Timestamp(datetime.combine(asof + timedelta(days=1), time(), tzinfo=UTC))
    active = subs[
        (subs["started_at"] < cutoff) & (subs["ended_at"].isna() | (subs["ended_at"] >= cutoff))
    ]
    wide = wide.merge(
        active[["subscription_id", "customer_id", "plan_id", "started_at"]], on="subscription_id"
    )
    month_start = wide["period"].map(
        {
            p: pd.Timestamp(datetime.combine(first_day(p) + timedelta(days=1), time(), tzinfo=UTC))
            for p in window
        }
    )
    wide = wide[wide["started_at"] < month_start]
    months = wide.groupby("subscription_id")["period"].transform("size")
    wide = wide[months >= settings.min_history_months].assign(months=months)
    return wide, kinds


def _chunks(wide: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    ids = wide["subscription_id"].unique()
    for start in range(0, len(ids), size):
        yield wide[wide["subscription_id"].isin(ids[start : start + size])]


def advise(frames: dict[str, pd.DataFrame], catalogue: Catalogue, asof: date, settings: Settings,
           chunk: int = 100_000) -> pd.DataFrame:  # fmt: skip
    """subscription_id, recommended_plan_id, monthly_saving_minor for the advised ones."""
    wide, kinds = _history(frames["usage"], frames["subscriptions"], asof, settings)
    terms = _terms(catalogue, kinds)
    current = wide.merge(terms, on="plan_id")
    current["current_cost"], _ = _rate(current, kinds)
    wide = wide.merge(
        current[["subscription_id", "period", "current_cost"]], on=["subscription_id", "period"]
    )
    peaks = wide.groupby("subscription_id")[kinds].max().add_prefix("peak_").reset_index()
    candidates = (
        terms[terms["on_sale"] & terms["sim_only"]]
        .drop(columns="plan_id")
        .assign(candidate=terms.loc[terms["on_sale"] & terms["sim_only"], "plan_id"].to_numpy())
    )
    found = [
        _advise_chunk(part, candidates, peaks, kinds, settings) for part in _chunks(wide, chunk)
    ]
    return pd.concat(found, ignore_index=True)


def _advise_chunk(part: pd.DataFrame, candidates: pd.DataFrame, peaks: pd.DataFrame, kinds: list[str],
                  settings: Settings) -> pd.DataFrame:  # fmt: skip
    crossed = part.merge(candidates, how="cross")
    crossed["cost"], crossed["fits"] = _rate(crossed, kinds)
    crossed["cheaper"] = crossed["cost"] < crossed["current_cost"]
    scores = crossed.groupby(["subscription_id", "candidate"], sort=False).agg(
        total=("cost", "sum"), fitting=("fits", "sum"), cheaper=("cheaper", "sum"),
        months=("months", "first"), current_total=("current_cost", "sum"),
        current_plan=("plan_id", "first")).reset_index()  # fmt: skip
    scores = scores.merge(candidates[["candidate", *[f"room_{k}" for k in kinds]]], on="candidate")
    scores = scores.merge(peaks, on="subscription_id")
    headroom = np.full(len(scores), HEADROOM_MAX, dtype=np.int64)
    for k in kinds:
        room, peak = scores[f"room_{k}"].to_numpy(), scores[f"peak_{k}"].to_numpy()
        ok = (peak > 0) & (room >= 0)
        ratio = np.where(ok, room * 1000 // np.where(ok, peak, 1), HEADROOM_MAX)
        headroom = np.minimum(headroom, ratio)
    scores["headroom"] = headroom
    scores = scores[scores["months"] - scores["fitting"] <= settings.max_unfit_months]
    scores = scores.assign(neg_fit=-scores["fitting"], neg_room=-scores["headroom"])
    best = scores.sort_values(["subscription_id", "total", "neg_fit", "neg_room", "candidate"])
    best = best.drop_duplicates("subscription_id")
    saving = best["current_total"] - best["total"]
    worth = (best["candidate"] != best["current_plan"]) & (saving > 0)
    worth &= saving >= settings.min_saving_minor * best["months"]
    worth &= saving * 100 >= settings.min_saving_percent * best["current_total"]
    best = best[worth]
    n = best["months"]
    monthly = (2 * best["current_total"] + n) // (2 * n) - (2 * best["total"] + n) // (2 * n)
    return pd.DataFrame({"subscription_id": best["subscription_id"].to_numpy(),
                         "recommended_plan_id": best["candidate"].to_numpy(),
                         "monthly_saving_minor": monthly.to_numpy()})  # fmt: skip

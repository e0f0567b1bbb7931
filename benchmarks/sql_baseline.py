"""The same plan advice as one hand-written DuckDB SQL query over the stored ledger: a baseline.

What an analyst fluent in SQL would write: the window's usage pivoted to one row per
subscription-month (only months the subscription was live in), crossed with the plans on
sale, each month rated with the same integer rule (use beyond the allowance times the
rate in 1/10,000 minor units, rounded up per kind; a capped kind fits only within its
allowance), summed per subscription and plan, and the best plan picked by a window
(lowest total, then most months fitting, then most headroom, then the lower plan id).
Same rules as :mod:`goodwill.domain.advice`; the plan terms come from
:func:`goodwill.domain.rating.kind_terms` (pandas_baseline._terms), so the default
out-of-bundle rates are the domain's. Like the pandas baseline it rates one currency's
plans (the benchmark's operator has one).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from goodwill.analytics.catalogue import Catalogue
from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.domain.advice import HEADROOM_MAX
from goodwill.domain.periods import first_day, window_periods
from goodwill.settings import Settings
from pandas_baseline import _terms


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def advice_sql(kinds: list[str], asof: date, settings: Settings) -> str:
    """The query; it reads the views ``usage``, ``subscriptions`` and ``terms``."""
    window = window_periods(asof, settings.lookback_months)
    live = ", ".join(f"('{p}', TIMESTAMPTZ '{start_of_day_after(first_day(p))}')" for p in window)
    cutoff = f"TIMESTAMPTZ '{start_of_day_after(asof)}'"
    pivot = ", ".join(
        f"coalesce(sum(u.quantity) FILTER (WHERE u.kind = '{k}'), 0)::BIGINT AS {_q(k)}"
        for k in kinds
    )

    def cost(t: str, w: str) -> str:
        overage = " + ".join(
            f"(greatest({w}.{_q(k)} - {t}.{_q('inc_' + k)}, 0) * {t}.{_q('rate_' + k)} + 9999)"
            " // 10000"
            for k in kinds
        )
        return f"{t}.fee + {overage or '0'}"

    fits = " AND ".join(
        f"NOT (p.{_q('capped_' + k)} AND w.{_q(k)} > p.{_q('inc_' + k)})" for k in kinds
    )
    peaks = ", ".join(f"max(w.{_q(k)}) AS {_q('peak_' + k)}" for k in kinds)
    headroom = ", ".join(
        f"CASE WHEN b.{_q('peak_' + k)} > 0 AND p.{_q('room_' + k)} >= 0 "
        f"THEN p.{_q('room_' + k)} * 1000 // b.{_q('peak_' + k)} ELSE {HEADROOM_MAX} END"
        for k in kinds
    )
    r = settings
    return f"""
WITH months(period, live) AS (VALUES {live}),
active AS (
  SELECT subscription_id, plan_id, started_at FROM subscriptions
  WHERE started_at < {cutoff} AND (ended_at IS NULL OR ended_at >= {cutoff})),
wide AS (
  SELECT u.subscription_id, u.period, any_value(a.plan_id) AS plan_id, {pivot or "1 AS one"}
  FROM usage u JOIN active a USING (subscription_id) JOIN months m USING (period)
  WHERE a.started_at < m.live
  GROUP BY u.subscription_id, u.period),
history AS (
  SELECT w.*, {cost("c", "w")} AS current_cost,
         count(*) OVER (PARTITION BY w.subscription_id) AS months
  FROM wide w JOIN terms c USING (plan_id)),
base AS (
  SELECT subscription_id, any_value(plan_id) AS current_plan, any_value(months) AS months,
         sum(current_cost) AS current_total, {peaks}
  FROM history w WHERE months >= {r.min_history_months} GROUP BY subscription_id),
rated AS (
  SELECT w.subscription_id, p.plan_id AS candidate, sum({cost("p", "w")}) AS total,
         count(*) FILTER (WHERE {fits or "true"}) AS fitting
  FROM history w CROSS JOIN (SELECT * FROM terms WHERE on_sale AND sim_only) p
  WHERE w.months >= {r.min_history_months}
  GROUP BY w.subscription_id, p.plan_id),
ranked AS (
  SELECT r.*, b.current_plan, b.months, b.current_total,
         least({HEADROOM_MAX}, {headroom}) AS headroom
  FROM rated r JOIN base b USING (subscription_id) JOIN terms p ON p.plan_id = r.candidate
  WHERE b.months - r.fitting <= {r.max_unfit_months}),
best AS (
  SELECT * FROM ranked
  QUALIFY row_number() OVER (PARTITION BY subscription_id
                             ORDER BY total, fitting DESC, headroom DESC, candidate) = 1)
SELECT subscription_id, candidate AS recommended_plan_id,
       (2 * current_total + months) // (2 * months) - (2 * total + months) // (2 * months)
         AS monthly_saving_minor
FROM best
WHERE candidate <> current_plan AND current_total - total > 0
  AND current_total - total >= {r.min_saving_minor} * months
  AND (current_total - total) * 100 >= {r.min_saving_percent} * current_total
ORDER BY subscription_id
"""


def advise(
    con: duckdb.DuckDBPyConnection, catalogue: Catalogue, asof: date, settings: Settings
) -> pd.DataFrame:
    """subscription_id, recommended_plan_id, monthly_saving_minor for the advised ones;
    ``con`` has the ledger's ``usage`` and ``subscriptions`` views."""
    window = window_periods(asof, settings.lookback_months)
    kinds = [
        k
        for (k,) in con.execute(
            "SELECT DISTINCT kind FROM usage WHERE period IN "
            f"({', '.join(repr(p) for p in window)}) ORDER BY 1"
        ).fetchall()
    ]
    con.register("terms", _terms(catalogue, kinds))
    return con.execute(advice_sql(kinds, asof, settings)).df()

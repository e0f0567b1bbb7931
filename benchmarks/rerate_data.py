"""A synthetic operator for the re-rating benchmark: N subscriptions x 6 months x 20 plans.

Made inside DuckDB (seconds for 1M subscriptions) from hashes, so the same N always gives
the same ledger. 20 SIM-only plans are on sale, with the kinds a UK operator prices:
minutes and texts (capped, charged or unlimited), data (charged per MB or capped),
on-net calls (unlimited), and international minutes and roaming data from the default
out-of-bundle price list (roaming at a fractional 0.5p a MB, so the exact ceiling
division is exercised). Current plans are drawn from those and from 4 legacy plans.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from goodwill.ledger.reader import Ledger, ledger_from_frames

ASOF = date(2026, 11, 23)
GB = 1000
# (fee, minutes included (None: unlimited), data MB included (None: unlimited), data capped)
_TIERS = [
    (500, 100, 500, False), (600, 250, 1 * GB, False), (700, 300, 2 * GB, True),
    (750, 500, 3 * GB, True), (800, 500, 4 * GB, False), (900, None, 5 * GB, True),
    (1000, None, 8 * GB, False), (1100, None, 10 * GB, True), (1200, None, 15 * GB, True),
    (1300, None, 20 * GB, False), (1400, None, 25 * GB, True), (1500, None, 30 * GB, True),
    (1600, None, 40 * GB, True), (1700, None, 50 * GB, False), (1800, None, 60 * GB, True),
    (1900, None, 80 * GB, True), (2000, None, 100 * GB, True), (2200, None, 150 * GB, True),
    (2400, None, 200 * GB, True), (2600, None, None, True),
]  # fmt: skip
_LEGACY = [(900, 200, 500, False), (1200, 600, 3 * GB, False), (1600, None, 8 * GB, True),
           (2100, None, 20 * GB, False)]  # fmt: skip
KINDS = ("voice_min", "voice_onnet_min", "sms", "data_mb", "intl_min", "roaming_mb")


def _catalogue(fractional: bool) -> dict[str, pd.DataFrame]:
    plans, allowances = [], []
    tiers = [(f"P{i:02d}", True, t) for i, t in enumerate(_TIERS)]
    tiers += [(f"L{i:02d}", False, t) for i, t in enumerate(_LEGACY)]
    data_rate = "2.5" if fractional else "10"
    for plan_id, on_sale, (fee, minutes, data, capped) in tiers:
        plans.append((plan_id, f"Plan {plan_id}", fee, "GBP", on_sale, 0, 0))
        allowances += [
            (plan_id, "voice_min", minutes, "25" if minutes is not None else None),
            (plan_id, "voice_onnet_min", None, None),
            (plan_id, "sms", None if minutes is None else 2 * minutes, None),
            (plan_id, "data_mb", data, None if capped else data_rate),
        ]
    return {
        "plans": pd.DataFrame(plans, columns=["plan_id", "name", "monthly_fee", "currency",
                                              "on_sale", "contract_months", "device_fee"]),
        "plan_allowances": pd.DataFrame(allowances, columns=["plan_id", "kind", "included",
                                                             "overage_rate"]),
        "default_rates": pd.DataFrame([("intl_min", "GBP", "50"), ("roaming_mb", "GBP", "0.5")],
                                      columns=["kind", "currency", "overage_rate"]),
    }  # fmt: skip


_SUBSCRIPTIONS = """
CREATE {what} subscriptions AS
SELECT 'S' || lpad(i::VARCHAR, 9, '0') AS subscription_id,
       'C' || lpad(i::VARCHAR, 9, '0') AS customer_id,
       NULL::VARCHAR AS user_name,
       (SELECT list(plan_id ORDER BY plan_id) FROM plans)[(1 + hash(i, 'plan') % 24)::BIGINT] AS plan_id,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' AS started_at,
       NULL::TIMESTAMPTZ AS ended_at,
       NULL::DATE AS contract_end
FROM range({n}) t(i)
"""
# Each line has an appetite (lognormal-ish, from a hash) and varies month to month.
_USAGE = """
CREATE {what} usage AS
WITH lines AS (
  SELECT i, 'S' || lpad(i::VARCHAR, 9, '0') AS subscription_id,
         exp(4.0 * (hash(i, 'appetite') % 10000) / 10000.0 - 2.0) AS appetite
  FROM range({n}) t(i)),
months AS (SELECT m, strftime(DATE '2026-05-01' + INTERVAL (m) MONTH, '%Y-%m') AS period
           FROM range(6) t(m)),
kinds AS (SELECT * FROM (VALUES ('voice_min', 200.0, 1.0), ('voice_onnet_min', 60.0, 1.0),
                                ('sms', 80.0, 1.0), ('data_mb', 4000.0, 1.0),
                                ('intl_min', 10.0, 0.1), ('roaming_mb', 300.0, 0.1)) k(kind, base, share))
SELECT subscription_id, period, kind,
       round(base * appetite * (0.6 + 0.8 * (hash(i, m, kind) % 1000) / 1000.0))::BIGINT AS quantity
FROM lines, months, kinds
WHERE share >= 1.0 OR (hash(i, m, kind, 'use') % 1000) < share * 1000
"""


def synthetic_ledger(
    subscriptions: int, *, fractional: bool = False, in_memory: bool = True
) -> Ledger:
    """A ledger of ``subscriptions`` lines with 6 months of use before ASOF.

    ``in_memory``: tables held by DuckDB; otherwise views that generate the rows each time
    they are read, so that writing 10M subscriptions to Parquet streams instead of holding
    250M usage rows in memory.
    """
    ledger = ledger_from_frames(_catalogue(fractional))
    what = "TABLE" if in_memory else "VIEW"
    for table, sql in (("subscriptions", _SUBSCRIPTIONS), ("usage", _USAGE)):
        ledger.con.raw_sql(f'DROP VIEW "{table}"')
        ledger.con.raw_sql(sql.format(n=subscriptions, what=what))
    return ledger

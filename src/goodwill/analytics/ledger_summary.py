"""A short description of what a ledger holds, for people: the first thing the demo shows."""

from __future__ import annotations

import json
from dataclasses import dataclass

import ibis

from goodwill.ledger.reader import MANIFEST, Ledger


@dataclass(frozen=True)
class LedgerSummary:
    """Counts that tell a newcomer what they are looking at."""

    customers: int
    active_customers: int
    subscriptions: int
    active_subscriptions: int
    payer_not_user: int
    plans: int
    plans_on_sale: int
    usage_rows: int
    first_period: str | None
    last_period: str | None
    usage_months: int
    quarantined: int


def summarize_ledger(ledger: Ledger) -> LedgerSummary:
    """Count customers, subscriptions, plans and months of usage; active means not ended."""
    customers = ledger.table("customers")
    subs = ledger.table("subscriptions")
    plans = ledger.table("plans")
    usage = ledger.table("usage")
    counts = ibis.memtable({"one": [1]}).select(
        customers=customers.count().as_scalar(),
        active_customers=customers.filter(customers.left_at.isnull()).count().as_scalar(),
        subscriptions=subs.count().as_scalar(),
        active_subscriptions=subs.filter(subs.ended_at.isnull()).count().as_scalar(),
        payer_not_user=subs.filter(subs.user_name.notnull()).count().as_scalar(),
        plans=plans.count().as_scalar(),
        plans_on_sale=plans.filter(plans.on_sale).count().as_scalar(),
        usage_rows=usage.count().as_scalar(),
        first_period=usage.period.min().as_scalar(),
        last_period=usage.period.max().as_scalar(),
        usage_months=usage.period.nunique().as_scalar(),
    )
    row = ledger.con.execute(counts).iloc[0]
    manifest_path = ledger.path / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    quarantined = sum(manifest.get("quarantined", {}).values())
    return LedgerSummary(
        customers=int(row.customers),
        active_customers=int(row.active_customers),
        subscriptions=int(row.subscriptions),
        active_subscriptions=int(row.active_subscriptions),
        payer_not_user=int(row.payer_not_user),
        plans=int(row.plans),
        plans_on_sale=int(row.plans_on_sale),
        usage_rows=int(row.usage_rows),
        first_period=row.first_period if isinstance(row.first_period, str) else None,
        last_period=row.last_period if isinstance(row.last_period, str) else None,
        usage_months=int(row.usage_months),
        quarantined=quarantined,
    )

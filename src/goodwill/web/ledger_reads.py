"""What the ledger holds about one customer, as plain rows for the views.

Every read is filtered by customer first: a view can only show what belongs to the
customer it was asked about.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis

from goodwill.analytics.scorecard.window import all_rows
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

Row = dict[str, Any]


def _matchable(text: str) -> bool:
    """Whether ``text`` can be compared in a query: DuckDB's SQL cannot hold a NUL
    character, and no id, name or email has one, so such text simply matches nothing."""
    return "\x00" not in text


def customer(ledger: Ledger, customer_id: str) -> Row | None:
    """The customer's row, or None when the ledger has no such customer."""
    if not _matchable(customer_id):
        return None
    t = ledger.table("customers")
    rows = all_rows(t.filter(t.customer_id == customer_id).limit(1))
    return rows[0] if rows else None


def customer_by_email(ledger: Ledger, email: str) -> Row | None:
    """The current customer with this email (case ignored), or None."""
    if not _matchable(email):
        return None
    t = ledger.table("customers")
    wanted = email.strip().lower()
    query = t.filter(t.email.lower() == wanted, t.left_at.isnull()).order_by(t.joined_at.desc())
    rows = all_rows(query.limit(1))
    return rows[0] if rows else None


def search_customers(ledger: Ledger, text: str, limit: int = 25) -> list[Row]:
    """Customers whose id, name or email contains ``text`` (case ignored)."""
    if not _matchable(text):
        return []
    t = ledger.table("customers")
    needle = text.strip().lower()
    hit = (
        t.customer_id.lower().contains(needle)
        | t.name.lower().contains(needle)
        | t.email.lower().contains(needle)
    )
    return all_rows(t.filter(hit).order_by(t.name, t.customer_id).limit(limit))


def subscriptions(ledger: Ledger, customer_id: str) -> list[Row]:
    """The customer's subscriptions with their plan's name and fee, active ones first."""
    if not _matchable(customer_id):
        return []
    s, p = ledger.table("subscriptions"), ledger.table("plans")
    mine = s.filter(s.customer_id == customer_id)
    joined = mine.left_join(p, mine.plan_id == p.plan_id).select(
        *[mine[c] for c in mine.columns],
        plan_name=p.name,
        monthly_fee_minor=p.monthly_fee,
        currency=p.currency,
    )
    rows = all_rows(joined.order_by(joined.ended_at.notnull(), joined.subscription_id))
    for row in rows:
        row["active"] = row["ended_at"] is None
    return rows


def plans_on_sale(ledger: Ledger) -> list[Row]:
    """SIM-only plans on sale, cheapest first."""
    p = ledger.table("plans")
    query = p.filter(p.on_sale, p.device_fee == 0).order_by(p.monthly_fee, p.plan_id)
    return all_rows(query)


def plan(ledger: Ledger, plan_id: str) -> Row | None:
    if not _matchable(plan_id):
        return None
    p = ledger.table("plans")
    rows = all_rows(p.filter(p.plan_id == plan_id).limit(1))
    return rows[0] if rows else None


def usage(ledger: Ledger, subscription_ids: list[str], months: int = 6) -> list[Row]:
    """Monthly use of these subscriptions over their last ``months`` periods."""
    if not subscription_ids:
        return []
    u = ledger.table("usage")
    mine = u.filter(u.subscription_id.isin(subscription_ids))
    periods = mine.select("period").distinct().order_by(ibis.desc("period")).limit(months)
    recent = mine.filter(mine.period.isin(periods.period))
    grouped = recent.group_by("subscription_id", "period", "kind").aggregate(
        quantity=recent.quantity.sum()
    )
    return all_rows(grouped.order_by("subscription_id", ibis.desc("period"), "kind"))


def rows_of(ledger: Ledger, table: str, customer_id: str, order: str, limit: int = 24) -> list[Row]:
    """The customer's rows of a ledger table (bills, promises, tickets, feedback), newest first."""
    t = ledger.table(table)
    return all_rows(t.filter(t.customer_id == customer_id).order_by(ibis.desc(order)).limit(limit))


def advice(ledger: Ledger, asof: date, settings: Settings, customer_id: str) -> list[Row]:
    """Plan advice for the customer's subscriptions (empty when nothing cheaper fits),
    rated in-process for this customer alone."""
    from goodwill.analytics.customer_advice import customer_advice

    if not _matchable(customer_id):
        return []
    return customer_advice(ledger, asof, settings, customer_id)

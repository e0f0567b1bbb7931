"""What the ledger holds about one customer, as plain rows for the views.

Every read is filtered by customer first: a view can only show what belongs to the
customer it was asked about.

A page is a handful of point reads. The customer, their subscriptions and their lines'
use come from the snapshot's rows held by customer (:mod:`goodwill.ledger.by_customer`,
read once per snapshot: a read is a binary search); the rest, and every read of a ledger
that is not a snapshot folder, is one parameterized SQL statement on the request's own
DuckDB connection (the ledger's views), not an ibis expression: building and compiling
an expression costs tens of milliseconds. Values are bound as parameters, never spliced
into the text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from goodwill.errors import LedgerError
from goodwill.ledger.by_customer import CustomerRows, by_customer
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

Row = dict[str, Any]

#: The tables :func:`rows_of` reads, with the columns it may order them by.
_NEWEST_FIRST = {
    "bills": {"period"},
    "tickets": {"opened_at"},
    "promises": {"made_at"},
    "feedback": {"at"},
}


def _matchable(text: str) -> bool:
    """Whether ``text`` can be compared in a query: DuckDB's SQL cannot hold a NUL
    character, and no id, name or email has one, so such text simply matches nothing."""
    return "\x00" not in text


def _rows(ledger: Ledger, sql: str, params: list[Any] | None = None) -> list[Row]:
    """Every row of a (small) result, as plain Python values (through Arrow, as the
    views' other reads have them)."""
    if ledger.con.name != "duckdb":
        raise LedgerError("the web app reads the ledger on DuckDB (open_ledger's default)")
    table = ledger.con.con.execute(sql, params or []).to_arrow_table()
    rows: list[Row] = table.to_pylist()
    return rows


def customer(ledger: Ledger, customer_id: str) -> Row | None:
    """The customer's row, or None when the ledger has no such customer."""
    if not _matchable(customer_id):
        return None
    held = by_customer(ledger)
    if held is not None:
        rows = held.customers.rows(customer_id).slice(0, 1).to_pylist()
    else:
        rows = _rows(
            ledger, "SELECT * FROM customers WHERE customer_id = $1 LIMIT 1", [customer_id]
        )
    return rows[0] if rows else None


def customer_by_email(ledger: Ledger, email: str) -> Row | None:
    """The current customer with this email (case ignored), or None."""
    if not _matchable(email):
        return None
    rows = _rows(
        ledger,
        "SELECT * FROM customers WHERE lower(email) = $1 AND left_at IS NULL "
        "ORDER BY joined_at DESC LIMIT 1",
        [email.strip().lower()],
    )
    return rows[0] if rows else None


def search_customers(ledger: Ledger, text: str, limit: int = 25) -> list[Row]:
    """Customers whose id, name or email contains ``text`` (case ignored)."""
    if not _matchable(text):
        return []
    return _rows(
        ledger,
        "SELECT * FROM customers WHERE contains(lower(customer_id), $1) "
        "OR contains(lower(name), $1) OR contains(lower(email), $1) "
        "ORDER BY name, customer_id LIMIT $2",
        [text.strip().lower(), limit],
    )


def subscriptions(ledger: Ledger, customer_id: str) -> list[Row]:
    """The customer's subscriptions with their plan's name and fee, active ones first."""
    if not _matchable(customer_id):
        return []
    held = by_customer(ledger)
    if held is not None:  # held in the same order: active first, then by id
        rows: list[Row] = held.subscriptions.rows(customer_id).to_pylist()
    else:
        rows = _rows(
            ledger,
            "SELECT s.*, p.name AS plan_name, p.monthly_fee AS monthly_fee_minor, p.currency "
            "FROM subscriptions AS s LEFT JOIN plans AS p ON s.plan_id = p.plan_id "
            "WHERE s.customer_id = $1 ORDER BY s.ended_at IS NOT NULL, s.subscription_id",
            [customer_id],
        )
    for row in rows:
        row["active"] = row["ended_at"] is None
    return rows


def plans_on_sale(ledger: Ledger) -> list[Row]:
    """SIM-only plans on sale, cheapest first."""
    return _rows(
        ledger,
        "SELECT * FROM plans WHERE on_sale AND device_fee = 0 ORDER BY monthly_fee, plan_id",
    )


def plan(ledger: Ledger, plan_id: str) -> Row | None:
    if not _matchable(plan_id):
        return None
    rows = _rows(ledger, "SELECT * FROM plans WHERE plan_id = $1 LIMIT 1", [plan_id])
    return rows[0] if rows else None


def usage(ledger: Ledger, subscription_ids: list[str], months: int = 6) -> list[Row]:
    """Monthly use of these subscriptions over their last ``months`` periods."""
    wanted = [s for s in dict.fromkeys(subscription_ids) if _matchable(s)]
    if not wanted:
        return []
    held = by_customer(ledger)
    if held is not None:
        lines = held.lines.positions(sorted(wanted))
        recent = [p for p in held.held if held.seen[p][lines].any()][-months:] if months > 0 else []
        if len(recent) == months or not held.older_than_held():
            return _use_rows(held, lines, recent)
    # One placeholder per id: a list of constants the Parquet scan can filter by.
    marks = ", ".join(f"${i}" for i in range(2, len(wanted) + 2))
    return _rows(
        ledger,
        f"WITH mine AS (SELECT subscription_id, period, kind, quantity FROM usage "
        f"WHERE subscription_id IN ({marks})), "
        "recent AS (SELECT DISTINCT period FROM mine ORDER BY period DESC LIMIT $1) "
        "SELECT subscription_id, period, kind, CAST(sum(quantity) AS BIGINT) AS quantity "
        "FROM mine WHERE period IN (SELECT period FROM recent) "
        "GROUP BY subscription_id, period, kind ORDER BY subscription_id, period DESC, kind",
        [months, *wanted],
    )


def _use_rows(held: CustomerRows, lines: npt.NDArray[np.intp], recent: list[str]) -> list[Row]:
    """The long rows (subscription, month, kind, quantity) of the held ``lines`` in
    ``recent`` months, line by line, newest month first, as the usage table holds them; a
    kind with no use is left out (the rating-ready table stores it as 0)."""
    cells = [(p, k) for p in reversed(recent) for k in held.kinds if (p, k) in held.use]
    seen = {p: held.seen[p][lines].tolist() for p in recent}
    use = [held.use[cell][lines].tolist() for cell in cells]
    return [
        {"subscription_id": sub, "period": period, "kind": kind, "quantity": int(quantities[i])}
        for i, sub in enumerate(held.lines.key_at(lines))
        for (period, kind), quantities in zip(cells, use, strict=True)
        if quantities[i] and seen[period][i]
    ]


def rows_of(ledger: Ledger, table: str, customer_id: str, order: str, limit: int = 24) -> list[Row]:
    """The customer's rows of a ledger table (bills, promises, tickets, feedback), newest first."""
    if order not in _NEWEST_FIRST.get(table, ()):
        raise LedgerError(f"rows_of reads {', '.join(_NEWEST_FIRST)} by date, not {table}.{order}")
    if not _matchable(customer_id):
        return []
    return _rows(
        ledger,
        f'SELECT * FROM "{table}" WHERE customer_id = $1 ORDER BY "{order}" DESC LIMIT $2',
        [customer_id, limit],
    )


def ticket_events(ledger: Ledger, ticket_ids: list[str]) -> list[Row]:
    """What happened to these tickets after they were opened, newest first."""
    wanted = [t for t in dict.fromkeys(ticket_ids) if _matchable(t)]
    if not wanted:
        return []
    marks = ", ".join(f"${i}" for i in range(1, len(wanted) + 1))
    return _rows(
        ledger,
        f'SELECT ticket_id, "at", event FROM ticket_events WHERE ticket_id IN ({marks}) '
        'ORDER BY "at" DESC, ticket_id',
        wanted,
    )


def advice(ledger: Ledger, asof: date, settings: Settings, customer_id: str) -> list[Row]:
    """Plan advice for the customer's subscriptions (empty when nothing cheaper fits),
    rated in-process (:mod:`goodwill.analytics.customer_advice`)."""
    from goodwill.analytics.customer_advice import customer_advice

    if not _matchable(customer_id):
        return []
    return customer_advice(ledger, asof, settings, customer_id)

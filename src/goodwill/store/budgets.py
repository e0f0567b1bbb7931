"""Monthly goodwill budgets: set one, spend from it, see what is left.

Spending is safe against racing processes: on PostgreSQL the budget row is locked
(``SELECT … FOR UPDATE``) until the spending transaction ends; on SQLite every
transaction of a store engine begins ``IMMEDIATE`` (see :func:`make_engine`), so only one
writer at a time reads the total and adds to it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from goodwill.errors import BudgetNotSetError
from goodwill.store.models import Budget, BudgetSpend


def set_budget(session: Session, kind: str, period: str, limit_minor: int, currency: str) -> Budget:
    """Create or change the budget for one kind of gift in one month (``YYYY-MM``)."""
    if limit_minor < 0:
        raise ValueError(f"budget {kind} {period}: limit_minor {limit_minor} is negative")
    budget = session.get(Budget, (kind, period))
    if budget is None:
        budget = Budget(kind=kind, period=period, limit_minor=limit_minor, currency=currency)
        session.add(budget)
    else:
        budget.limit_minor, budget.currency = limit_minor, currency
    session.flush()
    return budget


def ensure_budget(
    session: Session, kind: str, period: str, limit_minor: int, currency: str
) -> Budget:
    """The budget for ``kind`` in ``period``, made with ``limit_minor`` if there is none yet;
    an existing one is left as it is.

    Safe when two spenders make the month's budget at once (the first gift of a month,
    given from two desks): the insert does nothing if the other's came first, where
    :func:`set_budget` would fail on the primary key on PostgreSQL.
    """
    if limit_minor < 0:
        raise ValueError(f"budget {kind} {period}: limit_minor {limit_minor} is negative")
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    row = {"kind": kind, "period": period, "limit_minor": limit_minor, "currency": currency}
    session.execute(insert(Budget).values(**row).on_conflict_do_nothing())
    return session.get_one(Budget, (kind, period), populate_existing=True)


def spent(session: Session, kind: str, period: str) -> int:
    """Minor units spent so far from the budget of ``kind`` in ``period``."""
    total = select(func.coalesce(func.sum(BudgetSpend.amount_minor), 0)).where(
        BudgetSpend.kind == kind, BudgetSpend.period == period
    )
    return int(session.scalar(total) or 0)


def spend(
    session: Session,
    kind: str,
    period: str,
    amount_minor: int,
    action_id: int | None = None,
    *,
    now: datetime | None = None,
) -> bool:
    """Spend ``amount_minor`` from a budget if it fits; True when it was spent.

    The spend is part of the session's transaction: commit it with the action it pays for.
    Total spend never exceeds the limit, even with concurrent spenders.
    """
    if amount_minor <= 0:
        raise ValueError(
            f"budget {kind} {period}: amount_minor must be positive, not {amount_minor}"
        )
    budget = _locked_budget(session, kind, period)
    if spent(session, kind, period) + amount_minor > budget.limit_minor:
        return False
    session.add(
        BudgetSpend(
            kind=kind,
            period=period,
            amount_minor=amount_minor,
            action_id=action_id,
            spent_at=now or datetime.now(UTC),
        )
    )
    session.flush()
    return True


def _locked_budget(session: Session, kind: str, period: str) -> Budget:
    query = (
        select(Budget)
        .where(Budget.kind == kind, Budget.period == period)
        .with_for_update()  # SQLite renders nothing here; BEGIN IMMEDIATE already serializes
        .execution_options(populate_existing=True)
    )
    budget = session.scalar(query)
    if budget is None:
        raise BudgetNotSetError(
            f"no goodwill budget for {kind!r} in {period}; set one before spending "
            f"(goodwill.store.budgets.set_budget)"
        )
    return budget

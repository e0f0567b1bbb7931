"""What the decision rules need to know, read from the ledger and the store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import ibis
from sqlalchemy.orm import Session

from goodwill.domain.budgets import BudgetLeft
from goodwill.domain.contact import Contact
from goodwill.domain.experiments import ExperimentSpec
from goodwill.domain.periods import period_of
from goodwill.domain.policy import CustomerFacts
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings
from goodwill.store import contacts_since, ensure_budget, ensure_experiment, spent
from goodwill.store.models import Budget


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: the name we greet them by and their address."""

    name: str
    email: str | None

    @property
    def first_name(self) -> str:
        """How a friend would greet them: 'Priya Shah' → 'Priya'."""
        return self.name.split()[0] if self.name.split() else self.name


def customer_facts(
    ledger: Ledger, customer_ids: Iterable[str]
) -> tuple[dict[str, CustomerFacts], dict[str, Recipient]]:
    """Consents, leaving date, name and email of the customers who have moments."""
    wanted = ibis.memtable(
        {"customer_id": sorted(set(customer_ids))}, schema={"customer_id": "string"}
    )
    customers = ledger.table("customers")
    rows = customers.semi_join(wanted, "customer_id").select(
        "customer_id", "name", "email", "consents", "left_at"
    )
    facts: dict[str, CustomerFacts] = {}
    recipients: dict[str, Recipient] = {}
    consents_of: dict[str | None, frozenset[str]] = {}  # a ledger has a few distinct lists
    for row in ledger.con.to_pyarrow(rows).to_pylist():
        listed = row["consents"]
        if listed not in consents_of:
            consents_of[listed] = frozenset(
                t.strip() for t in (listed or "").split(";") if t.strip()
            )
        left_on = row["left_at"].date() if row["left_at"] else None
        facts[row["customer_id"]] = CustomerFacts(row["customer_id"], consents_of[listed], left_on)
        recipients[row["customer_id"]] = Recipient(row["name"], row["email"])
    return facts, recipients


def contact_history(session: Session, today: date, days: int) -> list[Contact]:
    """Every contact in the last ``days`` days, as the policy sees them."""
    since = datetime.combine(today - timedelta(days=days), time(), tzinfo=UTC)
    return [
        Contact(
            customer_id=c.customer_id,
            kind=c.moment_kind or c.message_type,
            sent_on=c.at.date(),
            subscription_id=c.subscription_id,
            saving_minor=c.saving_minor or 0,
        )
        for c in contacts_since(session, since)
    ]


def budgets_left(
    session: Session, settings: Settings, today: date, currency: str
) -> dict[str, BudgetLeft]:
    """This month's budget per credit kind (made from the settings the first time), less what is spent."""
    period = period_of(today)
    left = {}
    for kind, limit in sorted(settings.monthly_budgets_minor.items()):
        # Two care runs (or a run and a desk) may make the month's budget at once.
        budget = session.get(Budget, (kind, period)) or ensure_budget(
            session, kind, period, limit, currency
        )
        left[kind] = BudgetLeft(
            kind, period, budget.limit_minor - spent(session, kind, period), currency
        )
    return left


def experiments_for(
    session: Session, kinds: Iterable[str], settings: Settings
) -> Mapping[str, ExperimentSpec]:
    """Every kind of moment is an experiment; its salt is made once and kept. A new
    experiment's salt is derived from its kind, so a dry run (which writes nothing) holds
    out exactly the customers the real run will."""
    specs = {}
    for kind in sorted(set(kinds)):
        experiment = ensure_experiment(
            session, kind, holdout_share_percent=settings.holdout_percent, salt=f"goodwill:{kind}"
        )
        specs[kind] = ExperimentSpec(kind, experiment.salt, experiment.holdout_share_percent)
    return specs

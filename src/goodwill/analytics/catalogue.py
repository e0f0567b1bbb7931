"""The plan catalogue: read from the ledger into domain Plans.

The rating lays it out as dense arrays (:mod:`goodwill.analytics.plan_arrays`), by the
domain's own rule (:func:`goodwill.domain.rating.kind_terms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from goodwill.domain.rating import Allowance, Plan
from goodwill.ledger.reader import Ledger


@dataclass(frozen=True)
class Catalogue:
    """Every plan of the ledger (legacy ones too) and the default out-of-bundle rates."""

    plans: tuple[Plan, ...]
    default_rates: Mapping[tuple[str, str], Decimal]  # (kind, currency) -> rate

    def rates_for(self, currency: str) -> dict[str, Decimal]:
        """The default rates of one currency, by kind."""
        return {k: r for (k, c), r in self.default_rates.items() if c == currency}

    def plan(self, plan_id: str) -> Plan:
        return next(p for p in self.plans if p.plan_id == plan_id)


def load_catalogue(ledger: Ledger) -> Catalogue:
    """Read plans, plan_allowances and default_rates (small tables) into domain objects."""
    allowances: dict[str, list[Allowance]] = {}
    for row in ledger.table("plan_allowances").to_pyarrow().to_pylist():
        allowances.setdefault(row["plan_id"], []).append(
            Allowance(row["kind"], row["included"], row["overage_rate"])
        )
    plans = tuple(
        Plan(
            plan_id=row["plan_id"],
            name=row["name"],
            monthly_fee_minor=row["monthly_fee"],
            currency=row["currency"],
            allowances=tuple(allowances.get(row["plan_id"], ())),
            on_sale=row["on_sale"],
            contract_months=row["contract_months"],
            device_fee_minor=row["device_fee"],
        )
        for row in ledger.table("plans").order_by("plan_id").to_pyarrow().to_pylist()
    )
    rates = ledger.table("default_rates").to_pyarrow().to_pylist()
    return Catalogue(plans, {(r["kind"], r["currency"]): r["overage_rate"] for r in rates})

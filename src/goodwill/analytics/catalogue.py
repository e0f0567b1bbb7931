"""The plan catalogue: read from the ledger into domain Plans.

The rating lays it out as dense arrays (:mod:`goodwill.analytics.plan_arrays`), by the
domain's own rule (:func:`goodwill.domain.rating.kind_terms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa

from goodwill.analytics.engine import is_spark
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
    for row in _rows(ledger, "plan_allowances"):
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
        for row in sorted(_rows(ledger, "plans"), key=lambda row: str(row["plan_id"]))
    )
    rates = _rows(ledger, "default_rates")
    return Catalogue(plans, {(r["kind"], r["currency"]): r["overage_rate"] for r in rates})


def _rows(ledger: Ledger, table: str) -> list[dict[str, Any]]:
    """A small table's rows. On DuckDB through its own Arrow export: ibis's would import
    pandas first, a second or more of a run's start."""
    if is_spark(ledger.con):
        rows: list[dict[str, Any]] = ledger.table(table).to_pyarrow().to_pylist()
        return rows
    found = ledger.con.con.execute(f'SELECT * FROM "{table}"').arrow()
    return (found if isinstance(found, pa.Table) else found.read_all()).to_pylist()

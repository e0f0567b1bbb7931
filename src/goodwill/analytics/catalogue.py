"""The plan catalogue: read from the ledger into domain Plans, and laid out for re-rating.

The re-rating joins usage to :func:`plan_terms`, one row per plan with, for every kind of
use, the numbers the rating needs. They are computed by the domain's own rule
(:func:`goodwill.domain.rating.kind_terms`), so the default-rate rule lives in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import ibis
import pyarrow as pa

from goodwill.domain.advice import HEADROOM_INCLUDED_LIMIT
from goodwill.domain.rating import RATE_SCALE, Allowance, KindTerms, Plan, kind_terms
from goodwill.ledger.reader import Ledger

#: An allowance nobody reaches: what "unlimited" and "not capped" become in the terms table.
UNLIMITED = 2**62


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


@dataclass(frozen=True)
class KindColumns:
    """Kind ``kind`` is column ``index``; what the whole catalogue does with it.

    The expressions leave out what no plan needs: no charge term for a kind no plan
    charges, no division for a kind every plan charges in whole minor units, no fit test
    for a kind no plan caps, and no column at all for a kind every plan includes without
    limit (on-net calls, typically).
    """

    kind: str
    index: int
    charged: bool
    whole_units: bool
    capped: bool
    limited: bool  # some plan does not include it without limit: its use matters
    uniform: bool  # every plan treats it alike (default rates, typically): rate it once


def _columns(terms: KindTerms) -> dict[str, int]:
    included = UNLIMITED if terms.included is None else terms.included
    rate = terms.rate_units or 0
    return {
        "inc": included,
        "rate": rate,
        "rate_minor": rate // RATE_SCALE,
        "cap": included if terms.rate_units is None else UNLIMITED,
        "room": -1 if terms.included is None else min(terms.included, HEADROOM_INCLUDED_LIMIT),
    }


def plan_terms(
    catalogue: Catalogue, kinds: Sequence[str]
) -> tuple[ibis.Table, tuple[KindColumns, ...]]:
    """One row per plan: fee, flags and, for kind ``i``, ``inc_i rate_i rate_minor_i cap_i room_i``.

    ``inc`` is what is included (UNLIMITED: unlimited), ``rate`` the overage in 1/10,000
    minor unit (0 when capped), ``cap`` the most that fits (UNLIMITED unless capped),
    ``room`` the included amount for headroom (-1: unlimited).
    """
    plans = catalogue.plans
    terms = [
        [_columns(kind_terms(p, kind, catalogue.rates_for(p.currency))) for kind in kinds]
        for p in plans
    ]
    columns: dict[str, pa.Array] = {
        "plan_id": pa.array([p.plan_id for p in plans], pa.string()),
        "plan_name": pa.array([p.name for p in plans], pa.string()),
        "currency": pa.array([p.currency for p in plans], pa.string()),
        "monthly_fee_minor": pa.array([p.monthly_fee_minor for p in plans], pa.int64()),
        "device_fee_minor": pa.array([p.device_fee_minor for p in plans], pa.int64()),
        "on_sale": pa.array([p.on_sale for p in plans], pa.bool_()),
        "sim_only": pa.array([p.sim_only for p in plans], pa.bool_()),
    }
    for i in range(len(kinds)):
        for name in ("inc", "rate", "rate_minor", "cap", "room"):
            columns[f"{name}_{i}"] = pa.array([t[i][name] for t in terms], pa.int64())
    found = tuple(_kind_columns(kind, i, [t[i] for t in terms]) for i, kind in enumerate(kinds))
    return ibis.memtable(pa.table(columns)), found


def _kind_columns(kind: str, index: int, terms: list[dict[str, int]]) -> KindColumns:
    return KindColumns(
        kind=kind,
        index=index,
        charged=any(t["rate"] for t in terms),
        whole_units=all(t["rate"] % RATE_SCALE == 0 for t in terms),
        capped=any(t["cap"] != UNLIMITED for t in terms),
        limited=any(t["inc"] != UNLIMITED for t in terms),
        uniform=all(t == terms[0] for t in terms),
    )

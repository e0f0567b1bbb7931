"""The sample operator's plan catalogue: SIM only on sale, legacy, and handset plans.

Every plan has unlimited on-net calls and texts (``voice_onnet_min``, ``sms_onnet``).
Beyond an allowance a plan charges its overage rate (25p a minute, 10p a text, 10p a MB
on the starter plan), or nothing more is possible where the kind is capped (an empty
overage rate). Kinds no plan lists (calls abroad, roaming) are priced by
:data:`DEFAULT_RATES`. docs/sample.md shows the catalogue as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

CURRENCY = "GBP"
#: Kinds of use the sample generates, in the order of the usage arrays.
KINDS = ("voice_min", "voice_onnet_min", "sms", "sms_onnet", "data_mb", "intl_min", "roaming_mb")
K = {kind: i for i, kind in enumerate(KINDS)}
UNLIMITED = 2**62  # an included amount nobody reaches
CAPPED = -1  # the rate of a kind that cannot go beyond its allowance
RATE_SCALE = 10_000  # rates are held as integers of 1/10,000 of a minor unit


@dataclass(frozen=True)
class Allowance:
    """One row of plan_allowances: ``included`` None = unlimited; ``rate`` None = capped."""

    kind: str
    included: int | None
    rate: str | None


@dataclass(frozen=True)
class Plan:
    """One row of plans, with its allowances; ``line`` is sim, legacy or handset."""

    plan_id: str
    name: str
    monthly_fee: int
    line: str
    allowances: tuple[Allowance, ...]
    contract_months: int = 0
    device_fee: int = 0

    @property
    def on_sale(self) -> bool:
        return self.line != "legacy"


def _plan(plan_id: str, name: str, fee: int, line: str, *rows: Allowance, **kw: int) -> Plan:
    onnet = (Allowance("voice_onnet_min", None, None), Allowance("sms_onnet", None, None))
    return Plan(plan_id, name, fee, line, (*rows, *onnet), **kw)


A = Allowance
UNL_TALK = (A("voice_min", None, None), A("sms", None, None))
GB = 1024

# Handset plans carry the allowance of a SIM-only plan for 50p more, so a SIM-only plan is
# never beaten by one; their customers overpay only against a *smaller* SIM-only plan.
PLANS: tuple[Plan, ...] = (
    _plan("P-1GB", "1GB Starter", 600, "sim", A("voice_min", 250, "25"), A("sms", 250, "10"),
          A("data_mb", 1 * GB, "10")),
    _plan("P-5GB", "5GB Everyday", 800, "sim", A("voice_min", 500, "25"), A("sms", None, None),
          A("data_mb", 5 * GB, None)),
    _plan("P-10GB", "10GB SIM only", 1000, "sim", *UNL_TALK, A("data_mb", 10 * GB, None)),
    _plan("P-20GB", "20GB SIM only", 1200, "sim", *UNL_TALK, A("data_mb", 20 * GB, None)),
    _plan("P-40GB", "40GB SIM only", 1500, "sim", *UNL_TALK, A("data_mb", 40 * GB, None)),
    _plan("P-80GB", "80GB SIM only", 1800, "sim", *UNL_TALK, A("data_mb", 80 * GB, None)),
    _plan("P-150GB", "150GB SIM only", 2100, "sim", *UNL_TALK, A("data_mb", 150 * GB, None)),
    _plan("P-UNL", "Unlimited Everything", 2500, "sim", *UNL_TALK, A("data_mb", None, None)),
    _plan("L-500MB", "Classic 500MB (2019)", 900, "legacy", A("voice_min", 200, "35"),
          A("sms", 200, "12"), A("data_mb", 500, "10")),
    _plan("L-3GB", "Classic 3GB (2020)", 1200, "legacy", A("voice_min", 600, "30"),
          A("sms", None, None), A("data_mb", 3 * GB, "2.5")),
    _plan("L-8GB", "Plus 8GB (2021)", 1600, "legacy", *UNL_TALK, A("data_mb", 8 * GB, None)),
    _plan("H-A20", "Galaxy A + 20GB (24 months)", 1250, "handset", *UNL_TALK,
          A("data_mb", 20 * GB, None), contract_months=24, device_fee=1500),
    _plan("H-PRO80", "iPhone Pro + 80GB (24 months)", 1850, "handset", *UNL_TALK,
          A("data_mb", 80 * GB, None), contract_months=24, device_fee=3500),
)  # fmt: skip

#: The standard out-of-bundle price list (minor units per unit) for kinds no plan lists.
DEFAULT_RATES: tuple[tuple[str, str], ...] = (
    ("intl_min", "50"),
    ("intl_sms", "15"),
    ("roaming_mb", "0.5"),
)

PLAN_INDEX = {plan.plan_id: i for i, plan in enumerate(PLANS)}


def plans_of(line: str) -> list[int]:
    """Indexes of the plans of one line (sim, legacy, handset), cheapest first."""
    found = [i for i, p in enumerate(PLANS) if p.line == line]
    return sorted(found, key=lambda i: PLANS[i].monthly_fee)


def rate_units(rate: str) -> int:
    """A decimal rate string as an integer of 1/10,000 minor units ("0.5" -> 5000)."""
    return int(Decimal(rate) * RATE_SCALE)


@dataclass(frozen=True)
class RatingTable:
    """The catalogue as arrays, per plan and kind (the order of :data:`KINDS`).

    ``included`` is :data:`UNLIMITED` where unlimited; ``rate`` is :data:`CAPPED` where
    capped. Kinds a plan does not list take the default rate with nothing included.
    """

    included: npt.NDArray[np.int64]  # [plan, kind]
    rate: npt.NDArray[np.int64]  # [plan, kind], 1/10,000 minor units per unit
    monthly_fee: npt.NDArray[np.int64]
    device_fee: npt.NDArray[np.int64]
    on_sale: npt.NDArray[np.bool_]


def rating_table() -> RatingTable:
    """The catalogue resolved into the arrays the rating uses."""
    defaults = dict(DEFAULT_RATES)
    included = np.zeros((len(PLANS), len(KINDS)), dtype=np.int64)
    rate = np.full((len(PLANS), len(KINDS)), CAPPED, dtype=np.int64)
    for k, kind in enumerate(KINDS):
        if kind in defaults:
            rate[:, k] = rate_units(defaults[kind])
    for p, plan in enumerate(PLANS):
        for row in plan.allowances:
            k = K[row.kind]
            included[p, k] = UNLIMITED if row.included is None else row.included
            rate[p, k] = CAPPED if row.rate is None else rate_units(row.rate)
    return RatingTable(
        included=included,
        rate=rate,
        monthly_fee=np.array([p.monthly_fee for p in PLANS], dtype=np.int64),
        device_fee=np.array([p.device_fee for p in PLANS], dtype=np.int64),
        on_sale=np.array([p.on_sale for p in PLANS], dtype=np.bool_),
    )

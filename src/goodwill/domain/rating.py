"""Rating: what one month of use costs on a plan, and whether the plan fits it at all.

This is the reference: the compiled re-rating (``goodwill.analytics.rating_kernel``, and
``goodwill.analytics.rerate`` over it, plan by plan) must give exactly the same costs and
fit flags. The rules, for one subscription-month under a plan:

* cost = monthly fee + for every kind of use ``ceil(max(0, used - included) * rate)``;
  each kind's overage is rounded **up** to a whole minor unit on its own (a customer is
  never charged a fraction of a penny, and the rounding never depends on other kinds);
* ``included`` None means unlimited; ``overage_rate`` None means capped: use beyond the
  allowance is not possible, so the plan **does not fit** that month (nothing is charged
  for the excess; the cost is the fee plus the overage of the other kinds);
* a kind the plan does not list is charged from the first unit at the *default
  out-of-bundle rate* for that kind in the plan's currency (the ``default_rates`` table);
  a kind with no default rate either is not possible on the plan: using it means the plan
  does not fit.

Rates are decimals of minor units per unit with at most 4 places (DECIMAL(18,4)); they
are held as integers of 1/10,000 minor unit so that every sum is exact integer arithmetic.

>>> plan = Plan("P-750", "7.50", 750, "GBP", (Allowance("voice_min", 500, Decimal("2.5")),))
>>> rate_month(plan, {"voice_min": 503}).cost_minor
758
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from goodwill.domain.money import Money

#: Rates are held as integers of 1/RATE_SCALE minor unit (DECIMAL(18,4) is exact in them).
RATE_SCALE = 10_000
#: Where a kind's rate came from: the plan's allowance, the default price list, or nowhere.
PLAN, DEFAULT, NOT_OFFERED = "plan", "default", "not offered"


def rate_units(rate: Decimal | int | str) -> int:
    """A rate of minor units per unit as an integer of 1/10,000 minor unit ("0.5" -> 5000)."""
    scaled = Decimal(rate) * RATE_SCALE
    if scaled != scaled.to_integral_value() or scaled < 0:
        raise ValueError(f"rate {rate!r} is not a non-negative number with at most 4 decimals")
    return int(scaled)


def overage_minor(excess: int, rate_in_units: int) -> int:
    """``excess * rate`` rounded up to a whole minor unit (integer ceiling division)."""
    return -(-(excess * rate_in_units) // RATE_SCALE)


@dataclass(frozen=True)
class Allowance:
    """What a plan includes of one kind: ``None`` included = unlimited, ``None`` rate = capped."""

    kind: str
    included: int | None
    overage_rate: Decimal | None


@dataclass(frozen=True)
class Plan:
    """A tariff: its fee, currency and allowances (a device fee is a repayment, not service)."""

    plan_id: str
    name: str
    monthly_fee_minor: int
    currency: str
    allowances: tuple[Allowance, ...] = ()
    on_sale: bool = True
    contract_months: int = 0
    device_fee_minor: int = 0

    def allowance(self, kind: str) -> Allowance | None:
        return next((a for a in self.allowances if a.kind == kind), None)

    @property
    def sim_only(self) -> bool:
        """No device is being paid for on this plan."""
        return self.device_fee_minor == 0


@dataclass(frozen=True)
class KindTerms:
    """How a plan treats one kind once the default-rate rule is applied."""

    included: int | None  # None: unlimited
    rate_units: int | None  # None: capped (1/10,000 minor unit per unit otherwise)
    source: str  # PLAN, DEFAULT or NOT_OFFERED


def kind_terms(plan: Plan, kind: str, default_rates: Mapping[str, Decimal]) -> KindTerms:
    """The plan's allowance for ``kind``, else the default rate from the first unit, else none."""
    listed = plan.allowance(kind)
    if listed is not None:
        rate = None if listed.overage_rate is None else rate_units(listed.overage_rate)
        return KindTerms(listed.included, rate, PLAN)
    if kind in default_rates:
        return KindTerms(0, rate_units(default_rates[kind]), DEFAULT)
    return KindTerms(0, None, NOT_OFFERED)


@dataclass(frozen=True)
class KindCharge:
    """One line of a month's breakdown: the use of one kind and what it cost."""

    kind: str
    used: int
    terms: KindTerms
    excess: int
    overage_minor: int
    fits: bool


@dataclass(frozen=True)
class MonthCost:
    """The cost of one subscription-month under a plan, with its breakdown per kind."""

    plan_id: str
    currency: str
    fee_minor: int
    kinds: tuple[KindCharge, ...]

    @property
    def overage_minor(self) -> int:
        return sum(k.overage_minor for k in self.kinds)

    @property
    def cost_minor(self) -> int:
        return self.fee_minor + self.overage_minor

    @property
    def cost(self) -> Money:
        return Money(self.cost_minor, self.currency)

    @property
    def fits(self) -> bool:
        """False when some use is beyond a capped allowance or of a kind not offered."""
        return all(k.fits for k in self.kinds)


def charge_kind(kind: str, used: int, terms: KindTerms) -> KindCharge:
    """Rate one kind's use for a month under ``terms``."""
    excess = 0 if terms.included is None else max(0, used - terms.included)
    if terms.rate_units is None:
        return KindCharge(kind, used, terms, excess, 0, fits=excess == 0)
    return KindCharge(kind, used, terms, excess, overage_minor(excess, terms.rate_units), True)


def rate_month(
    plan: Plan, usage_by_kind: Mapping[str, int], default_rates: Mapping[str, Decimal] | None = None
) -> MonthCost:
    """Rate one month of use (units per kind) under ``plan``.

    ``default_rates`` is the out-of-bundle price list (kind -> minor units per unit) of
    the plan's currency; kinds are listed in the breakdown in name order.
    """
    rates = default_rates or {}
    kinds = tuple(
        charge_kind(kind, used, kind_terms(plan, kind, rates))
        for kind, used in sorted(usage_by_kind.items())
    )
    return MonthCost(plan.plan_id, plan.currency, plan.monthly_fee_minor, kinds)

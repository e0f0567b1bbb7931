"""Plan advice for one subscription: which plan to recommend, and whether it is worth saying.

The rule (the reference for ``goodwill.analytics.advice``):

* the months considered are the subscription's history months in the look-back window;
  with fewer than ``min_history_months`` it gets no advice;
* candidates are the plans on sale with no device fee; a candidate qualifies when it fits
  in all but at most ``max_unfit_months`` of the months considered;
* the recommended plan is the qualifying one with the lowest total (so lowest mean)
  service cost over those months; ties go to the plan that fits in more months, then to
  the one with more headroom (:func:`headroom_permille`), then to the lower plan id;
* it is advised when it is not the current plan and the saving against the current plan
  is at least ``min_saving_minor`` a month and at least ``min_saving_percent`` of the
  current cost. Both tests are made exactly on totals, never on rounded means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from goodwill.domain.rating import Plan, kind_terms, rate_month

#: The headroom an unlimited allowance counts for (in thousandths of the busiest month's use).
HEADROOM_MAX = 10**9
#: Included amounts above this count as this much, so that headroom stays in 64 bits.
HEADROOM_INCLUDED_LIMIT = 10**12


@dataclass(frozen=True)
class AdviceRules:
    """The thresholds of plan advice (the defaults are the Settings' defaults)."""

    min_history_months: int = 3
    max_unfit_months: int = 1
    min_saving_minor: int = 100
    min_saving_percent: int = 5


@dataclass(frozen=True)
class PlanRecord:
    """How one plan would have served a subscription over the months considered."""

    plan_id: str
    total_minor: int  # the sum of the monthly service costs
    months_fitting: int
    months_cheaper: int  # months it would have cost less than the current plan
    headroom_permille: int


def headroom_permille(
    plan: Plan, peak_use_by_kind: Mapping[str, int], default_rates: Mapping[str, Decimal]
) -> int:
    """How far the plan's allowances reach beyond the busiest month's use, at the tightest kind.

    For every kind used (peak > 0): included * 1000 // peak (unlimited: HEADROOM_MAX);
    the result is the smallest of these, at most HEADROOM_MAX. 2000 means the tightest
    allowance covers twice the busiest month; a kind charged from the first unit gives 0.
    """
    ratios = [HEADROOM_MAX]
    for kind, peak in peak_use_by_kind.items():
        included = kind_terms(plan, kind, default_rates).included
        if peak > 0 and included is not None:
            ratios.append(min(included, HEADROOM_INCLUDED_LIMIT) * 1000 // peak)
    return min(ratios)


def choose_plan(
    candidates: Sequence[PlanRecord], months_considered: int, max_unfit_months: int
) -> PlanRecord | None:
    """The cheapest qualifying candidate (ties: more months fitting, more headroom, plan id)."""
    qualifying = [c for c in candidates if months_considered - c.months_fitting <= max_unfit_months]
    return min(
        qualifying,
        key=lambda c: (c.total_minor, -c.months_fitting, -c.headroom_permille, c.plan_id),
        default=None,
    )


def mean_minor(total_minor: int, months: int) -> int:
    """A total spread over ``months``, rounded half up to a whole minor unit."""
    return (2 * total_minor + months) // (2 * months)


def worth_advising(
    current_total: int, recommended_total: int, months: int, rules: AdviceRules
) -> bool:
    """Whether the saving meets both thresholds, tested exactly on the totals."""
    saving = current_total - recommended_total
    return (
        saving > 0
        and saving >= rules.min_saving_minor * months
        and saving * 100 >= rules.min_saving_percent * current_total
    )


@dataclass(frozen=True)
class Advice:
    """The advice for one subscription (``recommended`` None: no plan qualifies)."""

    current: PlanRecord
    recommended: PlanRecord | None
    months_considered: int
    advised: bool

    @property
    def current_monthly_cost_minor(self) -> int:
        return mean_minor(self.current.total_minor, self.months_considered)

    @property
    def recommended_monthly_cost_minor(self) -> int | None:
        if self.recommended is None:
            return None
        return mean_minor(self.recommended.total_minor, self.months_considered)

    @property
    def monthly_saving_minor(self) -> int:
        """Current minus recommended monthly cost, as shown (so a message adds up)."""
        recommended = self.recommended_monthly_cost_minor
        return 0 if recommended is None else self.current_monthly_cost_minor - recommended

    @property
    def annual_saving_minor(self) -> int:
        return 12 * self.monthly_saving_minor


def advise(
    current: PlanRecord,
    candidates: Sequence[PlanRecord],
    months_considered: int,
    rules: AdviceRules = AdviceRules(),  # frozen, so one shared default is safe
) -> Advice | None:
    """Advice for a subscription, or None when it has too little history to judge."""
    if months_considered < rules.min_history_months:
        return None
    best = choose_plan(candidates, months_considered, rules.max_unfit_months)
    advised = (
        best is not None
        and best.plan_id != current.plan_id
        and worth_advising(current.total_minor, best.total_minor, months_considered, rules)
    )
    return Advice(current, best, months_considered, advised)


def peak_use(months: Sequence[Mapping[str, int]]) -> dict[str, int]:
    """The busiest month's use of every kind."""
    peak: dict[str, int] = {}
    for month in months:
        for kind, used in month.items():
            peak[kind] = max(peak.get(kind, 0), used)
    return peak


def plan_record(
    plan: Plan,
    months: Sequence[Mapping[str, int]],
    current_costs: Sequence[int],
    default_rates: Mapping[str, Decimal],
) -> PlanRecord:
    """Rate every month considered under ``plan`` and sum up how it would have done."""
    costs = [rate_month(plan, month, default_rates) for month in months]
    return PlanRecord(
        plan_id=plan.plan_id,
        total_minor=sum(c.cost_minor for c in costs),
        months_fitting=sum(c.fits for c in costs),
        months_cheaper=sum(c.cost_minor < now for c, now in zip(costs, current_costs, strict=True)),
        headroom_permille=headroom_permille(plan, peak_use(months), default_rates),
    )


def advise_subscription(
    current_plan: Plan,
    catalogue: Sequence[Plan],
    months: Sequence[Mapping[str, int]],
    default_rates: Mapping[str, Decimal],
    rules: AdviceRules = AdviceRules(),
) -> Advice | None:
    """Advice from first principles: one month of use per entry of ``months``.

    Candidates are the plans of ``catalogue`` on sale, with no device fee, in the
    current plan's currency.
    """
    now = [rate_month(current_plan, month, default_rates).cost_minor for month in months]
    current = plan_record(current_plan, months, now, default_rates)
    candidates = [
        plan_record(plan, months, now, default_rates)
        for plan in catalogue
        if plan.on_sale and plan.sim_only and plan.currency == current_plan.currency
    ]
    return advise(current, candidates, len(months), rules)

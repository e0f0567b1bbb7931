"""Who leaves, and when: a monthly hazard that rises with what goes wrong.

Each month a customer's hazard is ``base_monthly_churn`` multiplied by each hazard ratio
whose condition holds that month: a line on a misfitting plan (legacy, too small, or use
drifted down), a broken promise or a slow first answer in the previous
``hazard_effect_months`` months, a handset still in contract, having joined by referral.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from goodwill.sample.clock import NEVER, Clock, month_of, month_start
from goodwill.sample.params import SampleParams

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


@dataclass
class Exposure:
    """Per customer, what drives their hazard (months are month numbers)."""

    joined_s: Ints
    referred: Bools
    misfit_month: Ints  # first month on a misfitting plan; a huge number if never
    contract_from: Ints  # first and last month of a handset contract (empty range if none)
    contract_to: Ints
    broken: tuple[Ints, Ints]  # (customer, time) of every broken promise
    slow: tuple[Ints, Ints]  # (customer, time) of every slow first response


def _by_month(events: tuple[Ints, Ints], clock: Clock) -> tuple[Ints, Ints, Ints]:
    """Events before asof sorted by month: (customer, month, where each month starts)."""
    who, when = events
    keep = when < clock.asof_s
    who, month = who[keep], month_of(when[keep])
    order = np.argsort(month, kind="stable")
    who, month = who[order], month[order]
    months = np.arange(clock.launch_month, clock.asof_month + 2)
    return who, month, np.searchsorted(month, months)


@dataclass
class HazardTally:
    """Whole months at risk with every hazard ratio but overpaying's at 1 (not referred, not in
    contract, no recent broken promise or slow answer), and who left in them, split by
    whether the customer was on a misfitting plan: the data to re-estimate that ratio."""

    months: Floats = field(default_factory=lambda: np.zeros(2))  # [not overpaying, overpaying]
    leavers: Floats = field(default_factory=lambda: np.zeros(2))


@dataclass(frozen=True)
class ChurnEffect:
    """A hazard ratio per customer from ``from_month`` on (1.0 for customers it spares)."""

    from_month: int
    ratio: Floats


def simulate_churn(rng: np.random.Generator, e: Exposure, clock: Clock, p: SampleParams) -> Ints:
    """When each customer left (NEVER if they are still a customer at asof)."""
    return simulate_worlds(rng, e, clock, p)[0]


def simulate_worlds(
    rng: np.random.Generator,
    e: Exposure,
    clock: Clock,
    p: SampleParams,
    effect: ChurnEffect | None = None,
    tally: HazardTally | None = None,
) -> Ints:
    """``[world, customer]``: when each customer left, without ``effect`` (row 0) and, if
    given, with it (row 1). Both worlds use the same draws, so they differ only where the
    effect changed someone's fate: these are each customer's two potential outcomes.
    ``tally`` counts row 0's months for :class:`HazardTally`.
    """
    n = len(e.joined_s)
    left = np.full((1 if effect is None else 2, n), NEVER, dtype=np.int64)
    joined_month = month_of(e.joined_s)
    last_event = {"broken": np.full(n, -(10**6)), "slow": np.full(n, -(10**6))}
    indexed = {"broken": _by_month(e.broken, clock), "slow": _by_month(e.slow, clock)}
    ratio = {
        "broken": p.churn_hazard_ratio_broken_promise,
        "slow": p.churn_hazard_ratio_slow_response,
    }
    static = np.where(e.referred, p.churn_hazard_ratio_referred, 1.0) * p.base_monthly_churn
    for i, month in enumerate(range(clock.launch_month, clock.asof_month + 1)):
        overpaying = month >= e.misfit_month
        hazard = static * np.where(overpaying, p.churn_hazard_ratio_overpaying, 1.0)
        in_contract = (month >= e.contract_from) & (month <= e.contract_to)
        hazard *= np.where(in_contract, p.churn_hazard_ratio_in_contract, 1.0)
        neutral = ~e.referred & ~in_contract
        for name, (who, _, bounds) in indexed.items():
            # Events of last month join the memory; they weigh for hazard_effect_months.
            if i > 0:
                np.maximum.at(last_event[name], who[bounds[i - 1] : bounds[i]], month - 1)
            recent = month - last_event[name] <= p.hazard_effect_months
            hazard *= np.where(recent, ratio[name], 1.0)
            neutral &= ~recent
        first, after = int(month_start(month)), int(month_start(month + 1))
        start = np.maximum(first, e.joined_s)
        end = min(after, clock.asof_s)
        at_risk = (joined_month <= month) & (left == NEVER) & (start < end)
        # A hazard is per whole month: a part month (joining, or asof's) carries its part.
        exposed = np.clip((end - start) / (after - first), 0.0, 1.0)
        hazards = _with_effect(hazard, effect, month)
        leaves = at_risk & (rng.random(n) < hazards * exposed)
        when = start + (rng.random(n) * (end - start)).astype(np.int64)
        if tally is not None:
            _count(tally, at_risk[0] & neutral & (exposed == 1.0), overpaying, leaves[0])
        left = np.where(leaves, when, left)
    return left


def _with_effect(hazard: Floats, effect: ChurnEffect | None, month: int) -> Floats:
    """``[world, customer]`` hazards: as they are, and with the effect once it has begun."""
    if effect is None:
        return hazard[None, :]
    ratio = effect.ratio if month >= effect.from_month else np.ones_like(hazard)
    return np.stack([hazard, hazard * ratio])


def _count(tally: HazardTally, full: Bools, overpaying: Bools, leaves: Bools) -> None:
    for j, group in enumerate((full & ~overpaying, full & overpaying)):
        tally.months[j] += group.sum()
        tally.leavers[j] += (group & leaves).sum()

"""A past plan-advice campaign, simulated inside the sample so its effect is a known truth.

``months_before_asof`` months before asof's month, on the first day of that month (the
*campaign date*), goodwill's care run advised every customer with an *eligible* line,
except a holdout chosen by the care run's own hash (:func:`goodwill.domain.experiments.assign_arm`
of ``salt`` and the customer id). Eligible lines are the generator's designed overpaying
lines: a plan without a device fee whose misfit (too small, legacy, or use drifted down;
see :mod:`goodwill.sample.choice`) began before the campaign month, of a customer
still here on the campaign date.

The advice works: from the campaign month on, a treated customer's monthly churn hazard is
multiplied by ``churn_hazard_ratio``, and each treated line that a cheaper plan would
have saved money over the months before the campaign (the sample's overpaying rule) moves
to that plan, so its bills drop by the saving. Nothing is given back (advice is a message,
not a credit). ``record_campaign`` writes the campaign into a store as the care run would
have; ``truth.json`` gets its true effects (``campaign_*``, see docs/sample.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from goodwill.domain.experiments import assign_arm
from goodwill.errors import ConfigError
from goodwill.sample.catalogue import RatingTable
from goodwill.sample.choice import Choice
from goodwill.sample.churn import ChurnEffect
from goodwill.sample.clock import Clock, month_start, period_label
from goodwill.sample.columns import id_width
from goodwill.sample.overpaying import MIN_MONTHS
from goodwill.sample.population import Lines

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CampaignParams:
    """The knobs of the simulated campaign (written to truth.json as ``campaign_params``)."""

    months_before_asof: int = 7  # 7: the scorecard can follow everyone for 180 days
    holdout_percent: int = 10
    salt: str = "better_plan-sample"
    churn_hazard_ratio: float = 0.6  # treated customers, from the campaign month on
    kind: str = "better_plan"

    def __post_init__(self) -> None:
        if not 1 <= self.holdout_percent <= 99:
            raise ConfigError(
                f"campaign holdout_percent={self.holdout_percent}: choose 1 to 99, "
                "so both arms have customers"
            )
        if self.months_before_asof < 1:
            raise ConfigError(
                f"campaign months_before_asof={self.months_before_asof}: choose 1 or more"
            )
        if self.churn_hazard_ratio <= 0:
            raise ConfigError(f"campaign churn_hazard_ratio={self.churn_hazard_ratio}: must be > 0")

    def check_fits(self, months: int) -> None:
        """The usage window must show at least 3 months before the campaign, to advise on."""
        if self.months_before_asof > months - MIN_MONTHS:
            raise ConfigError(
                f"campaign months_before_asof={self.months_before_asof} with months={months}: "
                f"the campaign needs {MIN_MONTHS} months of usage before it; "
                f"choose months >= {self.months_before_asof + MIN_MONTHS}"
            )

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CampaignPlan:
    """Who the campaign will reach, decided before churn is simulated (per customer)."""

    params: CampaignParams
    month: int  # month number of the campaign date
    candidate: Bools  # has an eligible line, if still here on the campaign date
    treated: Bools  # candidate in the treatment arm

    @property
    def date(self) -> dt.date:
        return dt.date(self.month // 12, self.month % 12 + 1, 1)

    @property
    def start_s(self) -> int:
        return int(month_start(self.month))

    @property
    def period(self) -> str:
        return period_label(self.month)

    @property
    def effect(self) -> ChurnEffect:
        ratio = np.where(self.candidate, self.params.churn_hazard_ratio, 1.0)
        return ChurnEffect(self.month, ratio)

    def actual(self, worlds: Ints) -> Ints:
        """Each customer's leaving time in the world that happened (their arm's)."""
        result: Ints = np.where(self.treated, worlds[1], worlds[0])
        return result


def eligible_lines(
    misfit_month: Ints, plan: Ints, campaign_month: int, table: RatingTable
) -> Bools:
    """Designed overpaying lines by the campaign: misfit began earlier, no device fee."""
    result: Bools = (misfit_month < campaign_month) & (table.device_fee[plan] == 0)
    return result


def plan_campaign(
    params: CampaignParams,
    clock: Clock,
    table: RatingTable,
    customers: int,
    lines: Lines,
    choice: Choice,
) -> CampaignPlan:
    """Candidates (customers with an eligible line) and their arm by the care run's hash."""
    month = clock.asof_month - params.months_before_asof
    ok = eligible_lines(choice.misfit_month, choice.plan, month, table)
    candidate = np.bincount(lines.customer[ok], minlength=customers) > 0
    width = id_width(customers)
    treated = np.zeros(customers, dtype=np.bool_)
    for i in np.flatnonzero(candidate):
        cid = f"C{i + 1:0{width}d}"
        treated[i] = assign_arm(params.salt, cid, params.holdout_percent) == "treatment"
    return CampaignPlan(params, month, candidate, treated)

"""What the campaign did: the advice each eligible line got, the plan moves and bills that
followed, and every eligible customer's two potential outcomes (advised or held out).

The two worlds share every random draw; they differ only through the campaign (the hazard
ratio, and the plan a treated line moved to), so ``world[1] - world[0]`` is each customer's
own effect. Lines a customer would have opened only in the world that did not happen
(started after they left in it) are not simulated: they are rare (extra lines start at most
once per customer) and are left out of both worlds' bills.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.sample.campaign import CampaignPlan, eligible_lines
from goodwill.sample.catalogue import RatingTable
from goodwill.sample.churn import HazardTally
from goodwill.sample.clock import Clock
from goodwill.sample.overpaying import (
    MAX_UNFIT_MONTHS,
    MIN_MONTHS,
    MIN_SAVING_MINOR,
    MIN_SAVING_PERCENT,
    history_months,
)
from goodwill.sample.population import Lines
from goodwill.sample.rating import charged_months, rate_months
from goodwill.sample.usage import UsageCube, active_share, stop_at_caps

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Quantity = npt.NDArray[np.int32]

#: Months of bills after the campaign month that the truth counts: the scorecard's
#: ``experiment_metrics.POST_MONTHS`` (a test keeps the two equal).
REVENUE_MONTHS = 6


@dataclass
class CampaignOutcome:
    """The campaign as it happened, per customer and per line (lines in id order)."""

    plan: CampaignPlan
    eligible: Bools  # per customer: a candidate still here on the campaign date
    line_eligible: Bools  # per line
    from_plan: Ints  # per line: the plan before the campaign
    advised_plan: Ints  # per line: the plan advised, -1 where no plan on sale saves enough
    monthly_saving: Ints  # per line: minor units a month over the months looked at
    left_worlds: Ints  # [held out, advised] per customer: when they left (NEVER: stayed)
    revenue_worlds: Floats  # [held out, advised] per eligible customer: bills after
    tally: HazardTally


@dataclass
class WorldRows:
    """Eligible customers, their lines (``rows``) and those lines' active shares per world."""

    eligible: Bools
    rows: Ints
    shares: list[Floats]


def world_rows(plan: CampaignPlan, worlds: Ints, lines: Lines, clock: Clock) -> WorldRows:
    """The lines of eligible customers, and their active shares in each world."""
    eligible = plan.candidate & (plan.actual(worlds) >= plan.start_s)
    rows = np.flatnonzero(eligible[lines.customer])
    who, started = lines.customer[rows], lines.started_s[rows]
    shares = [active_share(started, worlds[w][who], clock) for w in (0, 1)]
    return WorldRows(eligible, rows, shares)


def settle(
    plan: CampaignPlan,
    worlds: Ints,
    tally: HazardTally,
    lines: Lines,
    line_plan: Ints,
    misfit_month: Ints,
    usage: UsageCube,
    charged: Ints,
    table: RatingTable,
    setup: WorldRows,
) -> CampaignOutcome:
    """Advise, bill both worlds, and make the actual world the arm's (changes ``usage``,
    ``charged`` and ``line_plan`` in place)."""
    c = plan.month - int(usage.months[0])
    line_ok = eligible_lines(misfit_month, line_plan, plan.month, table)
    line_ok &= setup.eligible[lines.customer]
    history = history_months(usage.active[:, :c], lines.started_s, usage.months[:c])
    advised, saving = advise(usage.quantity[:, :, :c], history, line_plan, line_ok, table)
    from_plan = line_plan.copy()
    moved = np.where(advised >= 0, advised, from_plan)
    rows, who = setup.rows, lines.customer[setup.rows]
    revenue = np.zeros((2, len(plan.candidate)))
    for w, q in enumerate(usage.others):
        after = moved[rows] if w == 1 else from_plan[rows]
        bills = _bill_world(q, setup.shares[w] > 0, from_plan[rows], after, c, table)
        post = bills[:, c + 1 : c + 1 + REVENUE_MONTHS].sum(axis=1)
        revenue[w] = np.bincount(who, weights=post, minlength=len(plan.candidate))
        if w == 1:
            treated = plan.treated[who]
            usage.quantity[:, rows[treated], :] = q[:, treated, :]
            charged[rows[treated]] = bills[treated]
    treated_line = line_ok & plan.treated[lines.customer] & (advised >= 0)
    line_plan[treated_line] = advised[treated_line]
    return CampaignOutcome(
        plan, setup.eligible, line_ok, from_plan, advised, saving, worlds,
        revenue[:, setup.eligible], tally,
    )  # fmt: skip


def _bill_world(
    q: Quantity, active: Bools, before: Ints, after: Ints, c: int, table: RatingTable
) -> Ints:
    """Caps, then charges: the old plan before month index ``c``, ``after`` from it (in place)."""
    q *= active[None, :, :]
    stop_at_caps(q[:, :, :c], before, table)
    stop_at_caps(q[:, :, c:], after, table)
    bills = np.concatenate(
        [charged_months(q[:, :, :c], before, table), charged_months(q[:, :, c:], after, table)],
        axis=1,
    )
    result: Ints = bills * active
    return result


def advise(
    q: Quantity, history: Bools, plan: Ints, lines: Bools, table: RatingTable
) -> tuple[Ints, Ints]:
    """The sample's overpaying rule on the months before the campaign: the cheapest plan on
    sale (no device fee) that fits, where it saves enough; -1 and 0 where none does."""
    months = history.sum(axis=1)
    q = q[:, :, -history.shape[1] :]
    now_cost, _ = rate_months(q, plan, table)
    now_total = (now_cost * history).sum(axis=1)
    best = np.full(len(plan), -1, dtype=np.int64)
    best_total = np.full(len(plan), np.iinfo(np.int64).max)
    for other in np.flatnonzero(table.on_sale & (table.device_fee == 0)):
        cost, fits = rate_months(q, int(other), table)
        total = (cost * history).sum(axis=1)
        better = (months - (fits & history).sum(axis=1) <= MAX_UNFIT_MONTHS) & (total < best_total)
        best, best_total = np.where(better, other, best), np.where(better, total, best_total)
    saving = now_total - best_total
    ok = lines & (months >= MIN_MONTHS) & (best >= 0) & (saving > 0)
    ok &= (saving >= MIN_SAVING_MINOR * months) & (100 * saving >= MIN_SAVING_PERCENT * now_total)
    monthly = np.where(ok, saving // np.maximum(months, 1), 0)
    return np.where(ok, best, -1), monthly

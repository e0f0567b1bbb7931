"""How each line chose its plan when it started, and when that plan began to misfit.

Most lines took the cheapest SIM-only plan that covers the calls, texts and data they
expected to use, plus some headroom. Designed minorities did otherwise: a handset deal;
far more than they need, to be safe (cautious); a plan chosen by data alone that includes
too few minutes for how much they call (too small: overage most months); or a legacy plan
they never left.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.sample.catalogue import PLAN_INDEX, RatingTable, plans_of
from goodwill.sample.catalogue import K as KIND
from goodwill.sample.clock import Clock
from goodwill.sample.needs import NO_MONTH, Needs
from goodwill.sample.params import SampleParams

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

#: Profiles: how a line came to be on its plan.
FIT, CAUTIOUS, TOO_SMALL, LEGACY, HANDSET = 0, 1, 2, 3, 4
PROFILES = ("fit", "cautious", "too_small", "legacy", "handset")
WANT_KINDS = [KIND["voice_min"], KIND["sms"], KIND["data_mb"]]


@dataclass
class Choice:
    """Each line's plan, its profile, and the month its plan began to misfit (NO_MONTH: never)."""

    plan: Ints
    profile: Ints
    misfit_month: Ints


def choose_plans(
    rng: np.random.Generator,
    needs: Needs,
    start_month: Ints,
    clock: Clock,
    p: SampleParams,
    table: RatingTable,
) -> tuple[Choice, Needs]:
    """The plan each line chose at its start, and the needs that go with the choice.

    Handset buyers use more data; too-small lines call more than their plan includes.
    """
    n = len(needs)
    edges = np.cumsum([p.handset_share, p.too_small_share, p.cautious_share])
    kind = np.searchsorted(edges, rng.random(n), side="right")  # 0 handset .. 3 the rest
    handset, tight, cautious = kind == 0, kind == 1, kind == 2
    needs = dataclasses.replace(
        needs, data_mb=needs.data_mb * np.where(handset, p.handset_data_factor, 1.0)
    )
    headroom = rng.lognormal(np.log(p.headroom_median), p.headroom_sigma, n)
    headroom = np.where(cautious, rng.uniform(*p.cautious_headroom, n), headroom)
    want = _expected_use(needs) * headroom[:, None]
    plan = _cheapest_fitting(want, plans_of("sim"), table, fallback=PLAN_INDEX["P-UNL"])

    small, needs = _too_small(rng, tight, want, needs, p, table)
    legacy_plan = _cheapest_fitting(want, plans_of("legacy"), table, fallback=-1)
    old = start_month < clock.asof_month - p.legacy_withdrawn_months_ago
    stays = rng.random(n) < p.legacy_stay_share
    legacy = ~handset & (small < 0) & old & stays & (legacy_plan >= 0)
    pro = (want[:, 2] > table.included[PLAN_INDEX["H-A20"], KIND["data_mb"]]) | (
        rng.random(n) < p.handset_pro_share
    )
    phone = np.where(pro, PLAN_INDEX["H-PRO80"], PLAN_INDEX["H-A20"])
    plan = np.select([handset, legacy, small >= 0], [phone, legacy_plan, small], plan)
    profile = np.select(
        [handset, legacy, small >= 0, cautious], [HANDSET, LEGACY, TOO_SMALL, CAUTIOUS], FIT
    )
    misfit = np.where(np.isin(profile, (TOO_SMALL, LEGACY)), start_month, NO_MONTH)
    drifted_misfit = needs.drift_start + 3  # by then the plan is clearly too big
    return Choice(plan, profile, np.minimum(misfit, drifted_misfit)), needs


def _expected_use(needs: Needs) -> Floats:
    """``[line, (voice, sms, data)]``: what counts against allowances (on-net is free)."""
    offnet = 1 - np.minimum(needs.onnet_share, 1.0)
    result: Floats = np.stack([needs.voice_min * offnet, needs.sms * offnet, needs.data_mb], 1)
    return result


def _too_small(
    rng: np.random.Generator,
    tight: Bools,
    want: Floats,
    needs: Needs,
    p: SampleParams,
    table: RatingTable,
) -> tuple[Ints, Needs]:
    """Tight lines chose a small plan by data alone and call more than it includes.

    Returns their plan (-1 for other lines, and for tight lines no small plan fits) and
    the needs with their heavier calling.
    """
    by_data = want * np.array([0.0, 0.0, 1.0])
    small = _cheapest_fitting(by_data, [PLAN_INDEX["P-1GB"], PLAN_INDEX["P-5GB"]], table, -1)
    small = np.where(tight, small, -1)
    minutes = table.included[np.maximum(small, 0), KIND["voice_min"]]
    offnet = 1 - np.minimum(needs.onnet_share, 1.0)
    calls = minutes * rng.uniform(*p.too_small_voice_excess, len(small)) / offnet
    voice = np.where(small >= 0, calls, needs.voice_min)
    return small, dataclasses.replace(needs, voice_min=voice)


def _cheapest_fitting(
    want: Floats, candidates: list[int], table: RatingTable, fallback: int
) -> Ints:
    """The first (cheapest) candidate plan whose allowances cover ``want`` (voice, sms, data)."""
    chosen = np.full(len(want), -1, dtype=np.int64)
    for plan in candidates:
        fits = np.all(want <= table.included[plan, WANT_KINDS][None, :], axis=1)
        chosen = np.where((chosen < 0) & fits, plan, chosen)
    return np.where(chosen < 0, fallback, chosen)

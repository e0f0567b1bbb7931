# numba types the compiled functions from their arguments; mypy need not.
# mypy: disable-error-code="no-untyped-def"
"""The rating rule, compiled once: the best plan of every subscription of a batch.

This is :mod:`goodwill.domain.rating` and :func:`goodwill.domain.advice.choose_plan`
as one numba kernel over dense arrays: ``use[i, m, k]`` (subscription, window month,
kind), ``present[i, m]`` (month ``m`` is one of its history months) and ``current[i]``
(its plan's row in :class:`~goodwill.analytics.plan_arrays.PlanArrays`). For every
subscription it rates every history month under its current plan and under every
candidate plan of its currency, and keeps only the running best: the subscriptions x
plans product is never held. Candidates are tried cheapest fee first, so that once a
plan's fees alone cost more than the best so far, no further plan is rated. Blocks of :data:`BLOCK` subscriptions run in parallel
(``prange``); each block allocates its scratch once.

Exact integer arithmetic throughout, as the domain: a rate is an integer of 1/10,000
minor unit and each kind's overage is rounded up on its own. Kinds that every plan treats alike are rated once per subscription, and
headroom is computed only when two plans tie on cost and months fitting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from goodwill.analytics.plan_arrays import PlanArrays
from goodwill.domain.advice import HEADROOM_MAX
from goodwill.domain.rating import RATE_SCALE

#: Subscriptions per parallel block.
BLOCK = 2048
#: ``best`` of a subscription with no candidate plan in its currency (no advice row).
NO_CANDIDATE = -2
#: ``best`` of a subscription whose candidates all fit in too few months.
NONE_QUALIFIES = -1

Int64s = npt.NDArray[np.int64]
Uses = npt.NDArray[np.int32] | npt.NDArray[np.int64]


@njit(cache=True, inline="always")
def _overage(p, i, m, use, beyond, rate, cap, kinds):
    """(overage, fits) of month ``m`` of subscription ``i`` under plan ``p``, over ``kinds``.

    One branch per kind, taken only by use beyond the allowance (rare, so well
    predicted): an unlimited kind's allowance is BEYOND_ALL, a capped one charges at rate
    0 and fits up to its cap; the division by the constant scale compiles to a multiply.
    """
    overage = 0
    fits = True
    for j in range(kinds.shape[0]):
        k = kinds[j]
        used = use[i, m, k]
        if used > beyond[p, k]:
            overage += ((used - beyond[p, k]) * rate[p, k] + (RATE_SCALE - 1)) // RATE_SCALE
            fits &= used <= cap[p, k]
    return overage, fits


@njit(cache=True, inline="always")
def _headroom(p, peak, room, kinds, start):
    """domain.advice.headroom_permille over ``kinds``, starting from ``start``."""
    found = start
    for j in range(kinds.shape[0]):
        k = kinds[j]
        if peak[k] > 0 and room[p, k] >= 0:
            ratio = room[p, k] * 1000 // peak[k]
            if ratio < found:
                found = ratio
    return found


@njit(cache=True, inline="always")
def _plan_total(p, i, use, present, fee, beyond, rate, cap, kinds, common, common_fits):
    """(total cost, months fitting) of subscription ``i``'s history months under plan ``p``."""
    total = 0
    fitting = 0
    for m in range(present.shape[1]):
        if present[i, m]:
            overage, fits = _overage(p, i, m, use, beyond, rate, cap, kinds)
            total += fee[p] + common[m] + overage
            if fits and common_fits[m]:
                fitting += 1
    return total, fitting


@njit(cache=True)
def _rate_block(b, use, present, current, fee, beyond, rate, cap, room, currency, candidate, by_fee,
                varying, uniform, max_unfit, months_out, current_total, best, best_total,
                best_fitting, best_headroom, best_cheaper, total_use):  # fmt: skip
    """Rate block ``b`` of the subscriptions; its scratch arrays are allocated once."""
    n, months_in_window, kinds = use.shape[0], use.shape[1], use.shape[2]
    plans = fee.shape[0]
    common = np.zeros(months_in_window, np.int64)
    common_fits = np.ones(months_in_window, np.bool_)
    current_cost = np.zeros(months_in_window, np.int64)
    peak = np.zeros(kinds, np.int64)
    # One subscription's use, copied once from the batch's block: every plan reads it here.
    own = np.zeros((1, months_in_window, kinds), np.int64)
    here_present = np.zeros((1, months_in_window), np.bool_)
    for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
        months = 0
        peak[:] = 0
        for m in range(months_in_window):
            here_present[0, m] = present[i, m]
            if present[i, m]:
                months += 1
                for k in range(kinds):
                    used = use[i, m, k]
                    own[0, m, k] = used
                    total_use[i, k] += used
                    peak[k] = max(peak[k], used)
        months_out[i] = months
        best[i] = NO_CANDIDATE
        if months == 0:
            continue
        for m in range(months_in_window):
            common[m], common_fits[m] = 0, True
            if present[i, m]:
                common[m], common_fits[m] = _overage(0, 0, m, own, beyond, rate, cap, uniform)
        common_room = _headroom(0, peak, room, uniform, HEADROOM_MAX)
        c = current[i]
        now = 0
        for m in range(months_in_window):
            if present[i, m]:
                overage, _ = _overage(c, 0, m, own, beyond, rate, cap, varying)
                current_cost[m] = fee[c] + common[m] + overage
                now += current_cost[m]
        current_total[i] = now
        chosen, chosen_total, chosen_fitting, chosen_room = NONE_QUALIFIES, 0, 0, -1
        offered = False
        floor = 0  # what any plan adds to its fees: the kinds rated once
        for m in range(months_in_window):
            floor += common[m]
        for o in range(plans):
            p = by_fee[o]
            if not candidate[p] or currency[p] != currency[c]:
                continue
            offered = True
            if chosen >= 0 and fee[p] * months + floor > chosen_total:
                break  # plans come cheapest fee first: none further can cost less
            total, fitting = _plan_total(p, 0, own, here_present, fee, beyond, rate, cap,
                                         varying, common, common_fits)  # fmt: skip
            if months - fitting > max_unfit:
                continue
            if chosen >= 0:
                if total > chosen_total or (total == chosen_total and fitting < chosen_fitting):
                    continue
                if total == chosen_total and fitting == chosen_fitting:
                    # A tie on cost and fit: more headroom wins, then the lower plan id.
                    if chosen_room < 0:
                        chosen_room = _headroom(chosen, peak, room, varying, common_room)
                    here = _headroom(p, peak, room, varying, common_room)
                    if here < chosen_room or (here == chosen_room and p > chosen):
                        continue
                    chosen, chosen_room = p, here
                    continue
            chosen, chosen_total, chosen_fitting, chosen_room = p, total, fitting, -1
        if not offered:
            continue
        best[i] = chosen
        if chosen < 0:
            continue
        if chosen_room < 0:
            chosen_room = _headroom(chosen, peak, room, varying, common_room)
        cheaper = 0
        for m in range(months_in_window):
            if present[i, m]:
                overage, _ = _overage(chosen, 0, m, own, beyond, rate, cap, varying)
                if fee[chosen] + common[m] + overage < current_cost[m]:
                    cheaper += 1
        best_total[i], best_fitting[i] = chosen_total, chosen_fitting
        best_headroom[i], best_cheaper[i] = chosen_room, cheaper


@njit(cache=True, parallel=True)
def _best_plans(
    use, present, current, fee, beyond, rate, cap, room, currency, candidate, by_fee,
    varying, uniform, max_unfit, months_out, current_total, best, best_total,
    best_fitting, best_headroom, best_cheaper, total_use
):  # fmt: skip
    for b in prange((use.shape[0] + BLOCK - 1) // BLOCK):
        _rate_block(b, use, present, current, fee, beyond, rate, cap, room, currency, candidate, by_fee,
                    varying, uniform, max_unfit, months_out, current_total, best, best_total,
                    best_fitting, best_headroom, best_cheaper, total_use)  # fmt: skip


@njit(cache=True)
def _best_plans_serial(
    use, present, current, fee, beyond, rate, cap, room, currency, candidate, by_fee,
    varying, uniform, max_unfit, months_out, current_total, best, best_total,
    best_fitting, best_headroom, best_cheaper, total_use
):  # fmt: skip
    """The same, on the calling thread only: for small batches, and callers that run in
    threads of their own (numba's default thread pool is not to be entered concurrently)."""
    for b in range((use.shape[0] + BLOCK - 1) // BLOCK):
        _rate_block(b, use, present, current, fee, beyond, rate, cap, room, currency, candidate, by_fee,
                    varying, uniform, max_unfit, months_out, current_total, best, best_total,
                    best_fitting, best_headroom, best_cheaper, total_use)  # fmt: skip


@dataclass(frozen=True)
class BestPlans:
    """Per subscription of a batch: its history, its current cost and its best candidate.

    ``best`` is a row of the plan arrays, NONE_QUALIFIES, or NO_CANDIDATE; the ``best_*``
    numbers mean something only where ``best >= 0``. ``total_use[i, k]`` sums the
    history months' use of kind ``k``.
    """

    months_considered: Int64s
    current_total_minor: Int64s
    best: Int64s
    best_total_minor: Int64s
    best_months_fitting: Int64s
    best_headroom_permille: Int64s
    best_months_cheaper: Int64s
    total_use: Int64s


def best_plans(
    use: Uses,
    present: npt.NDArray[np.bool_],
    current: Int64s,
    plans: PlanArrays,
    max_unfit: int,
    parallel: bool | None = None,
) -> BestPlans:
    """Rate a batch: ``use`` int32 or int64 ``[n, months, kinds]`` (kinds as in
    ``plans``), ``present`` bool ``[n, months]``, ``current`` int64 ``[n]`` (rows of
    ``plans``).

    The kernel reads ``use`` as one block a row per (month, kind), a column per
    subscription: a ``use`` that is such a block seen as ``[i, m, k]`` (as
    :func:`goodwill.analytics.advice_batch.window_arrays` makes it) is read in place,
    any other is copied into one. ``parallel`` None: blocks in parallel when there are
    several, else on this thread.
    """
    parallel = use.shape[0] > 2 * BLOCK if parallel is None else parallel
    n, kinds = use.shape[0], use.shape[2]
    columns = {name: np.zeros(n, np.int64) for name in BestPlans.__dataclass_fields__}
    found = BestPlans(**columns | {"total_use": np.zeros((n, kinds), np.int64)})
    if n == 0 or plans.count == 0:
        found.best[:] = NO_CANDIDATE
        return found
    if not _in_place(use):
        block = use_block(use.shape[1], kinds, n, np.int32 if use.dtype == np.int32 else np.int64)
        block[...] = use.transpose(1, 2, 0)
        use = block.transpose(2, 0, 1)
    kernel = _best_plans if parallel else _best_plans_serial
    kernel(use, np.ascontiguousarray(present), current,
                plans.fee, plans.beyond, plans.charge_rate, plans.cap, plans.room,
                plans.currency, plans.candidate, plans.by_fee, plans.varying, plans.uniform, max_unfit,
                found.months_considered, found.current_total_minor, found.best,
                found.best_total_minor, found.best_months_fitting, found.best_headroom_permille,
                found.best_months_cheaper, found.total_use)  # fmt: skip
    return found


def use_block(months: int, kinds: int, n: int, dtype: type) -> Uses:
    """Zeros ``[months, kinds, n]``: a row per (month, kind), a column per subscription.

    Each row is padded by one element, so the block, seen as ``[i, m, k]``, is never
    contiguous: numba then compiles one kernel per dtype, whatever the batch's shape.
    """
    block: Uses = np.zeros((months, kinds, n + 1), dtype)[:, :, :n]
    return block


def _in_place(use: Uses) -> bool:
    return (
        use.dtype in (np.int32, np.int64)
        and use.strides[0] == use.itemsize
        and not (use.flags.c_contiguous or use.flags.f_contiguous)
    )


def warm_up() -> None:
    """Load both kernels for int32 use, the layout's (from numba's cache, or compile
    them): a process's first call pays this once, a second or two; callers that time the
    rating call it first. (int64 use, for quantities beyond 2**31, loads on first use.)"""
    one = PlanArrays.empty_for_warm_up()
    for parallel in (False, True):
        best_plans(use_block(2, 1, 2, np.int32).transpose(2, 0, 1), np.ones((2, 2), np.bool_),
                   np.zeros(2, np.int64), one, 0, parallel=parallel)  # fmt: skip

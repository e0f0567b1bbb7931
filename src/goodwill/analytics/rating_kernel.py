# numba types the compiled functions from their arguments; mypy need not.
# mypy: disable-error-code="no-untyped-def"
"""The rating rule, compiled once: the best plan of every subscription of a batch.

This is :mod:`goodwill.domain.rating` and :func:`goodwill.domain.advice.choose_plan`
as one numba kernel over dense arrays: ``use[i, m, k]`` (subscription, window month,
kind), ``present[i, m]`` (month ``m`` is one of its history months) and ``current[i]``
(its plan's row in :class:`~goodwill.analytics.plan_arrays.PlanArrays`). For every
subscription it rates every history month under its current plan and under the
candidate plans of its currency, and keeps only the running best: the subscriptions x
plans product is never held. Blocks of :data:`BLOCK` subscriptions run in parallel
(``prange``); each block allocates its scratch once.

Most candidates are never rated month by month. Each gets a lower bound first, from
the subscription's use summed over its months (what it would pay were its months one:
the domain's per-month rounding and per-month floor at zero can only add to it), and a
plan whose cap the subscription exceeded in more months than the rules allow is out at
once. Candidates are then rated cheapest bound first, until the next bound costs more
than the best so far; a plan that allows every kind's peak month costs its fees alone.
The choice is the domain's (lowest total, then more months fitting, more headroom, lower
plan id), so the order plans are rated in cannot change it.

Exact integer arithmetic throughout, as the domain: a rate is an integer of 1/10,000
minor unit and each kind's overage is rounded up on its own. Kinds that every plan
treats alike are rated once per subscription, and headroom is computed only when two
plans tie on cost and months fitting.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

# The kernel's parallel blocks run on numba's OpenMP threads, whose default is to spin
# for a while after each call, waiting for the next: in the advice pipeline that spinning
# took the cores from the threads reading and writing the other batches (0.08 s of CPU
# per 1M lines, a fifth of the kernel's own). Read when OpenMP starts, at the first
# parallel call; a value the user set stays.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
#: Above any window's total use of a kind (quantities are at most 2**40 a month), and
#: small enough that a window's months times it fits in 64 bits.
LIMIT = 2**50
#: The bound of a plan not to rate: not a candidate, or unfit in too many months.
UNFIT = 2**63 - 1
#: Clamps on a bound's terms (fees in minor units, rates in 1/RATE_SCALE, use) and on
#: the bound: each product stays under 2**56 and their sum under 2**63.
BOUND_BASE, BOUND_RATE, BOUND_EXCESS, BOUND_MOST = 2**44, 2**20, 2**36, 2**62

Int64s = npt.NDArray[np.int64]
Uses = npt.NDArray[np.int32] | npt.NDArray[np.int64]


@njit(cache=True, inline="always")
def _overage(p, i, m, use, beyond, rate, cap, kinds, count=-1):
    """(overage, fits) of month ``m`` of subscription ``i`` under plan ``p``, over ``kinds``
    (its first ``count``, if given).

    One branch per kind, taken only by use beyond the allowance: an unlimited kind's
    allowance is BEYOND_ALL, a capped one charges at rate 0 and fits up to its cap; the
    division by the constant scale compiles to a multiply.
    """
    overage = 0
    fits = True
    for j in range(kinds.shape[0] if count < 0 else count):
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
def _beyond_peak(p, peak, beyond, kinds, over):
    """How many of ``kinds`` plan ``p`` allows less of than the peak month used; those
    kinds into ``over``. No other kind charges, or fails to fit, in any month."""
    count = 0
    for j in range(kinds.shape[0]):
        k = kinds[j]
        if peak[k] > beyond[p, k]:
            over[count] = k
            count += 1
    return count


@njit(cache=True, inline="always")
def _lower_bounds(i, c, months, floor, total_use, kth, fee, limit, rate, cap, currency,
                  candidate, varying, bounds, unfit):  # fmt: skip
    """Into ``bounds[p]``, for every plan ``p``: UNFIT unless it is a candidate in the
    currency of plan ``c`` that can fit in enough months, else a total (in 1/RATE_SCALE
    minor units) that rating it month by month cannot come under.

    The bound is the plan's fees, the kinds rated once (``floor``) and, per kind, the
    overage of the months' use summed (ceil(a) + ceil(b) >= a + b and max(0, a) +
    max(0, b) >= max(0, a + b)). Each term is clamped (which only lowers it), so the sum
    never overflows, and the plans are the inner loop, over kind-major terms: it runs
    branch-free, a vector of plans at a time. A plan that caps a kind below its
    ``kth`` largest month (the rules' unfit months plus one) cannot fit often enough.
    ``unfit``: scratch flags, one per plan.
    """
    plans = fee.shape[0]
    here = currency[c]
    for p in range(plans):
        bounds[p] = min(fee[p] * months + floor, BOUND_BASE) * RATE_SCALE
        unfit[p] = (not candidate[p]) | (currency[p] != here)
    for j in range(varying.shape[0]):
        k = varying[j]
        used, most = total_use[i, k], kth[k]
        # The kind's row as an array of its own: the plans' loop then reads contiguous
        # memory with no index arithmetic, and vectorises (2.7x faster than [k, p]).
        limit_k, rate_k, cap_k = limit[k], rate[k], cap[k]
        for p in range(plans):
            excess = min(max(used - months * limit_k[p], 0), BOUND_EXCESS)
            bounds[p] = min(bounds[p] + rate_k[p] * excess, BOUND_MOST)
            unfit[p] |= most > cap_k[p]
    for p in range(plans):
        bounds[p] = UNFIT if unfit[p] else bounds[p]


@njit(cache=True, inline="always")
def _kth_largest(own, here, rank, top, kth, varying):
    """Into ``kth[k]``, for the ``varying`` kinds (the only ones a bound reads): the
    ``rank``-th largest use of kind ``k`` over the history months, -1 if fewer months.
    Each month's use sinks through ``top`` (scratch, ``rank`` long, largest first),
    branch-free, a kind at a time."""
    for j in range(varying.shape[0]):
        k = varying[j]
        for t in range(rank):
            top[t] = -1
        for m in range(here.shape[1]):
            if here[0, m]:
                value = own[0, m, k]
                for t in range(rank):
                    high = max(top[t], value)
                    value = min(top[t], value)
                    top[t] = high
        kth[k] = top[rank - 1]


@njit(cache=True, inline="always")
def _take_use(i, use, present, own, here, peak, total_use):
    """Copy subscription ``i``'s history months into ``own``/``here`` (every plan reads
    them there), sum them into ``total_use[i]`` and keep each kind's peak; its months."""
    months = 0
    for k in range(use.shape[2]):
        peak[k] = 0
    for m in range(use.shape[1]):
        here[0, m] = present[i, m]
        if present[i, m]:
            months += 1
            for k in range(use.shape[2]):
                used = use[i, m, k]
                own[0, m, k] = used
                total_use[i, k] += used
                peak[k] = max(peak[k], used)
    return months


@njit(cache=True, inline="always")
def _plan_total(p, own, here, fee, beyond, rate, cap, over, count, common, common_fits, costs):
    """(total cost, months fitting) of the history months under plan ``p``, rating the
    kinds rated once (``common``) and the first ``count`` of ``over``; each month's cost
    into ``costs``."""
    total = 0
    fitting = 0
    for m in range(here.shape[1]):
        if here[0, m]:
            overage, fits = _overage(p, 0, m, own, beyond, rate, cap, over, count)
            costs[m] = fee[p] + common[m] + overage
            total += costs[m]
            if fits and common_fits[m]:
                fitting += 1
    return total, fitting


@njit(cache=True, inline="always")
def _rate_uniform(own, here, beyond, rate, cap, uniform, common, common_fits):
    """Rate the kinds every plan treats alike, month by month; (their total, months
    they fit)."""
    floor, fitting = 0, 0
    for m in range(here.shape[1]):
        common[m], common_fits[m] = 0, True
        if here[0, m]:
            common[m], common_fits[m] = _overage(0, 0, m, own, beyond, rate, cap, uniform)
            floor += common[m]
            fitting += common_fits[m]
    return floor, fitting


@njit(cache=True, inline="always")
def _months_cheaper(p, count, here, fee, common, costs, current_cost):
    """How many history months cost less under plan ``p`` than under the current plan:
    counted as ``p`` is chosen, while its months' costs are at hand (``costs``, as
    :func:`_plan_total` left them, or its fee and the kinds rated once where it rated
    no other kind, ``count`` 0)."""
    cheaper = 0
    for m in range(here.shape[1]):
        cost = fee[p] + common[m] if count == 0 else costs[m]
        if here[0, m] and cost < current_cost[m]:
            cheaper += 1
    return cheaper


@njit(cache=True, inline="always")
def _cheapest(bounds):
    at = 0
    for p in range(1, bounds.shape[0]):
        if bounds[p] < bounds[at]:
            at = p
    return at


@njit(cache=True, inline="always")
def _cannot_beat(bound, chosen_total):
    """A plan whose bound is ``bound`` costs more than ``chosen_total`` (False where the
    total is too large to scale: the plan is then rated, as any)."""
    return chosen_total < BOUND_BASE and bound > chosen_total * RATE_SCALE


@njit(cache=True)
def _rate_block(b, use, present, current, terms, offer, max_unfit, found):
    """Rate block ``b`` of the subscriptions; its scratch arrays are allocated once."""
    fee, beyond, rate, cap, room, limit_by_kind, rate_by_kind, cap_by_kind = terms
    currency, candidate, varying, uniform, offered = offer
    months_out, current_total, best, best_total, best_fitting, best_room, best_cheaper, total_use = found  # fmt: skip
    n, months_in_window, kinds = use.shape[0], use.shape[1], use.shape[2]
    common = np.zeros(months_in_window, np.int64)
    common_fits = np.ones(months_in_window, np.bool_)
    current_cost = np.zeros(months_in_window, np.int64)
    costs = np.zeros(months_in_window, np.int64)
    top = np.zeros(max_unfit + 1, np.int64)
    peak = np.zeros(kinds, np.int64)
    kth = np.full(kinds, -1, np.int64)
    over = np.zeros(kinds, np.int64)
    bounds = np.zeros(fee.shape[0], np.int64)
    unfit = np.zeros(fee.shape[0], np.bool_)
    own = np.zeros((1, months_in_window, kinds), np.int64)
    here = np.zeros((1, months_in_window), np.bool_)
    for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
        months = _take_use(i, use, present, own, here, peak, total_use)
        months_out[i] = months
        best[i] = NO_CANDIDATE
        if months == 0:
            continue
        floor, floor_fitting = _rate_uniform(own, here, beyond, rate, cap, uniform, common, common_fits)  # fmt: skip
        common_room = _headroom(0, peak, room, uniform, HEADROOM_MAX)
        c = current[i]
        count = _beyond_peak(c, peak, beyond, varying, over)
        current_total[i], _ = _plan_total(c, own, here, fee, beyond, rate, cap, over, count,
                                          common, common_fits, current_cost)  # fmt: skip
        if not offered[c]:
            continue
        _kth_largest(own, here, max_unfit + 1, top, kth, varying)
        _lower_bounds(i, c, months, floor, total_use, kth, fee, limit_by_kind, rate_by_kind,
                      cap_by_kind, currency, candidate, varying, bounds, unfit)  # fmt: skip
        chosen, chosen_total, chosen_fitting, chosen_room = NONE_QUALIFIES, 0, 0, -1
        chosen_cheaper = 0
        while True:
            p = _cheapest(bounds)
            if bounds[p] == UNFIT or (chosen >= 0 and _cannot_beat(bounds[p], chosen_total)):
                break  # the cheapest bound left costs more: no plan left can cost less
            bounds[p] = UNFIT
            count = _beyond_peak(p, peak, beyond, varying, over)
            if count == 0:
                total, fitting = fee[p] * months + floor, floor_fitting
            else:
                total, fitting = _plan_total(p, own, here, fee, beyond, rate, cap, over, count,
                                             common, common_fits, costs)  # fmt: skip
            if months - fitting > max_unfit:
                continue
            if chosen >= 0:
                if total > chosen_total or (total == chosen_total and fitting < chosen_fitting):
                    continue
                if total == chosen_total and fitting == chosen_fitting:
                    # A tie on cost and fit: more headroom wins, then the lower plan id.
                    if chosen_room < 0:
                        chosen_room = _headroom(chosen, peak, room, varying, common_room)
                    room_here = _headroom(p, peak, room, varying, common_room)
                    if room_here < chosen_room or (room_here == chosen_room and p > chosen):
                        continue
                    chosen, chosen_room = p, room_here
                    chosen_cheaper = _months_cheaper(p, count, here, fee, common, costs, current_cost)  # fmt: skip
                    continue
            chosen, chosen_total, chosen_fitting, chosen_room = p, total, fitting, -1
            chosen_cheaper = _months_cheaper(p, count, here, fee, common, costs, current_cost)
        best[i] = chosen
        if chosen < 0:
            continue
        if chosen_room < 0:
            chosen_room = _headroom(chosen, peak, room, varying, common_room)
        best_total[i], best_fitting[i] = chosen_total, chosen_fitting
        best_room[i], best_cheaper[i] = chosen_room, chosen_cheaper


@njit(cache=True, parallel=True, nogil=True)
def _best_plans(use, present, current, terms, offer, max_unfit, found):
    for b in prange((use.shape[0] + BLOCK - 1) // BLOCK):
        _rate_block(b, use, present, current, terms, offer, max_unfit, found)


@njit(cache=True, nogil=True)
def _best_plans_serial(use, present, current, terms, offer, max_unfit, found):
    """The same, on the calling thread only: for small batches, and callers that run in
    threads of their own (numba's default thread pool is not to be entered concurrently)."""
    for b in range((use.shape[0] + BLOCK - 1) // BLOCK):
        _rate_block(b, use, present, current, terms, offer, max_unfit, found)


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
    arguments = (use, np.ascontiguousarray(present), current, _terms(plans), _offer(plans),
                 max_unfit, tuple(getattr(found, name) for name in BestPlans.__dataclass_fields__))  # fmt: skip
    if parallel:
        with _ONE_PARALLEL_CALL:
            _best_plans(*arguments)
    else:
        _best_plans_serial(*arguments)
    return found


#: The kernels release the GIL (``nogil``): the threads that read and write the other
#: batches run meanwhile, where holding it kept them waiting (at 1M lines, 0.62 -> 0.54 s
#: and 0.89 -> 0.84 s of CPU). Serial calls may then run in several threads at once;
#: parallel ones take turns, as numba's thread pool asks (its workqueue layer, where
#: neither OpenMP nor TBB is found, aborts when entered twice).
_ONE_PARALLEL_CALL = threading.Lock()


def _terms(plans: PlanArrays) -> tuple[Int64s, ...]:
    """The plans' terms as the kernel reads them, ``[plan, kind]``, then kind-major
    (``[kind, plan]``) those :func:`_lower_bounds` reads: the allowance capped at
    :data:`LIMIT`, the charge rate capped at ``BOUND_RATE``, and the cap."""
    limit = np.minimum(plans.beyond, LIMIT)
    rate = np.minimum(plans.charge_rate, BOUND_RATE)
    by_kind = [np.ascontiguousarray(a.T) for a in (limit, rate, plans.cap)]
    return (plans.fee, plans.beyond, plans.charge_rate, plans.cap, plans.room, *by_kind)


def _offer(plans: PlanArrays) -> tuple[npt.NDArray[np.int64 | np.bool_], ...]:
    """What the kernel offers a subscription: per plan its currency and whether it is a
    candidate; the kinds plans treat differently, and alike; and per plan, whether any
    candidate is offered to its subscribers."""
    shared = plans.candidate[None, :] & (plans.currency[:, None] == plans.currency[None, :])
    return (plans.currency, plans.candidate, plans.varying, plans.uniform, shared.any(axis=1))


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

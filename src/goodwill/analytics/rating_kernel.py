# numba types the compiled functions from their arguments; mypy need not.
# mypy: disable-error-code="no-untyped-def"
"""The rating rule, compiled once: the best plan of every subscription of a batch.

This is :mod:`goodwill.domain.rating` and :func:`goodwill.domain.advice.choose_plan`
as one numba kernel over dense arrays: ``use[m, k, i]`` (window month, kind,
subscription: a row per month and kind), ``present[m, i]`` (month ``m`` is one of
subscription ``i``'s history months) and ``current[i]`` (its plan's row in
:class:`~goodwill.analytics.plan_arrays.PlanArrays`). For every subscription it rates
every history month under its current plan and under the candidate plans of its
currency, and keeps only the running best: the subscriptions x plans product is never
held. Blocks of :data:`BLOCK` subscriptions run in parallel (``prange``), or one after
another where the caller runs batches side by side; each block allocates its scratch
once, and first computes what every subscription needs whatever its plan (months, use
summed, peaks, the kinds every plan treats alike, the largest months), a row of the
block at a time, vectorised, before it rates each subscription on its own.

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
        used = np.int64(use[m, k, i])
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
def _block_use(lo, nb, use, present, months, total, peak):
    """For the ``nb`` subscriptions from ``lo`` (subscription ``lo + j`` is column ``j``
    of the block's scratch): how many history months each has (``months[j]``), each
    kind's use summed over them (``total[k, j]``) and its peak month (``peak[k, j]``, 0
    at least).

    A (month, kind) row at a time, over the block: contiguous reads, four subscriptions
    a vector, where a subscription at a time read its 36 cells from 36 rows (0.25 s per
    1M lines, now 0.05). The loops run over slices of the block's columns, so their
    indices are known not to be negative, and months not in the history are multiplied
    out rather than branched around: both keep the loops vectorised."""
    months[:nb] = 0
    total[:, :nb] = 0
    peak[:, :nb] = 0
    for m in range(use.shape[0]):
        seen = present[m, lo : lo + nb]
        for j in range(nb):
            months[j] += seen[j]
        for k in range(use.shape[1]):
            row, total_k, peak_k = use[m, k, lo : lo + nb], total[k, :nb], peak[k, :nb]
            for j in range(nb):
                used = np.int64(row[j]) * seen[j]
                total_k[j] += used
                peak_k[j] = max(peak_k[j], used)


@njit(cache=True, inline="always")
def _block_uniform(lo, nb, use, present, beyond, rate, cap, uniform, common, common_fits,
                   floor, floor_fitting):  # fmt: skip
    """The kinds every plan treats alike (``uniform``), rated once for the block's
    subscriptions: per history month their overage (``common[m, j]``) and whether they
    fit (``common_fits[m, j]``; 0 and True in other months), and over the history months
    their total (``floor[j]``) and the months they fit (``floor_fitting[j]``)."""
    floor[:nb] = 0
    floor_fitting[:nb] = 0
    for m in range(use.shape[0]):
        common_m, fits_m = common[m, :nb], common_fits[m, :nb]
        seen = present[m, lo : lo + nb]
        common_m[:] = 0
        fits_m[:] = True
        for u in range(uniform.shape[0]):
            k = uniform[u]
            row, allowed, charge, most = use[m, k, lo : lo + nb], beyond[0, k], rate[0, k], cap[0, k]  # fmt: skip
            for j in range(nb):
                used = np.int64(row[j])
                if used > allowed:
                    common_m[j] += ((used - allowed) * charge + (RATE_SCALE - 1)) // RATE_SCALE
                    fits_m[j] &= used <= most
        for j in range(nb):
            common_m[j] *= seen[j]
            fits_m[j] |= not seen[j]
            floor[j] += common_m[j]
            floor_fitting[j] += fits_m[j] & seen[j]


@njit(cache=True, inline="always")
def _block_kth(lo, nb, use, present, top, kth, varying, value):
    """Into ``kth[k, j]``, for the ``varying`` kinds (the only ones a bound reads): the
    ``rank``-th largest use of kind ``k`` over subscription ``lo + j``'s history months
    (``rank`` the rows of ``top``), -1 if it has fewer months. Each month's use (-1 in a
    month not in the history) sinks through ``top[:, j]`` (largest first), branch-free,
    a vector of subscriptions at a time; ``value``: scratch, a row of the block."""
    rank = top.shape[0]
    sinking = value[:nb]
    for v in range(varying.shape[0]):
        k = varying[v]
        top[:, :nb] = -1
        for m in range(use.shape[0]):
            row, seen = use[m, k, lo : lo + nb], present[m, lo : lo + nb]
            for j in range(nb):
                sinking[j] = (np.int64(row[j]) + 1) * seen[j] - 1
            for t in range(rank):
                top_t = top[t, :nb]
                for j in range(nb):
                    high = max(top_t[j], sinking[j])
                    sinking[j] = min(top_t[j], sinking[j])
                    top_t[j] = high
        kth[k, :nb] = top[rank - 1, :nb]


@njit(cache=True, inline="always")
def _plan_total(p, i, use, here, fee, beyond, rate, cap, over, count, common, common_fits,
                costs):  # fmt: skip
    """(total cost, months fitting) of subscription ``i``'s history months (``here``)
    under plan ``p``, rating the kinds rated once (``common``) and the first ``count`` of
    ``over``; each month's cost into ``costs``."""
    total = 0
    fitting = 0
    for m in range(here.shape[0]):
        if here[m]:
            overage, fits = _overage(p, i, m, use, beyond, rate, cap, over, count)
            costs[m] = fee[p] + common[m] + overage
            total += costs[m]
            if fits and common_fits[m]:
                fitting += 1
    return total, fitting


@njit(cache=True, inline="always")
def _months_cheaper(p, count, here, fee, common, costs, current_cost):
    """How many history months cost less under plan ``p`` than under the current plan:
    counted as ``p`` is chosen, while its months' costs are at hand (``costs``, as
    :func:`_plan_total` left them, or its fee and the kinds rated once where it rated
    no other kind, ``count`` 0)."""
    cheaper = 0
    for m in range(here.shape[0]):
        cost = fee[p] + common[m] if count == 0 else costs[m]
        if here[m] and cost < current_cost[m]:
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
    """Rate block ``b`` of the subscriptions; its scratch arrays are allocated once.

    What every subscription needs whatever its plan (its months, use summed, peaks, the
    kinds rated once, the kth largest months) is computed first for the whole block, a
    row of the block at a time; then each subscription is rated on its own."""
    fee, beyond, rate, cap, room, limit_by_kind, rate_by_kind, cap_by_kind = terms
    currency, candidate, varying, uniform, offered = offer
    months_out, current_total, best, best_total, best_fitting, best_room, best_cheaper, total_use = found  # fmt: skip
    months_in_window, kinds, n = use.shape[0], use.shape[1], use.shape[2]
    lo = b * BLOCK
    nb = min(n, lo + BLOCK) - lo
    block_months = np.zeros(BLOCK, np.int64)
    block_total = np.zeros((kinds, BLOCK), np.int64)
    block_peak = np.zeros((kinds, BLOCK), np.int64)
    block_common = np.zeros((months_in_window, BLOCK), np.int64)
    block_common_fits = np.ones((months_in_window, BLOCK), np.bool_)
    block_floor = np.zeros(BLOCK, np.int64)
    block_floor_fitting = np.zeros(BLOCK, np.int64)
    block_kth = np.full((kinds, BLOCK), -1, np.int64)
    top = np.zeros((max_unfit + 1, BLOCK), np.int64)
    value = np.zeros(BLOCK, np.int64)
    _block_use(lo, nb, use, present, block_months, block_total, block_peak)
    _block_uniform(lo, nb, use, present, beyond, rate, cap, uniform, block_common,
                   block_common_fits, block_floor, block_floor_fitting)  # fmt: skip
    _block_kth(lo, nb, use, present, top, block_kth, varying, value)
    common = np.zeros(months_in_window, np.int64)
    common_fits = np.ones(months_in_window, np.bool_)
    current_cost = np.zeros(months_in_window, np.int64)
    costs = np.zeros(months_in_window, np.int64)
    peak = np.zeros(kinds, np.int64)
    kth = np.full(kinds, -1, np.int64)
    over = np.zeros(kinds, np.int64)
    bounds = np.zeros(fee.shape[0], np.int64)
    unfit = np.zeros(fee.shape[0], np.bool_)
    here = np.zeros(months_in_window, np.bool_)
    for j in range(nb):
        i = lo + j
        months = block_months[j]
        months_out[i] = months
        best[i] = NO_CANDIDATE
        for k in range(kinds):
            total_use[i, k] = block_total[k, j]
            peak[k] = block_peak[k, j]
        if months == 0:
            continue
        for m in range(months_in_window):
            here[m] = present[m, i]
            common[m], common_fits[m] = block_common[m, j], block_common_fits[m, j]
        floor, floor_fitting = block_floor[j], block_floor_fitting[j]
        common_room = _headroom(0, peak, room, uniform, HEADROOM_MAX)
        c = current[i]
        count = _beyond_peak(c, peak, beyond, varying, over)
        current_total[i], _ = _plan_total(c, i, use, here, fee, beyond, rate, cap, over, count,
                                          common, common_fits, current_cost)  # fmt: skip
        if not offered[c]:
            continue
        for v in range(varying.shape[0]):
            kth[varying[v]] = block_kth[varying[v], j]
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
                total, fitting = _plan_total(p, i, use, here, fee, beyond, rate, cap, over,
                                             count, common, common_fits, costs)  # fmt: skip
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
    for b in prange((use.shape[2] + BLOCK - 1) // BLOCK):
        _rate_block(b, use, present, current, terms, offer, max_unfit, found)


@njit(cache=True, nogil=True)
def _best_plans_serial(use, present, current, terms, offer, max_unfit, found):
    """The same, on the calling thread only: for small batches, and callers that run in
    threads of their own (numba's default thread pool is not to be entered concurrently)."""
    for b in range((use.shape[2] + BLOCK - 1) // BLOCK):
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
    subscription (C order ``[months, kinds, n]``), and ``present`` a row per month: a
    ``use`` that is such a block seen as ``[i, m, k]`` (as :func:`use_block` makes it and
    :func:`goodwill.analytics.advice_batch.window_arrays` fills it) is read in place, as
    is a ``present`` that is a ``[months, n]`` array seen as ``[n, months]``; any other is
    copied into one. ``parallel`` None: blocks in parallel when there are several, else
    on this thread.
    """
    parallel = use.shape[0] > 2 * BLOCK if parallel is None else parallel
    n, kinds = use.shape[0], use.shape[2]
    columns = {name: np.zeros(n, np.int64) for name in BestPlans.__dataclass_fields__}
    found = BestPlans(**columns | {"total_use": np.zeros((n, kinds), np.int64)})
    if n == 0 or plans.count == 0:
        found.best[:] = NO_CANDIDATE
        return found
    block: npt.NDArray[np.integer] = use.transpose(1, 2, 0)
    if use.dtype not in (np.int32, np.int64) or not block.flags.c_contiguous:
        block = np.ascontiguousarray(block, np.int32 if use.dtype == np.int32 else np.int64)
    arguments = (block, np.ascontiguousarray(present.T), current, _terms(plans), _offer(plans),
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
    """Zeros ``[months, kinds, n]``: a row per (month, kind), a column per subscription,
    the block :func:`best_plans` reads in place."""
    block: Uses = np.zeros((months, kinds, n), dtype)
    return block


def warm_up() -> None:
    """Load both kernels for int32 use, the layout's (from numba's cache, or compile
    them): a process's first call pays this once, a second or two; callers that time the
    rating call it first. (int64 use, for quantities beyond 2**31, loads on first use.)"""
    one = PlanArrays.empty_for_warm_up()
    for parallel in (False, True):
        best_plans(use_block(2, 1, 2, np.int32).transpose(2, 0, 1), np.ones((2, 2), np.bool_),
                   np.zeros(2, np.int64), one, 0, parallel=parallel)  # fmt: skip

"""The compiled rating kernel chooses exactly what the scalar reference in domain/ chooses."""

from __future__ import annotations

from decimal import Decimal

import hypothesis.strategies as st
import numpy as np
from hypothesis import HealthCheck, given, settings

from goodwill.analytics.catalogue import Catalogue
from goodwill.analytics.plan_arrays import plan_arrays
from goodwill.analytics.rating_kernel import BLOCK, NO_CANDIDATE, BestPlans, best_plans
from goodwill.domain.advice import AdviceRules, advise_subscription
from goodwill.domain.rating import Allowance, Plan

KINDS = ("data_mb", "intl_min", "sms", "voice_min")
MONTHS = 6
RATES = st.one_of(
    st.sampled_from([Decimal("0"), Decimal("1"), Decimal("25"), Decimal("0.5"), Decimal("0.0001")]),
    st.integers(0, 1_000_000).map(lambda units: Decimal(units) / 10_000),
)
QUANTITY = st.one_of(st.sampled_from([0, 1, 500, 3000]), st.integers(0, 6000))


@st.composite
def plans(draw: st.DrawFn, index: int) -> Plan:
    kinds = draw(st.lists(st.sampled_from(KINDS), unique=True, max_size=len(KINDS)))
    allowances = tuple(
        Allowance(kind, draw(st.none() | st.integers(0, 3000)), draw(st.none() | RATES))
        for kind in kinds
    )
    return Plan(
        plan_id=f"P{index:02d}",
        name=f"Plan {index}",
        monthly_fee_minor=draw(st.sampled_from([0, 500, 750, 1000]) | st.integers(0, 3000)),
        currency=draw(st.sampled_from(["GBP", "GBP", "GBP", "EUR"])),
        allowances=allowances,
        on_sale=draw(st.booleans()),
        device_fee_minor=draw(st.sampled_from([0, 0, 0, 1500])),
    )


@st.composite
def catalogues(draw: st.DrawFn) -> Catalogue:
    found = draw(st.lists(st.integers(0, 99), unique=True, min_size=1, max_size=8))
    rates = draw(
        st.dictionaries(st.tuples(st.sampled_from(KINDS), st.sampled_from(["GBP", "EUR"])), RATES)
    )
    return Catalogue(tuple(draw(plans(i)) for i in found), rates)


@st.composite
def subscriptions(draw: st.DrawFn, count: int) -> tuple[np.ndarray, np.ndarray]:
    cells = count * MONTHS
    quantities = draw(st.lists(QUANTITY, min_size=cells * len(KINDS), max_size=cells * len(KINDS)))
    flags = draw(st.lists(st.booleans(), min_size=cells, max_size=cells))
    use = np.array(quantities, np.int64).reshape(count, MONTHS, len(KINDS))
    present = np.array(flags, np.bool_).reshape(count, MONTHS)
    return use, present


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues(), st.data(), st.sampled_from([0, 1, 2, MONTHS - 1, MONTHS, MONTHS + 1]))
def test_the_kernels_choice_equals_the_scalar_reference(
    catalogue: Catalogue, data: st.DataObject, max_unfit: int
) -> None:
    arrays = plan_arrays(catalogue, KINDS)
    count = data.draw(st.integers(1, 12))
    use, present = data.draw(subscriptions(count))
    rows = st.integers(0, arrays.count - 1)
    current = np.array(data.draw(st.lists(rows, min_size=count, max_size=count)), np.int64)
    got = best_plans(use, present, current, arrays, max_unfit)
    rules = AdviceRules(min_history_months=1, max_unfit_months=max_unfit)
    for i in range(count):
        plan = arrays.plans[current[i]]
        months = [
            dict(zip(KINDS, map(int, use[i, m]), strict=True))
            for m in range(MONTHS)
            if present[i, m]
        ]
        advice = advise_subscription(
            plan, arrays.plans, months, catalogue.rates_for(plan.currency), rules
        )
        assert got.months_considered[i] == len(months)
        if advice is None:
            assert got.best[i] == NO_CANDIDATE
            continue
        assert got.current_total_minor[i] == advice.current.total_minor
        assert got.total_use[i].tolist() == [sum(m[k] for m in months) for k in KINDS]
        offered = any(
            p.on_sale and p.sim_only and p.currency == plan.currency for p in arrays.plans
        )
        expected = advice.recommended
        if not offered:
            assert got.best[i] == NO_CANDIDATE
        elif expected is None:
            assert got.best[i] < 0
        else:
            best = got.best[i]
            assert arrays.plans[best].plan_id == expected.plan_id
            assert (
                got.best_total_minor[i],
                got.best_months_fitting[i],
                got.best_headroom_permille[i],
                got.best_months_cheaper[i],
            ) == (
                expected.total_minor,
                expected.months_fitting,
                expected.headroom_permille,
                expected.months_cheaper,
            )


def test_many_blocks_rate_like_one() -> None:
    """Blocks run in parallel: rating 10,000 lines at once equals rating them on one thread,
    and one by one."""
    catalogue = Catalogue(
        (
            Plan("A", "A", 1000, "GBP", (Allowance("data_mb", 3000, None),)),
            Plan("B", "B", 500, "GBP", (Allowance("data_mb", 1000, Decimal("0.25")),)),
            Plan("C", "C", 700, "GBP", (Allowance("data_mb", 2000, Decimal("1")),)),
        ),
        {("sms", "GBP"): Decimal("0.1")},
    )
    arrays = plan_arrays(catalogue, ("data_mb", "sms"))
    rng = np.random.default_rng(7)
    use = rng.integers(0, 4000, size=(10_000, MONTHS, 2), dtype=np.int64)
    present = rng.random((10_000, MONTHS)) < 0.8
    current = np.zeros(10_000, np.int64)
    whole = best_plans(use, present, current, arrays, 1, parallel=True)
    serial = best_plans(use, present, current, arrays, 1, parallel=False)
    for name in ("best", "best_total_minor", "best_headroom_permille", "current_total_minor"):
        assert (getattr(whole, name) == getattr(serial, name)).all()
    for i in (0, 4095, 4096, 9999):
        one = best_plans(use[i : i + 1], present[i : i + 1], current[i : i + 1], arrays, 1)
        assert (one.best[0], one.best_total_minor[0]) == (whole.best[i], whole.best_total_minor[i])
    assert set(np.unique(whole.best)) <= {-1, 0, 1, 2}


def test_threads_rating_at_once_get_what_each_gets_alone() -> None:
    """The kernels release the GIL: several threads rate at once, parallel and serial
    calls mixed (parallel calls take turns), and each gets what it gets alone."""
    from concurrent.futures import ThreadPoolExecutor

    catalogue = Catalogue(
        (
            Plan("A", "A", 1000, "GBP", (Allowance("data_mb", 3000, None),)),
            Plan("B", "B", 500, "GBP", (Allowance("data_mb", 1000, Decimal("0.25")),)),
        ),
        {},
    )
    arrays = plan_arrays(catalogue, ("data_mb",))
    rng = np.random.default_rng(11)
    batches = [
        (
            rng.integers(0, 4000, size=(20_000, MONTHS, 1), dtype=np.int64),
            rng.random((20_000, MONTHS)) < 0.9,
            rng.integers(0, 2, size=20_000, dtype=np.int64),
        )
        for _ in range(8)
    ]
    alone = [best_plans(u, p, c, arrays, 1, parallel=False) for u, p, c in batches]
    with ThreadPoolExecutor(4) as pool:
        together = list(
            pool.map(lambda at: best_plans(*batches[at], arrays, 1, parallel=at % 2 == 0), range(8))
        )
    for one, other in zip(alone, together, strict=True):
        assert (one.best == other.best).all()
        assert (one.best_total_minor == other.best_total_minor).all()
    assert len({int(one.best_total_minor.sum()) for one in alone}) > 1  # the batches differ


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues(), st.data(), st.sampled_from([0, 1, 2]), st.sampled_from([np.int32, np.int64]))
def test_a_line_rates_alike_wherever_it_lies_in_the_batch(
    catalogue: Catalogue, data: st.DataObject, max_unfit: int, dtype: type
) -> None:
    """A block first sums up all its lines at once (months, use, peaks, the kinds every
    plan treats alike, the largest months), then rates each: a line placed anywhere in
    a batch of several blocks, the first, the last or across a block's edge, gets what
    it gets rated alone."""
    arrays = plan_arrays(catalogue, KINDS)
    count = data.draw(st.integers(1, 6))
    use, present = data.draw(subscriptions(count))
    current = np.array(
        data.draw(st.lists(st.integers(0, arrays.count - 1), min_size=count, max_size=count)),
        np.int64,
    )
    size = 2 * BLOCK + data.draw(st.integers(1, BLOCK))
    edges = [0, BLOCK - 1, BLOCK, 2 * BLOCK, size - 1]
    at = data.draw(st.lists(st.sampled_from(edges) | st.integers(0, size - 1), min_size=count,
                            max_size=count, unique=True))  # fmt: skip
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    batch_use = rng.integers(0, 6000, size=(size, MONTHS, len(KINDS))).astype(dtype)
    batch_present = rng.random((size, MONTHS)) < 0.8
    batch_current = rng.integers(0, arrays.count, size=size).astype(np.int64)
    batch_use[at], batch_present[at], batch_current[at] = use, present, current
    whole = best_plans(batch_use, batch_present, batch_current, arrays, max_unfit, parallel=False)
    alone = best_plans(use.astype(dtype), present, current, arrays, max_unfit)
    for name in BestPlans.__dataclass_fields__:
        if name.startswith("best_"):  # meaningful where a plan was chosen
            chosen = alone.best >= 0
            assert (getattr(whole, name)[at][chosen] == getattr(alone, name)[chosen]).all(), name
        else:
            assert (getattr(whole, name)[at] == getattr(alone, name)).all(), name

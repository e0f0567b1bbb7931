"""The plan catalogue as the dense arrays the rating kernel reads (one row per plan).

Every number comes from the domain's own rule (:func:`goodwill.domain.rating.kind_terms`),
so the default-rate rule lives in one place. Rows are in plan id order, so the kernel's
"lower row wins a tie" is the domain's "lower plan id wins".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.analytics.catalogue import Catalogue
from goodwill.domain.advice import HEADROOM_INCLUDED_LIMIT
from goodwill.domain.rating import KindTerms, Plan, kind_terms

Int64s = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PlanArrays:
    """Plan rows and, per kind column ``k``, what each plan does with it.

    ``included[p, k]`` -1: unlimited; ``rate[p, k]`` 1/10,000 minor unit per unit, -1:
    capped; ``room[p, k]`` the included amount for headroom (-1: unlimited). The kernel
    reads them branch-free: use beyond ``beyond[p, k]`` (BEYOND_ALL when unlimited) is
    charged at ``charge_rate[p, k]`` (0 when capped) and fits up to ``cap[p, k]``
    (BEYOND_ALL unless capped). ``uniform`` holds the kinds every plan treats alike
    (rated once per subscription), ``varying`` the rest.
    """

    plans: tuple[Plan, ...]
    kinds: tuple[str, ...]
    fee: Int64s
    included: Int64s
    rate: Int64s
    room: Int64s
    beyond: Int64s
    charge_rate: Int64s
    cap: Int64s
    currency: Int64s  # an index into ``currencies``
    currencies: tuple[str, ...]
    candidate: npt.NDArray[np.bool_]  # on sale and SIM-only: what advice may recommend
    varying: Int64s
    uniform: Int64s

    @property
    def count(self) -> int:
        return len(self.plans)

    @property
    def plan_ids(self) -> tuple[str, ...]:
        return tuple(p.plan_id for p in self.plans)

    @staticmethod
    def empty_for_warm_up() -> PlanArrays:
        """One free plan with one unlimited kind: enough to load the kernel."""
        from goodwill.analytics.catalogue import Catalogue

        return plan_arrays(Catalogue((Plan("P", "P", 0, "GBP"),), {}), ("k",))

    def max_rate_units(self) -> Int64s:
        """The largest rate any plan charges per kind (for the overflow check)."""
        if not self.plans:
            return np.zeros(len(self.kinds), np.int64)
        result: Int64s = self.rate.max(axis=0, initial=0)
        return result


#: An allowance no use reaches (quantities are at most 2**40): "unlimited", "not capped".
BEYOND_ALL = 2**62


def _terms_row(terms: KindTerms) -> tuple[int, int, int, int, int, int]:
    included = -1 if terms.included is None else terms.included
    rate = -1 if terms.rate_units is None else terms.rate_units
    room = -1 if terms.included is None else min(terms.included, HEADROOM_INCLUDED_LIMIT)
    beyond = BEYOND_ALL if terms.included is None else terms.included
    cap = beyond if terms.rate_units is None else BEYOND_ALL
    return included, rate, room, beyond, max(rate, 0), cap


def plan_arrays(catalogue: Catalogue, kinds: Sequence[str]) -> PlanArrays:
    """Lay out ``catalogue`` (every plan, legacy ones too) for the kinds ``kinds``."""
    plans = tuple(sorted(catalogue.plans, key=lambda p: p.plan_id))
    rows = np.array(
        [
            [_terms_row(kind_terms(p, kind, catalogue.rates_for(p.currency))) for kind in kinds]
            for p in plans
        ],
        dtype=np.int64,
    ).reshape(len(plans), len(kinds), 6)
    currencies = tuple(sorted({p.currency for p in plans}))
    uniform = [k for k in range(len(kinds)) if len(plans) and (rows[:, k] == rows[0, k]).all()]
    return PlanArrays(
        plans=plans,
        kinds=tuple(kinds),
        fee=np.array([p.monthly_fee_minor for p in plans], np.int64),
        included=np.ascontiguousarray(rows[:, :, 0]),
        rate=np.ascontiguousarray(rows[:, :, 1]),
        room=np.ascontiguousarray(rows[:, :, 2]),
        beyond=np.ascontiguousarray(rows[:, :, 3]),
        charge_rate=np.ascontiguousarray(rows[:, :, 4]),
        cap=np.ascontiguousarray(rows[:, :, 5]),
        currency=np.array([currencies.index(p.currency) for p in plans], np.int64),
        currencies=currencies,
        candidate=np.array([p.on_sale and p.sim_only for p in plans], np.bool_),
        varying=np.array([k for k in range(len(kinds)) if k not in uniform], np.int64),
        uniform=np.array(uniform, np.int64),
    )

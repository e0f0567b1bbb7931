"""Holdout assignment: every kind of gift is an experiment with a control group.

A customer's arm is a pure function of the experiment's salt and their id, so it is the
same in every run, on every machine, in every process — Python's ``hash()`` is not
(it is salted per process), which is why this uses sha256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Arm = Literal["treatment", "holdout"]

#: The share of customers held out of a moment kind nobody configured.
DEFAULT_HOLDOUT_PERCENT = 10

_BUCKETS = 10_000  # basis points, so a percentage maps to a whole number of buckets


def assign_arm(salt: str, customer_id: str, holdout_percent: int) -> Arm:
    """The arm of ``customer_id`` in the experiment salted with ``salt``.

    The first 8 bytes of sha256(``salt:customer_id``), as an unsigned big-endian integer
    mod 10,000, is the customer's bucket; buckets below 100 * ``holdout_percent`` are held
    out. A new salt reshuffles everyone; the same salt never does.

    >>> assign_arm("better_plan", "C1", 0), assign_arm("better_plan", "C1", 100)
    ('treatment', 'holdout')
    """
    if not 0 <= holdout_percent <= 100:
        raise ValueError(f"holdout_percent {holdout_percent} is not between 0 and 100")
    digest = hashlib.sha256(f"{salt}:{customer_id}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % _BUCKETS
    return "holdout" if bucket < holdout_percent * 100 else "treatment"


@dataclass(frozen=True)
class ExperimentSpec:
    """One experiment: which moment kind, its salt, and how many customers it holds out.

    Keep the salt for the experiment's whole life: changing it reassigns every customer
    and mixes the groups being compared.
    """

    kind: str
    salt: str
    holdout_percent: int = DEFAULT_HOLDOUT_PERCENT

    def __post_init__(self) -> None:
        if not 0 <= self.holdout_percent <= 100:
            raise ValueError(
                f"experiment {self.kind}: holdout_percent {self.holdout_percent} "
                "is not between 0 and 100"
            )

    def arm(self, customer_id: str) -> Arm:
        """The arm ``customer_id`` is in."""
        return assign_arm(self.salt, customer_id, self.holdout_percent)


def experiment_for(
    kind: str,
    experiments: Mapping[str, ExperimentSpec],
    default_holdout_percent: int = DEFAULT_HOLDOUT_PERCENT,
) -> ExperimentSpec:
    """The experiment for a moment kind: the configured one, or a default salted by the kind."""
    spec = experiments.get(kind)
    if spec is not None:
        return spec
    return ExperimentSpec(kind=kind, salt=kind, holdout_percent=default_holdout_percent)

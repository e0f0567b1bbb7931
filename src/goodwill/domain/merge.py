"""One honest message instead of several: merging a customer's care moments into the
``repeated_failures`` moment that names them all.

A customer who has been let down again and again should not get three separate apologies
and three small credits in one night. When a run finds a ``repeated_failures`` moment for
a customer, the other care moments of that customer in the same run are *merged* into it:
they are recorded (so they are never sent later on their own) but not sent, and the one
gesture is at least what the merged credits would have added up to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from goodwill.domain.moments import Moment, thaw

REPEATED = "repeated_failures"


@dataclass(frozen=True)
class Merged:
    """The moments to decide on, and those folded into a repeated-failures message."""

    to_decide: tuple[Moment, ...]
    merged: tuple[Moment, ...]


def merge_repeated_failures(moments: Iterable[Moment]) -> Merged:
    """Fold each customer's other care moments into their ``repeated_failures`` moment."""
    moments = list(moments)
    repeated = {m.customer_id: m for m in moments if m.kind == REPEATED}
    folded: dict[str, list[Moment]] = {}
    keep: list[Moment] = []
    for m in moments:
        if m.kind != REPEATED and m.message_type == "care" and m.customer_id in repeated:
            folded.setdefault(m.customer_id, []).append(m)
        elif m.kind != REPEATED:
            keep.append(m)
    for customer_id, moment in sorted(repeated.items()):
        keep.append(_with_merged(moment, folded.get(customer_id, [])))
    merged = tuple(m for customer in sorted(folded) for m in folded[customer])
    return Merged(tuple(keep), merged)


def _with_merged(moment: Moment, merged: list[Moment]) -> Moment:
    credits = sum(m.cost_to_business_minor for m in merged if m.gift == "credit")
    gesture = max(moment.cost_to_business_minor, credits)
    evidence = {k: thaw(v) for k, v in moment.evidence.items()}
    evidence["credit_minor"] = gesture
    evidence["merged"] = [str(m.evidence.get("summary", m.kind)) for m in merged]
    return replace(
        moment, value_to_customer_minor=gesture, cost_to_business_minor=gesture, evidence=evidence
    )

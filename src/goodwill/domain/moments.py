"""Moments: the candidate gifts that detectors find and the care run decides on.

A moment says what we could give one customer, what it is worth to them, what it costs
us, and the evidence for it. Detectors produce them; :func:`goodwill.domain.policy.decide`
turns them into decisions; the channels put the evidence into words.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NoReturn, get_args

MessageType = Literal["advice", "care", "service"]
Gift = Literal["message", "credit"]

#: The consent type each message type needs; a mandatory service notice needs none.
CONSENT_FOR: Mapping[str, str | None] = MappingProxyType(
    {"advice": "advice", "care": "care", "service": None}
)


class FrozenDict(dict[str, Any]):
    """A dict that refuses to change: what :func:`freeze` makes of a mapping (a moment's
    evidence). Read as any dict, and written as one by JSON writers (orjson writes a dict
    subclass at its own speed, where a mapping proxy goes through a Python callback).

    >>> evidence = FrozenDict({"saving_minor": 450})
    >>> evidence["saving_minor"] = 0
    Traceback (most recent call last):
    TypeError: FrozenDict is read-only
    """

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        # Pickled (to the render workers) and copied whole, not item by item: the default
        # for a dict subclass sets each item on an empty one, which this refuses.
        return (type(self), (dict(self),))


#: Types that are their own frozen and thawed copy: most of what evidence holds, told
#: apart by one exact type test before the slower checks against the abstract Mapping.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def freeze(value: object) -> object:
    """A read-only copy of ``value``: mappings become :class:`FrozenDict`, lists tuples."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    # Parsed JSON holds only dicts and lists: exact type tests before the abstract ones,
    # and a plain item kept without a call (most of an evidence's items are plain).
    if kind is dict or kind is FrozenDict:
        return FrozenDict(
            {k: v if type(v) in _PLAIN else freeze(v) for k, v in value.items()}  # type: ignore[attr-defined]
        )
    if kind is list:
        return tuple([v if type(v) in _PLAIN else freeze(v) for v in value])  # type: ignore[attr-defined]
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(freeze(v) for v in value)
    return value


def thaw(value: object) -> object:
    """A plain copy of a frozen value (dicts and lists), e.g. to write it as JSON."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is FrozenDict:
        return {k: thaw(v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind is tuple:
        return [thaw(v) for v in value]  # type: ignore[attr-defined]
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Moment:
    """One candidate gift for one customer.

    >>> m = Moment("C1", "S1", "better_plan", "2026-11", 450, 450, "GBP")
    >>> m.dedupe_key
    'better_plan:S1:2026-11'
    """

    customer_id: str
    subscription_id: str | None
    kind: str  # the detector's name, e.g. better_plan; also the experiment's name
    detected_for: str  # the period ('YYYY-MM') or day (ISO date) it was detected for
    value_to_customer_minor: int
    cost_to_business_minor: int  # for a credit: the amount credited
    currency: str
    # Not hashed: a read-only mapping is not hashable, and the key fields identify a moment.
    evidence: Mapping[str, object] = field(default_factory=dict, hash=False)
    message_type: MessageType = "advice"
    mandatory: bool = False  # a service notice we must send (no consent, no holdout)
    gift: Gift = "message"  # a credit costs money and draws on a budget

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", freeze(self.evidence))
        problems = _problems(self)
        if problems:
            raise ValueError(f"moment {self.dedupe_key}: " + "; ".join(problems))

    @functools.cached_property  # asked many times a run; the fields it reads are frozen
    def dedupe_key(self) -> str:
        """Stable across runs: the same gift for the same thing in the same period."""
        subject = self.subscription_id or self.customer_id
        return f"{self.kind}:{subject}:{self.detected_for}"


_MESSAGE_TYPES = get_args(MessageType)
_GIFTS = get_args(Gift)


def _problems(m: Moment) -> list[str]:
    problems = []
    if m.message_type not in _MESSAGE_TYPES:
        problems.append(f"message_type {m.message_type!r} is not one of {_MESSAGE_TYPES}")
    if m.gift not in _GIFTS:
        problems.append(f"gift {m.gift!r} is not one of {_GIFTS}")
    if m.mandatory != (m.message_type == "service"):
        problems.append(
            "a mandatory notice has message_type 'service', and only mandatory notices do "
            f"(got mandatory={m.mandatory}, message_type={m.message_type!r})"
        )
    if m.value_to_customer_minor < 0 or m.cost_to_business_minor < 0:
        problems.append("value_to_customer_minor and cost_to_business_minor cannot be negative")
    if len(m.currency) != 3 or not m.currency.isalpha() or not m.currency.isupper():
        problems.append(f"currency {m.currency!r} is not an ISO 4217 code such as GBP")
    return problems

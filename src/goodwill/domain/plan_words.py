"""A plan and what a line paid on it, in words: the allowances, and why a bill was high.

Shared by the customer's my-plan page and the advice email, so both say the same thing.

>>> kind_name("sms_onnet"), quantity_words("voice_min", 640)
('Texts to members', '640 minutes')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from goodwill.domain.formatting import format_gb, format_money
from goodwill.domain.rating import Allowance, MonthCost, Plan, kind_terms

#: A kind of use as a column heading or a chart's label.
KIND_NAMES = {
    "voice_min": "Calls",
    "voice_onnet_min": "Calls to members",
    "intl_min": "International calls",
    "sms": "Texts",
    "sms_onnet": "Texts to members",
    "data_mb": "Data",
    "roaming_mb": "Data abroad",
}
_UNITS = {"voice_min": "minutes", "voice_onnet_min": "minutes", "intl_min": "minutes"}


def kind_name(kind: str) -> str:
    """'sms_onnet' → 'Texts to members'; an unknown kind with its underscores as spaces."""
    return KIND_NAMES.get(kind, kind.replace("_", " ").capitalize())


def quantity_words(kind: str, quantity: float | None) -> str:
    """'data_mb', 2140 → '2.1 GB'; 'voice_min', 640 → '640 minutes'; None → 'unlimited'."""
    if quantity is None:
        return "unlimited"
    if kind.endswith("_mb"):
        return format_gb(quantity)
    unit = _UNITS.get(kind, "texts" if kind.startswith("sms") else "")
    return f"{round(quantity):,} {unit}".strip()


def rate_words(allowance: Allowance, currency: str) -> str:
    """'25p a minute', '£1.50 a MB': what a unit beyond the allowance costs."""
    rate = allowance.overage_rate or Decimal(0)
    unit = (
        "MB" if allowance.kind.endswith("_mb") else "minute" if "min" in allowance.kind else "text"
    )
    pence = rate.normalize()
    if currency == "GBP" and pence < 100:
        return f"{pence}p a {unit}"
    return f"{format_money(int(rate), currency)} a {unit}"


def allowance_words(plan: Plan) -> list[str]:
    """'Calls: 500 minutes, then 25p a minute'; 'Data: 3.0 GB (no more after that)'."""
    out = []
    for allowance in plan.allowances:
        amount = quantity_words(allowance.kind, allowance.included)
        if allowance.included is not None and allowance.overage_rate is None:
            amount += " (no more after that)"
        elif allowance.included is not None:
            amount += f", then {rate_words(allowance, plan.currency)}"
        out.append(f"{kind_name(allowance.kind)}: {amount}")
    return out


def kinds_over(costs: Iterable[MonthCost]) -> list[str]:
    """The kinds that cost extra over these months, dearest first (ties by kind)."""
    extra: Counter[str] = Counter()
    for cost in costs:
        extra.update({k.kind: k.overage_minor for k in cost.kinds if k.overage_minor})
    return [kind for kind, _ in sorted(extra.items(), key=lambda item: (-item[1], item[0]))]


def why_words(
    costs: Mapping[str, MonthCost], plan: Plan, rates: Mapping[str, Decimal]
) -> str | None:
    """'because of calls over your 500 minutes' for the (at most two) kinds that cost
    extra, dearest first; None when nothing did."""
    return reason_words(kinds_over(costs.values()), plan, rates)


def reason_words(over_kinds: Sequence[str], plan: Plan, rates: Mapping[str, Decimal]) -> str | None:
    """:func:`why_words` from the kinds that cost extra, dearest first (``kinds_over``)."""
    if not over_kinds:
        return None
    parts = []
    for kind in over_kinds[:2]:
        included = kind_terms(plan, kind, rates).included
        noun = kind_name(kind).lower()
        parts.append(
            f"{noun} over your {quantity_words(kind, included)}"
            if included
            else f"{noun}, which your plan doesn't include"
        )
    return "because of " + " and ".join(parts)

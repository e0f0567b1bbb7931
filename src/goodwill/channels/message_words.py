"""The words the message templates use as filters and tests: use, promises, best tariffs.

Registered on the template environment in :mod:`goodwill.channels.render`; the web pages
use the same ones, so a page and a message say a thing the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goodwill.domain.formatting import format_gb

# How a kind of use reads in a sentence; quantities of other kinds are written as they are.
_USAGE_WORDS = {
    "voice_min": "minutes of calls",
    "voice_onnet_min": "minutes of calls to other members",
    "intl_min": "minutes of international calls",
    "sms": "texts",
    "sms_onnet": "texts to other members",
}
_DATA_WORDS = {"data_mb": "of data", "roaming_mb": "of data abroad"}


#: The kinds everybody has, said first; the rest go in a second sentence.
_MAIN_KINDS = ("data_mb", "voice_min", "sms")


def describe_usage(average_use: Mapping[str, float]) -> str:
    """Average use in words, saying nothing of what they do not use, the everyday kinds
    first and the rest in a sentence of their own, so neither sentence runs long:
    ``{'data_mb': 2140, 'sms': 20, 'roaming_mb': 0}`` → '2.1 GB of data and 20 texts'.
    """
    used = {k: q for k, q in average_use.items() if q is not None and round(q, 1) > 0}
    main = [_phrase(k, used[k]) for k in _MAIN_KINDS if k in used]
    extra = [_phrase(k, q) for k, q in used.items() if k not in _MAIN_KINDS]
    if main and extra:
        return f"{_and_list(main)}. You also used {_and_list(extra)}"
    return _and_list(main or extra)


def _phrase(kind: str, quantity: float) -> str:
    if kind in _DATA_WORDS:
        return f"{format_gb(quantity)} {_DATA_WORDS[kind]}"
    return f"{round(quantity):,} {_USAGE_WORDS.get(kind, kind.replace('_', ' '))}"


def _and_list(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


_PROMISES = {
    "sim_delivery": "to deliver your new SIM",
    "device_delivery": "to deliver your new phone",
    "repair": "to finish your repair",
    "engineer_appointment": "that our engineer would visit",
    "callback": "to call you back",
    "service_start": "to have your service up and running",
    "refund": "to send your refund",
}


def other_tariffs(evidence: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The listed best tariffs that are not the plan the customer is on now: a notice
    never offers to move them to where they already are."""
    current = evidence.get("current_plan_id")
    listed = list(evidence.get("best_tariffs") or ())
    return [t for t in listed if current is None or t.get("plan_id") != current]


def current_is_best(evidence: Mapping[str, Any]) -> bool:
    """Whether the customer's own plan is among the listed best tariffs."""
    return len(other_tariffs(evidence)) < len(evidence.get("best_tariffs") or ())


def describe_promise(promise_kind: str) -> str:
    """What we promised, to follow 'We promised': 'to deliver your new SIM'."""
    return _PROMISES.get(promise_kind, f"to sort out your {promise_kind.replace('_', ' ')}")

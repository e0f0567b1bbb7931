"""Each kind of moment in words, for every surface that names one to a person.

``MOMENT_WORDS`` reads inside a sentence ("Noticed a promise we broke"), ``MOMENT_LABELS``
names a kind in a list or a filter ("A promise we broke"), and ``GIFT_WORDS`` names what
was given ("broken-promise credits"). An unknown kind (a third party's detector) reads as
its code with spaces.
"""

from __future__ import annotations

MOMENT_WORDS = {
    "better_plan": "a cheaper plan that fits",
    "loyalty_penalty": "a phone already paid off, still charged for",
    "end_of_contract": "their contract ending",
    "annual_best_tariff": "their yearly best-plan check",
    "broken_promise": "a promise we broke",
    "promise_at_risk": "a promise running late",
    "slow_first_response": "a slow first answer from us",
    "repeated_failures": "several things going wrong",
    "case_moved": "their case owner being away",
}
MOMENT_LABELS = {
    "better_plan": "A cheaper plan fits",
    "loyalty_penalty": "Still paying for a phone paid off",
    "end_of_contract": "Contract ending",
    "annual_best_tariff": "Yearly best-plan notice",
    "broken_promise": "A promise we broke",
    "promise_at_risk": "A promise running late",
    "slow_first_response": "A slow first answer",
    "repeated_failures": "Several things went wrong",
    "case_moved": "Case owner away",
}
GIFT_WORDS = {
    "better_plan": "a cheaper plan",
    "loyalty_penalty": "a paid-off phone",
    "end_of_contract": "end-of-contract notices",
    "annual_best_tariff": "yearly best-plan notices",
    "broken_promise": "broken-promise credits",
    "promise_at_risk": "late-promise warnings",
    "slow_first_response": "slow-answer apologies",
    "repeated_failures": "repeated-failure credits",
    "case_moved": "case-moved notices",
}


def moment_label(kind: str) -> str:
    """``'broken_promise'`` -> ``'A promise we broke'``."""
    return MOMENT_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def gift_words(kind: str) -> str:
    """``'broken_promise'`` -> ``'broken-promise credits'``."""
    return GIFT_WORDS.get(kind) or kind.replace("_", " ")

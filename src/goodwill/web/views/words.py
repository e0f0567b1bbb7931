"""Plain words for what the ledger stores as codes: kinds of use, months, allowances."""

from __future__ import annotations

import re

from goodwill.domain.formatting import format_month, months_in_words
from goodwill.domain.moment_words import MOMENT_LABELS
from goodwill.domain.plan_words import KIND_NAMES, kind_name, quantity_words

__all__ = ["KIND_NAMES", "kind_name", "month_words", "quantity_words", "reason_words"]

_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def month_words(period: str, short: bool = False) -> str:
    """'2026-11' → 'November 2026' (or 'Nov 2026')."""
    return format_month(period[:7], short)


def reason_words(reason: str) -> str:
    """Why the care run decided as it did, as the store keeps it, for a person to read:
    a kind of moment by its label, months and days written out.

    >>> reason_words("holdout arm of the better_plan experiment")
    'holdout arm of the “A cheaper plan fits” experiment'
    >>> reason_words("budget for broken_promise in 2026-11 is spent")
    'budget for “A promise we broke” in November 2026 is spent'
    """

    def words(found: re.Match[str]) -> str:
        code = found.group(0)
        label = MOMENT_LABELS.get(code)
        return f"“{label}”" if label else code.replace("_", " ")

    return _CODE.sub(words, months_in_words(reason))

"""Plain words for what the ledger stores as codes: kinds of use, months, allowances."""

from __future__ import annotations

from goodwill.domain.formatting import format_day
from goodwill.domain.plan_words import KIND_NAMES, kind_name, quantity_words

__all__ = ["KIND_NAMES", "kind_name", "month_words", "quantity_words"]


def month_words(period: str, short: bool = False) -> str:
    """'2026-11' → 'November 2026' (or 'Nov 2026')."""
    _, name, year = format_day(f"{period[:7]}-01").split(" ")
    return f"{name[:3] if short else name} {year}"

"""Plain words for what the ledger stores as codes: kinds of use, months, allowances."""

from __future__ import annotations

from goodwill.domain.formatting import format_day, format_gb

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


def month_words(period: str, short: bool = False) -> str:
    """'2026-11' → 'November 2026' (or 'Nov 2026')."""
    _, name, year = format_day(f"{period[:7]}-01").split(" ")
    return f"{name[:3] if short else name} {year}"

"""Themes in what customers wrote, and what the customers who wrote them did next.

:class:`ThemeModel` finds the themes (TF-IDF + NMF, the number of themes chosen by
stability across random starts, pinned themes from a TOML file kept by name);
:mod:`.behaviour` ties each theme to churn, NPS, CSAT, complaints and broken promises.
"""

from __future__ import annotations

from goodwill.analytics.themes.describe import label_from_terms
from goodwill.analytics.themes.model import FoundTheme, ThemeModel
from goodwill.analytics.themes.pins import PinnedTheme, parse_pins, read_pins
from goodwill.analytics.themes.report import ThemeReport, ThemeRow, Verbatim, theme_report

__all__ = [
    "FoundTheme",
    "PinnedTheme",
    "ThemeModel",
    "ThemeReport",
    "ThemeRow",
    "Verbatim",
    "label_from_terms",
    "parse_pins",
    "read_pins",
    "theme_report",
]

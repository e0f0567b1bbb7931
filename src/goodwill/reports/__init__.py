"""Self-contained reports: one HTML file with everything inlined (no CDN, works offline)."""

from __future__ import annotations

from goodwill.reports.scorecard_html import scorecard_html
from goodwill.reports.themes_html import themes_html

__all__ = ["scorecard_html", "themes_html"]

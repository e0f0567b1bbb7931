"""A small bar chart drawn as SVG on the server: no script, so it needs nothing from the
internet, passes a strict Content-Security-Policy, and a screen reader gets its table."""

from __future__ import annotations

from pydantic import BaseModel

WIDTH, HEIGHT, TOP, BOTTOM = 320, 150, 14, 22  # the drawing's units (it scales to fit)


class Bar(BaseModel):
    label: str
    words: str
    x: float
    y: float
    width: float
    height: float
    over: bool


class BarChart(BaseModel):
    title: str
    bars: list[Bar]
    limit_y: float | None  # where the allowance line is drawn
    limit_words: str | None
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM


def bar_chart(
    title: str,
    labels: list[str],
    values: list[float],
    value_words: list[str],
    limit: float | None = None,
    limit_words: str | None = None,
) -> BarChart:
    """Bars of ``values`` (above ``limit``: marked over), with ``limit`` as a line."""
    top = max([*values, limit or 0, 1.0]) * 1.1
    room = HEIGHT - TOP - BOTTOM
    step = WIDTH / max(len(values), 1)
    bars = []
    for i, (label, value, words) in enumerate(zip(labels, values, value_words, strict=True)):
        height = room * value / top
        bars.append(
            Bar(
                label=label,
                words=words,
                x=round(i * step + step * 0.2, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(step * 0.6, 1),
                height=round(height, 1),
                over=limit is not None and value > limit,
            )
        )
    limit_y = None if limit is None else round(HEIGHT - BOTTOM - room * limit / top, 1)
    return BarChart(title=title, bars=bars, limit_y=limit_y, limit_words=limit_words)

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


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 3


class Spark(BaseModel):
    """A month-by-month line, small enough for a tile; months with no figure are gaps."""

    title: str
    points: list[str]  # one polyline's "x,y x,y" per unbroken run of months
    last_x: float | None
    last_y: float | None
    months: list[tuple[str, str]]  # (month, value in words) for the table beside it
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline(title: str, labels: list[str], values: list[float | None], words: list[str]) -> Spark:
    """``values`` (None: no figure that month) scaled to the tile's box, low at the bottom."""
    known = [v for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    runs: list[list[str]] = [[]]
    last: tuple[float, float] | None = None
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        x = round(SPARK_PAD + i * step, 1)
        y = round(
            SPARK_HEIGHT - SPARK_PAD - (value - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD), 1
        )
        runs[-1].append(f"{x},{y}")
        last = (x, y)
    return Spark(
        title=title,
        points=[" ".join(run) for run in runs if run],
        last_x=None if last is None else last[0],
        last_y=None if last is None else last[1],
        months=list(zip(labels, words, strict=True)),
    )

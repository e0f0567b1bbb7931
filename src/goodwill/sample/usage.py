"""Monthly use per line and kind over the usage window, as integer quantities.

Each month's use is the line's need, moved by trend and drift, times a seasonal wobble and
lognormal month-to-month noise, times the share of the month the line was active. Use of a
capped kind stops at the allowance of the line's plan, as it would on the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from goodwill.sample.catalogue import KINDS, RatingTable
from goodwill.sample.catalogue import K as KIND
from goodwill.sample.clock import Clock, month_start
from goodwill.sample.needs import Needs, drift_factor, trend_factor
from goodwill.sample.params import SampleParams

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
#: Kinds written for every active month, even when zero; the others only when used.
DENSE_KINDS = ("voice_min", "voice_onnet_min", "sms", "sms_onnet", "data_mb")


@dataclass
class UsageCube:
    """Quantities ``[kind, line, month]`` (kinds as in KINDS) and which line-months were active."""

    quantity: npt.NDArray[np.int32]
    active: Bools  # [line, month]
    months: Ints  # month numbers of the window
    #: Per extra world asked of :func:`simulate_usage`: ``[kind, row, month]`` before caps.
    others: list[npt.NDArray[np.int32]] = field(default_factory=list)

    def rows(self) -> int:
        """How many usage rows the cube writes."""
        dense = len(DENSE_KINDS) * int(self.active.sum())
        sparse = sum(int((self.quantity[KIND[k]] > 0).sum()) for k in KINDS if k not in DENSE_KINDS)
        return dense + sparse


def active_share(started_s: Ints, ended_s: Ints, clock: Clock) -> Floats:
    """``[line, month]``: the share of each window month in which each line was active."""
    starts = month_start(clock.window)
    ends = month_start(clock.window + 1)
    ended = np.minimum(ended_s, clock.asof_s)  # NEVER becomes asof
    overlap = np.minimum(ended[:, None], ends[None, :]) - np.maximum(
        started_s[:, None], starts[None, :]
    )
    result: Floats = np.clip(overlap / (ends - starts)[None, :], 0.0, 1.0)
    return result


def _season(months: Ints, peak_month: int, amplitude: float) -> Floats:
    """A yearly wobble peaking in calendar month ``peak_month`` (1-12)."""
    result: Floats = 1 + amplitude * np.cos(2 * np.pi * (months % 12 + 1 - peak_month) / 12)
    return result


def simulate_usage(
    rng: np.random.Generator,
    needs: Needs,
    start_month: Ints,
    plan: Ints,
    share: Floats,
    clock: Clock,
    p: SampleParams,
    table: RatingTable,
    others: Sequence[tuple[Ints, Floats]] = (),
) -> UsageCube:
    """Usage for every line over the window; ``share`` is from :func:`active_share`.

    ``others`` asks for the same draws under other active shares: (rows, their shares) per
    world, returned uncapped in ``UsageCube.others`` (a line's use had it lived longer).
    """
    months = clock.window
    n, m = share.shape
    q = np.zeros((len(KINDS), n, m), dtype=np.int32)
    extra = [np.zeros((len(KINDS), len(rows), m), dtype=np.int32) for rows, _ in others]
    drift = drift_factor(needs, months)
    drift_share = drift * share
    for kind, (base, trend, season, noise, when) in _kinds(rng, needs, months, p).items():
        trend_by_month = trend_factor(start_month, months, trend)
        factor = trend_by_month * season[None, :] * drift_share
        noise_draws = rng.lognormal(0.0, noise, (n, m))
        use = base[:, None] * factor * noise_draws * when
        q[KIND[kind]] = _quantity(use)
        for (rows, other_share), out in zip(others, extra, strict=True):
            # The same arithmetic in the same order, so a row's world matches it exactly.
            other = trend_by_month[rows] * season[None, :] * (drift[rows] * other_share)
            used = when[rows] if isinstance(when, np.ndarray) else when
            out[KIND[kind]] = _quantity(base[rows, None] * other * noise_draws[rows] * used)
    stop_at_caps(q, plan, table)
    active = share > 0
    q *= active[None, :, :]
    return UsageCube(quantity=q, active=active, months=months, others=extra)


def _quantity(use: Floats) -> npt.NDArray[np.int32]:
    return np.rint(np.minimum(use, 2**30)).astype(np.int32)


Spec = tuple[Floats, float, Floats, float, Bools | float]


def _kinds(
    rng: np.random.Generator, needs: Needs, months: Ints, p: SampleParams
) -> dict[str, Spec]:
    """Per kind: (need at start, trend a month, seasonal factor, noise sigma, months used)."""
    offnet = 1 - np.minimum(needs.onnet_share, 1.0)
    onnet = needs.onnet_share
    data_season = _season(months, 8, p.seasonal_amplitude)  # holidays: maps and streaming
    talk_season = _season(months, 12, p.seasonal_amplitude)  # Christmas calls
    flat = np.ones(len(months))
    abroad = rng.random((len(needs), len(months))) < p.intl_month_probability
    summer = np.isin(months % 12 + 1, (6, 7, 8, 9))[None, :]
    travels = rng.random((len(needs), len(months))) < np.where(summer, 0.45, 0.1)
    sigma = p.month_noise_sigma
    voice, sms = p.voice_trend_per_month, p.sms_trend_per_month
    return {
        "voice_min": (needs.voice_min * offnet, voice, talk_season, sigma["voice"], 1.0),
        "voice_onnet_min": (needs.voice_min * onnet, voice, talk_season, sigma["voice"], 1.0),
        "sms": (needs.sms * offnet, sms, flat, sigma["sms"], 1.0),
        "sms_onnet": (needs.sms * onnet, sms, flat, sigma["sms"], 1.0),
        "data_mb": (needs.data_mb, p.data_growth_per_month, data_season, sigma["data_mb"], 1.0),
        "intl_min": (needs.intl_min, 0.0, flat, sigma["intl_min"], abroad),
        "roaming_mb": (needs.roaming_mb, 0.0, flat, sigma["roaming_mb"], travels),
    }


def stop_at_caps(q: npt.NDArray[np.int32], plan: Ints, table: RatingTable) -> None:
    """Use of a capped kind cannot pass the line's allowance."""
    for k in range(len(KINDS)):
        capped = table.rate[plan, k] < 0
        cap = np.where(capped, np.minimum(table.included[plan, k], 2**31 - 1), 2**31 - 1)
        np.minimum(q[k], cap[:, None].astype(np.int32), out=q[k])

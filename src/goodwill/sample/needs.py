"""What each line needs a month when it starts, and how that need moves over time.

Data needs are lognormal with a heavy-data minority (a long right tail); calls and texts
are lognormal too. Data grows a little every month while calls and texts slowly decline,
and a designed share of lines *drift down*: from some month their use falls until their
plan is far too big for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.sample.clock import Clock
from goodwill.sample.params import SampleParams

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
NO_MONTH = 10**9  # a month number later than any in the sample: "never"


@dataclass
class Needs:
    """Monthly needs per line at its start month, and its drift."""

    data_mb: Floats
    voice_min: Floats  # all calls, on-net included
    sms: Floats
    onnet_share: Floats
    intl_min: Floats  # 0 for lines that never call abroad
    roaming_mb: Floats  # 0 for lines that never roam
    drift_start: Ints  # month number use starts to fall; NO_MONTH if it never does
    drift_rate: Floats
    drift_floor: Floats

    def __len__(self) -> int:
        return len(self.data_mb)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> Floats:
    return rng.lognormal(np.log(median), sigma, n)


def draw_needs(
    rng: np.random.Generator, used_by_other: Bools, start_month: Ints, clock: Clock, p: SampleParams
) -> Needs:
    """Needs for lines started in ``start_month``; family members' lines use more data."""
    n = len(start_month)
    heavy = rng.random(n) < p.heavy_data_share
    data = np.where(
        heavy,
        _lognormal(rng, p.heavy_data_median_mb, p.heavy_data_sigma, n),
        _lognormal(rng, p.data_median_mb, p.data_sigma, n),
    )
    voice = _lognormal(rng, p.voice_median_min, p.voice_sigma, n)
    family = used_by_other.astype(np.float64)
    intl = _lognormal(rng, p.intl_median_min, 0.9, n) * (rng.random(n) < p.intl_user_share)
    roaming = _lognormal(rng, p.roaming_median_mb, 1.0, n) * (rng.random(n) < p.roaming_user_share)
    drift_start, drift_rate, drift_floor = _drift(rng, start_month, clock, p)
    return Needs(
        data_mb=data * (1 + 0.25 * family),
        voice_min=voice * (1 - 0.4 * family),
        sms=_lognormal(rng, p.sms_median, p.sms_sigma, n),
        onnet_share=np.where(used_by_other, p.family_onnet_share, p.onnet_share)
        * rng.uniform(0.5, 1.5, n),
        intl_min=intl,
        roaming_mb=roaming,
        drift_start=drift_start,
        drift_rate=drift_rate,
        drift_floor=drift_floor,
    )


def _drift(
    rng: np.random.Generator, start_month: Ints, clock: Clock, p: SampleParams
) -> tuple[Ints, Floats, Floats]:
    """When (if ever) each line's use starts to drift down, how fast, and how far."""
    n = len(start_month)
    # Drifts start at least 3 months after the line and 4 before asof, so they show.
    low = np.maximum(start_month + 3, clock.window[0] - 9)
    high = clock.asof_month - 4
    drifts = (rng.random(n) < p.drift_down_share) & (low <= high)
    start = low + (rng.random(n) * (high - low + 1)).astype(np.int64)
    return (
        np.where(drifts, start, NO_MONTH),
        rng.uniform(*p.drift_rate_per_month, n),
        rng.uniform(*p.drift_floor, n),
    )


def drift_factor(needs: Needs, months: Ints) -> Floats:
    """``[line, month]``: how far each line's use has drifted down by each of ``months``."""
    since_drift = np.maximum(months[None, :] - needs.drift_start[:, None], 0)
    result: Floats = np.maximum(
        np.exp(-needs.drift_rate[:, None] * since_drift), needs.drift_floor[:, None]
    )
    return result


def trend_factor(start_month: Ints, months: Ints, trend: float) -> Floats:
    """``[line, month]``: ``exp(trend * months since the line started)``, as an outer product."""
    result: Floats = (
        np.exp(-trend * (start_month - months[0]))[:, None]
        * np.exp(trend * (months - months[0]))[None, :]
    )
    return result

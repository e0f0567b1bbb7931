"""Calendar arithmetic for the generator: epoch seconds and month numbers, vectorized.

A *month number* counts calendar months from year 0 (``year * 12 + month - 1``), so month
arithmetic is integer arithmetic. Times are int64 seconds since 1970-01-01 UTC; the sentinel
:data:`NEVER` stands for "not (yet)" and becomes an empty cell when written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DAY = 86_400
HOUR = 3_600
MINUTE = 60
NEVER = np.iinfo(np.int64).max
_EPOCH_MONTH = 1970 * 12

IntArray = npt.NDArray[np.int64]


def month_number(day: dt.date) -> int:
    """The month number of a calendar date."""
    return day.year * 12 + day.month - 1


def month_start(month: IntArray | int) -> IntArray:
    """Epoch seconds at 00:00 UTC on the first day of each month number."""
    months = np.asarray(month, dtype=np.int64) - _EPOCH_MONTH
    return months.astype("datetime64[M]").astype("datetime64[s]").astype(np.int64)


def month_of(seconds: IntArray) -> IntArray:
    """The month number each time falls in (times must not be NEVER)."""
    months = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[M]")
    return months.astype(np.int64) + _EPOCH_MONTH


def period_label(month: int) -> str:
    """``YYYY-MM`` for a month number."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


@dataclass(frozen=True)
class Clock:
    """The sample's time frame: history since launch, and the usage window before ``asof``.

    Every generated time is before ``asof`` at 00:00 UTC. The usage window is the ``months``
    complete calendar months before asof's month.
    """

    asof: dt.date
    months: int
    history_months: int

    @property
    def asof_s(self) -> int:
        return int(dt.datetime.combine(self.asof, dt.time(), tzinfo=dt.UTC).timestamp())

    @property
    def asof_month(self) -> int:
        return month_number(self.asof)

    @property
    def launch_month(self) -> int:
        """The month the operator launched: nobody joined before it."""
        return self.asof_month - self.history_months

    @property
    def window(self) -> IntArray:
        """Month numbers of the usage window, oldest first."""
        return np.arange(self.asof_month - self.months, self.asof_month, dtype=np.int64)

    @property
    def periods(self) -> list[str]:
        return [period_label(int(m)) for m in self.window]


def contract_end(started_s: IntArray, months: IntArray) -> IntArray:
    """Midnight of the last day of a minimum term: the day before the same date ``months``
    later; NEVER where ``months`` is 0 (a rolling plan)."""
    day = (started_s // DAY).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    end = (month + months).astype("datetime64[D]") + (day - month.astype("datetime64[D]")) - 1
    seconds = end.astype("datetime64[s]").astype(np.int64)
    return np.where(months > 0, seconds, NEVER)


def mostly_daytime(rng: np.random.Generator, times: IntArray, share: float = 0.85) -> IntArray:
    """The same days, with ``share`` of the times moved into 08:00-20:00 (people sleep)."""
    day = times - times % DAY
    daytime = 8 * HOUR + (rng.beta(2, 2, len(times)) * 12 * HOUR).astype(np.int64)
    result: IntArray = day + np.where(rng.random(len(times)) < share, daytime, times % DAY)
    return result

"""What a broken promise costs us: the compensation policy and its arithmetic.

The defaults follow the UK Ofcom automatic compensation scheme's 2019 base amounts
(https://www.ofcom.org.uk/phones-and-broadband/service-quality/automatic-compensation-need-to-know):

* delayed repair: £8 for each calendar day once 2 full working days have passed;
* missed engineer appointment (or one cancelled with less than 24 hours' notice): £25;
* delayed start of a new service: £5 for each calendar day of delay.

Ofcom has raised these with inflation each April since 2022; the operator changes them
(and sets amounts for the kinds Ofcom does not cover) in :class:`CompensationPolicy`.
Lateness is counted in whole UTC calendar days from the promised day to the day it was
kept (or, while not kept, the day of the run); working days are Monday to Friday.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Literal, get_args

GraceUnit = Literal["calendar_days", "working_days"]
Verdict = Literal[
    "not_due",
    "on_time",
    "within_grace",
    "late",
    "capped",
    "cancelled_late",
    "cancelled_in_time",
    "invalid",
]


@dataclass(frozen=True)
class KindTerms:
    """How one kind of promise is compensated, in minor units.

    ``amount = fixed_minor + per_day_minor * (days late after the grace)``, at most
    ``cap_minor`` (None: no cap). ``lead_time`` is how long before it is due the promise
    must be under way (a SIM posted); a promise due sooner that is not kept is at risk.
    A cancellation with less than ``late_cancel_notice`` before it was due breaks the
    promise (``fixed_minor``, at most the cap); one with more notice does not.
    """

    fixed_minor: int = 0
    per_day_minor: int = 0
    grace_days: int = 0
    grace_unit: GraceUnit = "calendar_days"
    cap_minor: int | None = None
    lead_time: timedelta = timedelta(0)
    late_cancel_notice: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        values = (self.fixed_minor, self.per_day_minor, self.grace_days, self.cap_minor or 0)
        if min(values) < 0 or min(self.lead_time, self.late_cancel_notice) < timedelta(0):
            raise ValueError(f"compensation terms cannot be negative: {self}")
        if self.grace_unit not in get_args(GraceUnit):
            raise ValueError(f"grace_unit {self.grace_unit!r} is not one of {get_args(GraceUnit)}")


#: Ofcom's 2019 base amounts where Ofcom sets one; goodwill's own modest defaults elsewhere.
DEFAULT_TERMS: Mapping[str, KindTerms] = MappingProxyType(
    {
        "repair": KindTerms(per_day_minor=800, grace_days=2, grace_unit="working_days"),
        "engineer_appointment": KindTerms(
            fixed_minor=2500, cap_minor=2500, late_cancel_notice=timedelta(hours=24)
        ),
        "service_start": KindTerms(per_day_minor=500),
        "sim_delivery": KindTerms(
            fixed_minor=200, per_day_minor=100, cap_minor=1000, lead_time=timedelta(days=1)
        ),
        "device_delivery": KindTerms(
            fixed_minor=500, per_day_minor=200, cap_minor=2500, lead_time=timedelta(days=2)
        ),
        "callback": KindTerms(fixed_minor=500, cap_minor=500),
        "refund": KindTerms(per_day_minor=100, grace_days=1, cap_minor=2000),
    }
)


@dataclass(frozen=True)
class CompensationPolicy:
    """Terms per promise kind, the currency they are in, the at-risk window, and how far
    back a run looks for broken promises (older ones were someone else's business).

    A kind with no terms is compensated nothing (and no moment is made for it).
    """

    terms: Mapping[str, KindTerms] = field(default_factory=lambda: DEFAULT_TERMS)
    currency: str = "GBP"
    at_risk_window: timedelta = timedelta(hours=24)
    lookback: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", MappingProxyType(dict(self.terms)))

    def for_kind(self, kind: str) -> KindTerms:
        """The terms of ``kind``; no terms means no money."""
        return self.terms.get(kind, KindTerms())


@dataclass(frozen=True)
class Compensation:
    """What one promise earns and why: ``verdict`` is a reason code, never an exception."""

    amount_minor: int
    days_late: int
    chargeable_days: int
    verdict: Verdict


def compensation_minor(
    made_at: datetime,
    due_at: datetime,
    kept_at: datetime | None,
    now: datetime,
    terms: KindTerms,
    cancelled_at: datetime | None = None,
) -> Compensation:
    """The compensation for one promise as of ``now``.

    A promise kept at or before ``due_at`` earns nothing; so does one not yet due. A
    ``kept_at`` later than ``now`` is not known yet and counts as not kept. A ``kept_at``
    or ``cancelled_at`` before ``made_at`` is bad data: the verdict is ``invalid`` and the
    amount 0. A cancellation known by ``now`` decides on its own (see :class:`KindTerms`).

    >>> from datetime import UTC
    >>> t = lambda d: datetime(2026, 3, d, 12, tzinfo=UTC)
    >>> compensation_minor(t(1), t(12), t(15), t(20), DEFAULT_TERMS["sim_delivery"])
    Compensation(amount_minor=500, days_late=3, chargeable_days=3, verdict='late')
    """
    if min(kept_at or made_at, cancelled_at or made_at) < made_at:
        return Compensation(0, 0, 0, "invalid")
    if cancelled_at is not None and cancelled_at <= now:
        return _cancelled(due_at, cancelled_at, terms)
    done = kept_at if kept_at is not None and kept_at <= now else None
    end = done or now
    if end <= due_at:
        return Compensation(0, 0, 0, "on_time" if done else "not_due")
    days_late = (end.date() - due_at.date()).days
    chargeable = max(0, (end.date() - grace_end(due_at.date(), terms)).days)
    if terms.fixed_minor == 0 and chargeable == 0:
        return Compensation(0, days_late, 0, "within_grace")
    amount = terms.fixed_minor + terms.per_day_minor * chargeable
    if terms.cap_minor is not None and amount > terms.cap_minor:
        return Compensation(terms.cap_minor, days_late, chargeable, "capped")
    return Compensation(amount, days_late, chargeable, "late")


def _cancelled(due_at: datetime, cancelled_at: datetime, terms: KindTerms) -> Compensation:
    # Exactly the notice asked for is enough: "less than 24 hours' notice" is what breaks it.
    if due_at - cancelled_at >= terms.late_cancel_notice:
        return Compensation(0, 0, 0, "cancelled_in_time")
    cap = terms.fixed_minor if terms.cap_minor is None else terms.cap_minor
    amount = min(terms.fixed_minor, cap)
    return Compensation(amount, 0, 0, "cancelled_late")


def grace_end(due_day: date, terms: KindTerms) -> date:
    """The last day of grace: days after it are paid for per day."""
    if terms.grace_unit == "calendar_days":
        return due_day + timedelta(days=terms.grace_days)
    day, left = due_day, terms.grace_days
    while left:
        day += timedelta(days=1)
        left -= day.weekday() < 5
    return day

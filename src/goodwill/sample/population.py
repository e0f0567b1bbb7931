"""Customers (who pays) and their lines (who uses), before churn decides who stays."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from goodwill.sample.clock import DAY, NEVER, Clock, month_start, mostly_daytime
from goodwill.sample.names import FIRST_NAMES, LOCALES, SURNAMES
from goodwill.sample.params import SampleParams

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
T = TypeVar("T")


@dataclass
class Customers:
    """One entry per customer, in join order (so an id's number says who joined first)."""

    joined_s: Ints
    left_s: Ints  # NEVER while a customer
    referred: Bools  # joined through a referral (drawn before churn, as it affects churn)
    referrer: Ints  # index of the referring customer, -1 if none
    first_name: Ints
    surname: Ints
    email_domain: Ints  # index into EMAIL_DOMAINS, -1: no email address
    email_number: Ints  # a number after the name in the address, -1: none
    consents: Ints  # bit i set: consents to CONSENT_TYPES[i]
    locale: Ints  # index into LOCALES, -1: not given

    def __len__(self) -> int:
        return len(self.joined_s)


@dataclass
class Lines:
    """One entry per subscription line; ``customer`` indexes :class:`Customers`."""

    customer: Ints
    started_s: Ints
    is_extra: Bools  # a second, third or fourth line of a family account
    user_first_name: Ints  # -1 where the payer uses it
    user_surname: Ints

    def __len__(self) -> int:
        return len(self.customer)


def draw_customers(rng: np.random.Generator, n: int, clock: Clock, p: SampleParams) -> Customers:
    """``n`` customers who joined since launch, more of them recently (the operator grows)."""
    joined = np.sort(_join_times(rng, n, clock, p))
    has_email = rng.random(n) >= p.email_missing_share
    shares = np.array(list(p.consent_shares.values()))
    consent_bits = (rng.random((n, len(shares))) < shares) << np.arange(len(shares))
    locale_p = np.array([share for _, share in LOCALES])
    locale = rng.choice(len(LOCALES), size=n, p=locale_p / locale_p.sum())
    return Customers(
        joined_s=joined,
        left_s=np.full(n, NEVER, dtype=np.int64),
        referred=(rng.random(n) < p.referred_design_share) & (np.arange(n) > 0),
        referrer=np.full(n, -1, dtype=np.int64),
        first_name=rng.integers(0, len(FIRST_NAMES), n),
        surname=rng.integers(0, len(SURNAMES), n),
        email_domain=np.where(has_email, rng.choice(4, size=n, p=[0.55, 0.3, 0.1, 0.05]), -1),
        email_number=np.where(rng.random(n) < 0.6, rng.integers(1, 100, n), -1),
        consents=consent_bits.sum(axis=1).astype(np.int64),
        locale=np.where(rng.random(n) < p.locale_missing_share, -1, locale),
    )


def _join_times(rng: np.random.Generator, n: int, clock: Clock, p: SampleParams) -> Ints:
    months = np.arange(clock.launch_month, clock.asof_month + 1, dtype=np.int64)
    starts = month_start(months)
    ends = np.minimum(month_start(months + 1), clock.asof_s)
    # Weight each month by growth and by how much of it lies before asof.
    weight = (1 + p.monthly_join_growth) ** (months - clock.asof_month) * (ends - starts)
    month = rng.choice(len(months), size=n, p=weight / weight.sum())
    span = ends[month] - starts[month]
    joined = mostly_daytime(rng, starts[month] + (rng.random(n) * span).astype(np.int64))
    return np.clip(joined, starts[month], ends[month] - 1)


def draw_lines(
    rng: np.random.Generator, customers: Customers, clock: Clock, p: SampleParams
) -> Lines:
    """Each customer's lines: the first starts when they join, extra lines then or later."""
    n = len(customers)
    shares = np.array(p.lines_per_customer_shares)
    count = rng.choice(len(shares), size=n, p=shares / shares.sum()) + 1
    customer = np.repeat(np.arange(n, dtype=np.int64), count)
    first_of = np.repeat(np.cumsum(count) - count, count)
    is_extra = np.arange(len(customer)) > first_of
    joined = customers.joined_s[customer]
    later = (rng.random(len(customer)) * 0.7 * (clock.asof_s - joined)).astype(np.int64)
    same_day = rng.random(len(customer)) < 0.5
    offset = np.where(same_day, rng.integers(60, DAY // 24, len(customer)), later)
    started = np.minimum(joined + np.where(is_extra, offset, 0), clock.asof_s - 1)
    someone_else = is_extra & (rng.random(len(customer)) < p.extra_line_user_share)
    family_name = np.where(
        rng.random(len(customer)) < 0.8,
        customers.surname[customer],
        rng.integers(0, len(SURNAMES), len(customer)),
    )
    return Lines(
        customer=customer,
        started_s=started,
        is_extra=is_extra,
        user_first_name=np.where(
            someone_else, rng.integers(0, len(FIRST_NAMES), len(customer)), -1
        ),
        user_surname=np.where(someone_else, family_name, -1),
    )


def subset(columns: T, keep: npt.NDArray[Any]) -> T:
    """The same per-entry arrays, keeping the entries ``keep`` selects (a mask or indexes)."""
    kept = {f.name: getattr(columns, f.name)[keep] for f in dataclasses.fields(columns)}  # type: ignore[arg-type]
    return dataclasses.replace(columns, **kept)  # type: ignore[type-var]

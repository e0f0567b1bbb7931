"""How often we write to a customer, what we wrote before, and who answers them.

The contact policy keeps goodwill from becoming noise: a few messages a month at most,
and the same piece of advice not again for months unless it has become worth more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from goodwill.domain.experiments import DEFAULT_HOLDOUT_PERCENT
from goodwill.domain.formatting import format_money
from goodwill.domain.moments import Moment

CONTACT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ContactPolicy:
    """The limits of one care run.

    ``max_messages_per_30_days`` counts every message, mandatory notices included (they
    are always sent, but they use up the customer's patience all the same).
    """

    max_messages_per_30_days: int = 2
    repeat_advice_after_days: int = 90
    # Holdout share of a moment kind with no experiment configured for it.
    default_holdout_percent: int = DEFAULT_HOLDOUT_PERCENT

    def __post_init__(self) -> None:
        if self.max_messages_per_30_days < 0 or self.repeat_advice_after_days < 0:
            raise ValueError(
                "max_messages_per_30_days and repeat_advice_after_days cannot be negative "
                f"(got {self.max_messages_per_30_days} and {self.repeat_advice_after_days})"
            )
        if not 0 <= self.default_holdout_percent <= 100:
            raise ValueError(
                f"default_holdout_percent {self.default_holdout_percent} is not between 0 and 100"
            )


@dataclass(frozen=True)
class Contact:
    """A message we sent (or decided to send) a customer.

    ``saving_minor`` is the value to the customer the message offered, so that the same
    advice can be repeated early when the saving has grown.
    """

    customer_id: str
    kind: str
    sent_on: date
    subscription_id: str | None = None
    saving_minor: int = 0


@dataclass(frozen=True)
class Owner:
    """The named person who answers a customer about a message or a case."""

    name: str
    email: str | None = None
    phone: str | None = None


def messages_in_window(contacts: Iterable[Contact], customer_id: str, today: date) -> int:
    """How many messages ``customer_id`` got in the 30 days up to and including ``today``."""
    return sum(
        1
        for c in contacts
        if c.customer_id == customer_id and 0 <= (today - c.sent_on).days < CONTACT_WINDOW_DAYS
    )


def last_same_advice(
    contacts: Iterable[Contact],
    customer_id: str,
    kind: str,
    subscription_id: str | None,
    today: date,
    within_days: int,
) -> Contact | None:
    """The latest message of this kind about this subscription within ``within_days``."""
    same = [
        c
        for c in contacts
        if c.customer_id == customer_id
        and c.kind == kind
        and c.subscription_id == subscription_id
        and 0 <= (today - c.sent_on).days < within_days
    ]
    # Ties on the day: the larger saving is the one the customer remembers.
    return max(same, key=lambda c: (c.sent_on, c.saving_minor), default=None)


def contact_refusal(
    moment: Moment, contacts: Iterable[Contact], today: date, policy: ContactPolicy
) -> str | None:
    """Why writing to the customer about ``moment`` today breaks ``policy``, or None.

    ``contacts`` are the customer's messages so far, this run's included.
    """
    contacts = list(contacts)
    if moment.message_type == "advice":
        days = policy.repeat_advice_after_days
        last = last_same_advice(
            contacts, moment.customer_id, moment.kind, moment.subscription_id, today, days
        )
        if last is not None and moment.value_to_customer_minor <= last.saving_minor:
            was, now = (
                format_money(v, moment.currency)
                for v in (last.saving_minor, moment.value_to_customer_minor)
            )
            return (
                f"the same advice went on {last.sent_on}, within {days} days, "
                f"and the saving has not grown ({was} then, {now} now)"
            )
    sent = messages_in_window(contacts, moment.customer_id, today)
    if sent >= policy.max_messages_per_30_days:
        return (
            f"contact limit reached: {sent} messages in the last 30 days "
            f"(limit {policy.max_messages_per_30_days})"
        )
    return None

"""Telling a customer their case has a new owner, because the old one is away too long.

A case moves when its owner is away for more than ``OwnerPolicy.max_away_days`` (see
:mod:`goodwill.domain.owners`). The customer did nothing to cause it and should not have
to find out by chasing, so each one hears, once, who has their case now, how to reach
them, and why. It is a service notice about their own open case: like other service
notices it needs no marketing consent and has no holdout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from goodwill.domain.contact import Owner
from goodwill.domain.moments import Moment
from goodwill.domain.owners import OwnerChoice

#: The moment kind (and experiment, and template) of a case handed to a new owner.
CASE_MOVED = "case_moved"


def case_moved_moments(
    moves: Iterable[tuple[str, str, OwnerChoice]], day: date, currency: str
) -> list[Moment]:
    """One notice per customer from ``moves`` (customer id, case, choice) made on ``day``.

    A customer whose cases all moved to one person hears once, with every case named.
    """
    cases: dict[str, list[str]] = {}
    choices: dict[str, OwnerChoice] = {}
    for customer_id, subject, choice in moves:
        if choice.agent is None or choice.previous is None:
            continue  # nothing moved: nobody to name
        cases.setdefault(customer_id, []).append(subject)
        choices.setdefault(customer_id, choice)
    return [
        Moment(
            customer_id,
            None,
            CASE_MOVED,
            day.isoformat(),
            0,
            0,
            currency,
            evidence=_evidence(choices[customer_id], subjects),
            message_type="service",
            mandatory=True,
        )
        for customer_id, subjects in sorted(cases.items())
    ]


def _evidence(choice: OwnerChoice, subjects: list[str]) -> dict[str, object]:
    assert choice.agent is not None and choice.previous is not None
    new, old = choice.agent, choice.previous
    return {
        "new_owner": {
            "agent_id": new.agent_id,
            "name": new.name,
            "email": new.email,
            "phone": new.phone,
        },
        "previous_owner_name": old.name,
        "away_until": old.away_until.isoformat() if old.away_until else None,
        "cases": sorted(subjects),
    }


def new_owner(moment: Moment) -> Owner:
    """The person a case-moved notice names, to sign it with their direct line and email."""
    given = moment.evidence["new_owner"]
    assert isinstance(given, Mapping)
    return Owner(str(given["name"]), email=given.get("email"), phone=given.get("phone"))

"""The contact history that the contact policy reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodwill.store.models import Contact
from goodwill.store.upsert import insert_many_once, insert_once


def record_contact(
    session: Session,
    *,
    customer_id: str,
    at: datetime,
    message_type: str,
    moment_kind: str | None = None,
    subscription_id: str | None = None,
    dedupe_key: str | None = None,
    saving_minor: int | None = None,
    currency: str | None = None,
) -> bool:
    """Record that a customer was contacted; False if ``dedupe_key`` was recorded before."""
    values = contact_row(
        customer_id=customer_id,
        at=at,
        message_type=message_type,
        moment_kind=moment_kind,
        subscription_id=subscription_id,
        dedupe_key=dedupe_key,
        saving_minor=saving_minor,
        currency=currency,
    )
    return insert_once(session, Contact, values, ["dedupe_key"]) is not None


def contact_row(
    *,
    customer_id: str,
    at: datetime,
    message_type: str,
    moment_kind: str | None = None,
    subscription_id: str | None = None,
    dedupe_key: str | None = None,
    saving_minor: int | None = None,
    currency: str | None = None,
) -> dict[str, object]:
    """The row of one contact, for :func:`record_contacts`."""
    return {
        "customer_id": customer_id,
        "at": at,
        "message_type": message_type,
        "moment_kind": moment_kind,
        "subscription_id": subscription_id,
        "dedupe_key": dedupe_key,
        "saving_minor": saving_minor,
        "currency": currency,
    }


def record_contacts(session: Session, rows: Sequence[Mapping[str, object]]) -> int:
    """Record many contacts (rows from :func:`contact_row`) at once, each unless its
    ``dedupe_key`` was recorded before; returns how many were new."""
    return len(insert_many_once(session, Contact, rows, ["dedupe_key"], ["id"]))


def contacts_since(
    session: Session, since: datetime, customer_ids: list[str] | None = None
) -> list[Contact]:
    """Contacts at or after ``since``, oldest first, optionally for some customers only."""
    query = select(Contact).where(Contact.at >= since).order_by(Contact.at, Contact.id)
    if customer_ids is not None:
        query = query.where(Contact.customer_id.in_(customer_ids))
    return list(session.scalars(query))


def contact_counts_since(session: Session, since: datetime) -> dict[str, int]:
    """How many times each customer was contacted at or after ``since``."""
    rows = session.execute(
        select(Contact.customer_id, func.count())
        .where(Contact.at >= since)
        .group_by(Contact.customer_id)
    )
    return {customer_id: int(n) for customer_id, n in rows}

"""What the care runs found and what was done about each, as the desk lists it."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.store.models import Action, Moment, MomentStatus
from goodwill.web.errors import BadInput


class MomentRow(BaseModel):
    id: int
    run_id: int
    customer_id: str
    kind: str
    status: str
    reason: str | None
    value_to_customer_minor: int
    currency: str
    detected_for: str
    actions: list[str]


MAX_KIND = 64


def check_filters(kind: str | None, status: str | None) -> None:
    if status and status not in tuple(MomentStatus):
        choices = ", ".join(MomentStatus)
        raise BadInput(f"Please choose a decision from the list ({choices}), or any.", "status")
    if kind and (len(kind) > MAX_KIND or not kind.isprintable()):
        raise BadInput(
            f"A moment's kind is a word of up to {MAX_KIND} characters, like better_plan.",
            "kind",
        )


def moments(
    session: Session, kind: str | None, status: str | None, limit: int = 200
) -> list[MomentRow]:
    """What the last runs found, newest first, with what was done about each.

    A filter that cannot match (an unknown decision, an over-long kind) is a BadInput on
    its field, so the page and the API say so instead of showing nothing.
    """
    check_filters(kind, status)
    query = select(Moment).order_by(Moment.id.desc()).limit(limit)
    if kind:
        query = query.where(Moment.kind == kind)
    if status:
        query = query.where(Moment.status == status)
    found = list(session.scalars(query))
    acts: dict[int, list[str]] = {}
    ids = [m.id for m in found]
    for moment_id, what in session.execute(
        select(Action.moment_id, Action.kind).where(Action.moment_id.in_(ids))
    ):
        acts.setdefault(int(moment_id), []).append(what)  # type: ignore[arg-type]
    return [
        MomentRow(
            id=m.id,
            run_id=m.run_id,
            customer_id=m.customer_id,
            kind=m.kind,
            status=m.status,
            reason=m.reason,
            value_to_customer_minor=m.value_to_customer_minor,
            currency=m.currency,
            detected_for=m.detected_for,
            actions=acts.get(m.id, []),
        )
        for m in found
    ]

"""Sign-in links for customers: made, sent through the outbox, used once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings
from goodwill.store import add_action
from goodwill.store.signin import issue_login_token, use_login_token
from goodwill.web import ledger_reads
from goodwill.web.config import WebConfig
from goodwill.web.outbox import Recipient, queue_customer_message, render
from goodwill.web.security import new_link_token, token_digest


def issue_link(session: Session, config: WebConfig, customer_id: str, *, now: datetime) -> str:
    """A fresh one-time sign-in link for ``customer_id`` (only its digest is stored)."""
    token, digest = new_link_token()
    valid_for = timedelta(minutes=config.login_link_minutes)
    issue_login_token(session, customer_id, digest, now=now, valid_for=valid_for)
    return f"{config.public_url}/signin/{token}"


def send_link(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    email: str,
    *,
    now: datetime,
) -> bool:
    """Email a sign-in link to the customer with this address; False if there is none.

    The caller says the same thing either way, so nobody learns who is a customer.
    """
    row = ledger_reads.customer_by_email(ledger, email)
    if row is None or not row.get("email"):
        return False
    customer_id = str(row["customer_id"])
    link = issue_link(session, config, customer_id, now=now)
    action = add_action(session, customer_id=customer_id, kind="sign_in_link", now=now)
    to = Recipient(customer_id, first_name(str(row["name"])), row["email"])
    message = render(
        settings,
        "signin_link",
        to.first_name,
        {"minutes": config.login_link_minutes},
        links={"signin": link},
    )
    key = f"signin:{token_digest(link)}"
    return queue_customer_message(
        session, settings, config, to=to, action_id=action.id, key=key, message=message
    )


def sign_in(session: Session, token: str, *, now: datetime) -> str | None:
    """Use the link's token up: the customer it signs in, or None (unknown, used, expired)."""
    return use_login_token(session, token_digest(token), now=now)


def landing(next_page: str) -> str:
    """Where a sign-in link lands: one of the customer's own pages, never another site."""
    page = next_page.strip()
    own = page == "/me" or page.startswith(("/me/", "/me?"))
    return page if own and "\\" not in page and len(page) <= 300 else "/me"


def first_name(name: str) -> str:
    """How a friend would greet them: 'Priya Shah' → 'Priya'."""
    parts = name.split()
    return parts[0] if parts else name

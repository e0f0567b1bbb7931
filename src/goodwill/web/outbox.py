"""The web app's messages, put in the outbox in the caller's transaction.

Customer messages are rendered from the same templates as the care run's (see
``goodwill/channels/templates/README.md``); billing gets a JSON webhook message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from goodwill.channels.render import template_environment
from goodwill.domain.contact import Owner
from goodwill.domain.tone import check_tone
from goodwill.settings import Settings
from goodwill.store import enqueue_message, message_id_for
from goodwill.web.config import WebConfig


@dataclass(frozen=True)
class Recipient:
    """Who a customer message goes to, as the ledger knows them."""

    customer_id: str
    first_name: str
    email: str | None


def render(
    settings: Settings,
    kind: str,
    name: str,
    evidence: Mapping[str, Any],
    *,
    links: Mapping[str, str] | None = None,
    owner: Owner | None = None,
    currency: str = "GBP",
) -> tuple[str, str, str]:
    """Subject, text and HTML of one of the web app's message kinds."""
    env = template_environment(settings.templates_dir)
    context: dict[str, Any] = {
        "name": name,
        "evidence": evidence,
        "links": links or {},
        "owner": owner,
        "currency": currency,
        "team_name": settings.team_name,
    }
    subject = " ".join(env.get_template(f"{kind}.subject.j2").render(context).split())
    text = env.get_template(f"{kind}.txt.j2").render(context).strip() + "\n"
    html = env.get_template(f"{kind}.html.j2").render({**context, "subject": subject})
    return subject, text, html


def tone_issues(subject: str, text: str) -> list[str]:
    """What the tone check says of a message (tests keep our own words friendly)."""
    return [issue.why for issue in check_tone(f"{subject}\n{text}")]


def queue_customer_message(
    session: Session,
    settings: Settings,
    config: WebConfig,
    *,
    to: Recipient,
    action_id: int,
    key: str,
    message: tuple[str, str, str],
) -> bool:
    """Queue an email to a customer; False when they have no email address."""
    if not to.email:
        return False
    subject, text, html = message
    enqueue_message(
        session,
        action_id=action_id,
        customer_id=to.customer_id,
        to_address=to.email,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=message_id_for(key, config.mail_domain),
    )
    return True


def queue_billing_webhook(
    session: Session,
    config: WebConfig,
    *,
    customer_id: str,
    action_id: int,
    key: str,
    event: str,
    payload: Mapping[str, Any],
) -> None:
    """Queue a JSON message for the billing system (medium ``webhook``)."""
    enqueue_message(
        session,
        action_id=action_id,
        customer_id=customer_id,
        channel="webhook",
        to_address=config.billing_webhook_url,
        subject=event,
        body_text=json.dumps({"event": event, "customer_id": customer_id, **payload}),
        message_id=message_id_for(key, config.mail_domain),
    )

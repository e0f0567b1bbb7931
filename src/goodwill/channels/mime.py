"""Outgoing messages as MIME email: plain text with an HTML alternative."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

from goodwill.channels.base import OutgoingMessage


def build_email(message: OutgoingMessage, mail_from: str) -> EmailMessage:
    """A ``multipart/alternative`` email (or plain text when there is no HTML body)."""
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email

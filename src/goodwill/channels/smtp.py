"""Email through an SMTP server (smtplib), one connection per message."""

from __future__ import annotations

import smtplib
import ssl

from goodwill.channels.base import OutgoingMessage, Receipt
from goodwill.channels.mime import build_email
from goodwill.errors import DeliveryError


class SmtpChannel:
    """Send each message as a multipart email with its stable Message-ID header.

    A connection per message costs a few milliseconds on a local relay and means a
    dropped connection never takes later messages down with it.
    """

    name = "smtp"

    def __init__(
        self,
        host: str = "localhost",
        port: int = 25,
        mail_from: str = "goodwill@localhost",
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.host, self.port, self.mail_from = host, int(port), mail_from
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout_s = timeout_s

    def send(self, message: OutgoingMessage) -> Receipt:
        email = build_email(message, self.mail_from)
        where = f"{self.host}:{self.port}"
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        except OSError as exc:
            raise DeliveryError(f"smtp {where}: cannot connect ({exc})") from exc
        try:
            self._open(smtp)
            smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"smtp {where} did not take {message.message_id}: {exc}") from exc
        finally:
            _close(smtp)
        return Receipt(self.name, message.message_id, f"accepted by {where}")

    def _open(self, smtp: smtplib.SMTP) -> None:
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password or "")


def _close(smtp: smtplib.SMTP) -> None:
    # The message is already accepted (or not) when QUIT goes out; a server that hangs
    # up instead of answering must not turn a sent message into a failed one.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()

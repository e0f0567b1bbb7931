"""Reading what people type into the forms: each problem names its field and what to do.

Form fields arrive as plain text (no length limits at the parser), so that every problem,
a too-long value included, comes back on the form's own page instead of an error page.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from goodwill.web.errors import BadInput

MAX_EMAIL = 320
MAX_PASSWORD = 1024
MAX_AMOUNT_TEXT = 20


def email_problem(
    email: str, *, which: str = "the email address you gave us", like: str = "ann@example.com"
) -> str | None:
    """What is wrong with a typed email address, or None when it looks like one."""
    text = email.strip()
    if not text:
        return f"Please type {which}, like {like}."
    if (
        len(text) > MAX_EMAIL
        or "@" not in text
        or not all(c.isprintable() and not c.isspace() for c in text)
    ):
        return f"That doesn't look like an email address. Please type {which}, like {like}."
    return None


def pounds_to_minor(text: str, field: str = "amount", *, what: str = "the amount") -> int:
    """'7.50' → 750; anything else is a BadInput on ``field`` that says what to type."""
    cleaned = text.strip().lstrip("£").replace(",", "")
    if not cleaned:
        raise BadInput(f"Please type {what} in pounds, like 7.50.", field)
    try:
        amount = Decimal(cleaned) if len(cleaned) <= MAX_AMOUNT_TEXT else Decimal("NaN")
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        shown = text if len(text) <= MAX_AMOUNT_TEXT else text[:MAX_AMOUNT_TEXT] + "…"
        raise BadInput(f"“{shown}” isn't an amount of money. Please type {what} like 7.50.", field)
    if amount != amount.quantize(Decimal("0.01")):
        raise BadInput(f"Please give {what} in pounds and pence, like 7.50.", field)
    return int(amount * 100)

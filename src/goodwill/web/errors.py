"""Web errors: each carries its HTTP status and a message for the person who hit it.

::

    GoodwillError
    └── WebError                 rendered as a page, or as JSON under /api
        ├── NotFound (404)       also what a customer gets for anybody else's data
        ├── BadInput (400, ValueError)  a form or body that cannot be used as it is;
        │                        a form shows it next to the field it names
        ├── NotSignedIn (401)    sign in first
        ├── Forbidden (403)      signed in, but not allowed (a customer on a staff page)
        └── TooManyAttempts (429)
"""

from __future__ import annotations

from collections.abc import Mapping

from goodwill.errors import GoodwillError


class WebError(GoodwillError):
    """An error a request ends with; ``status`` is its HTTP status."""

    status = 500
    title = "Something went wrong"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(WebError):
    status = 404
    title = "We couldn't find that"

    def __init__(
        self, message: str = "There's nothing here. It may have moved, or the link is old."
    ) -> None:
        super().__init__(message)


class BadInput(WebError, ValueError):
    """Input that cannot be used; ``errors`` maps each form field at fault to what to do.

    >>> BadInput("Please type your email.", field="email").errors
    {'email': 'Please type your email.'}
    """

    status = 400
    title = "That didn't quite work"

    def __init__(
        self, message: str, field: str | None = None, *, errors: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.errors = dict(errors) if errors else ({field: message} if field else {})

    @classmethod
    def of(cls, errors: Mapping[str, str]) -> BadInput:
        """One error for several fields at once (the first field's message leads)."""
        return cls(next(iter(errors.values())), errors=errors)


class NotSignedIn(WebError):
    status = 401
    title = "Please sign in"


class Forbidden(WebError):
    status = 403
    title = "That page isn't for you"


class TooManyAttempts(WebError):
    status = 429
    title = "Let's take a short break"

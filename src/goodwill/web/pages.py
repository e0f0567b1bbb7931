"""Rendering a page: the template, the view context, and what every page needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from goodwill.web.deps import WebState
from goodwill.web.errors import BadInput, WebError
from goodwill.web.security import csrf_token


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """``templates/<name>`` rendered with ``context``, the CSRF token and who is signed in."""
    state: WebState = request.app.state.web
    return state.templates.TemplateResponse(
        request,
        name,
        {"csrf": csrf_token(request.session), "session": dict(request.session), **context},
        status_code=status_code,
    )


def form_again(
    request: Request,
    name: str,
    problem: WebError,
    values: Mapping[str, str],
    **context: Any,
) -> HTMLResponse:
    """The form's own page again: the problem at the top and next to each field it names,
    and what was typed kept (the caller leaves passwords out of ``values``)."""
    errors = problem.errors if isinstance(problem, BadInput) else {}
    return page(
        request,
        name,
        problem.status,
        problem=problem.message,
        errors=errors,
        values=dict(values),
        **context,
    )


def see_other(url: str) -> RedirectResponse:
    """After a POST, go to the page that shows the result (a reload does not post again)."""
    return RedirectResponse(url, status_code=303)


def deliver_outbox(state: WebState) -> None:
    """Wake the process's delivery thread for what the request committed; returns at once
    (see :mod:`goodwill.web.delivery`). Without the thread, `goodwill deliver` sends it."""
    if state.delivery is not None:
        state.delivery.wake()


def cell(value: object, column: str, currency: str = "GBP") -> str:
    """A value as a desk table shows it: money in pounds, times to the minute, blanks empty."""
    from datetime import datetime

    from goodwill.domain.formatting import format_money

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and (
        column.endswith("_minor") or column in ("amount", "monthly_fee")
    ):
        return format_money(value, currency)
    if isinstance(value, datetime):
        return value.strftime("%d %b %Y %H:%M")
    if column == "kind" and isinstance(value, str):
        from goodwill.domain.moment_words import moment_label

        return moment_label(value) if "_" in value else value
    if column == "arm":
        return ARM_WORDS.get(str(value), str(value))
    return str(value)


#: An experiment's arms as the desk says them.
ARM_WORDS = {"holdout": "held back (the comparison group)", "treatment": "told"}

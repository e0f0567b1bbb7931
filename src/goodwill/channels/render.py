"""Putting a moment into words: Jinja2 templates per moment kind, checked for tone.

Each kind has three templates in ``templates/``: ``<kind>.subject.j2`` (one line),
``<kind>.txt.j2`` (plain text) and ``<kind>.html.j2`` (extends ``base.html.j2``; only
HTML is autoescaped). A ``templates_dir`` of your own overrides any of them by name,
the sign-off partials ``_signoff.txt.j2`` and ``_signoff.html.j2`` included.

Templates see ``name`` (the customer's, as the ledger greets them), ``evidence`` (the
moment's), ``moment``, ``currency``, ``owner`` (an :class:`Owner` or None), ``links``,
``team_name`` and, in HTML, ``subject``; and the filters ``money`` (minor units → £7.50,
in the moment's currency unless given one), ``gb`` (megabytes → 2.1 GB), ``day``
(→ 31 December 2026), ``usage`` (``{kind: quantity}`` → "2.1 GB of data and 140
minutes of calls") and ``promise`` (a promise kind → "to deliver your new SIM").
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateNotFound, UndefinedError

from goodwill.channels.message_words import (
    current_is_best,
    describe_promise,
    describe_usage,
    other_tariffs,
)
from goodwill.channels.template_env import BUILTIN_TEMPLATES, message_environment
from goodwill.domain.contact import Owner
from goodwill.domain.moments import Moment
from goodwill.domain.tone import ToneChecker, ToneIssue, check_tone
from goodwill.errors import MessageTemplateError

#: The moment kinds with built-in templates.
BUILTIN_KINDS = (
    "repeated_failures",
    "better_plan",
    "loyalty_penalty",
    "end_of_contract",
    "annual_best_tariff",
    "broken_promise",
    "case_moved",
)
DEFAULT_TEAM_NAME = "The goodwill care team"

__all__ = [
    "BUILTIN_KINDS",
    "BUILTIN_TEMPLATES",
    "DEFAULT_TEAM_NAME",
    "MessageRenderer",
    "MessageTemplateError",
    "RenderedMessage",
    "current_is_best",
    "describe_promise",
    "describe_usage",
    "other_tariffs",
    "render_message",
    "template_environment",
]


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for the outbox, with what the tone check found in its words."""

    subject: str
    text: str
    html: str
    tone_issues: tuple[ToneIssue, ...] = ()


def render_message(
    moment: Moment,
    customer_name: str,
    owner: Owner | None,
    links: Mapping[str, str],
    templates_dir: Path | None = None,
    *,
    team_name: str = DEFAULT_TEAM_NAME,
) -> RenderedMessage:
    """Render the subject, text and HTML of ``moment`` for ``customer_name``.

    ``links`` holds the one-click links the templates use (built-ins: ``switch``; for
    ``broken_promise``, ``account`` if given). Tone issues in the subject or text are
    returned, not raised: the caller decides whether a warning is enough.
    """
    env = template_environment(templates_dir)
    return _render_message(env, moment, customer_name, owner, links, team_name)


class MessageRenderer:
    """Renders many messages, as :func:`render_message` does, from templates read and
    compiled once: for a care run, which writes all its messages from one version of the
    templates rather than checking every file's time before every message.

    >>> renderer = MessageRenderer(settings.templates_dir, team_name=settings.team_name)
    >>> renderer.render(moment, "Ann", None, {"switch": url}).subject  # doctest: +SKIP
    """

    def __init__(self, templates_dir: Path | None = None, *, team_name: str = DEFAULT_TEAM_NAME):
        self._env = message_environment(templates_dir, auto_reload=False)
        self._team_name = team_name
        self._tone = ToneChecker()  # a run's messages share most lines: each checked once

    def render(
        self, moment: Moment, customer_name: str, owner: Owner | None, links: Mapping[str, str]
    ) -> RenderedMessage:
        """The message of ``moment`` for ``customer_name``, as :func:`render_message`."""
        return _render_message(
            self._env, moment, customer_name, owner, links, self._team_name, self._tone.check
        )


def _render_message(
    env: Environment,
    moment: Moment,
    customer_name: str,
    owner: Owner | None,
    links: Mapping[str, str],
    team_name: str,
    tone_check: Callable[[str], list[ToneIssue]] = check_tone,
) -> RenderedMessage:
    context: dict[str, Any] = {
        "name": customer_name,
        "evidence": moment.evidence,
        "moment": moment,
        "currency": moment.currency,
        "owner": owner,
        "links": links,
        "team_name": team_name,
    }
    subject = " ".join(_render(env, moment.kind, "subject", context).split())
    text = _render(env, moment.kind, "txt", context).strip() + "\n"
    html = _render(env, moment.kind, "html", {**context, "subject": subject})
    return RenderedMessage(subject, text, html, tuple(tone_check(f"{subject}\n{text}")))


@functools.lru_cache(maxsize=16)
def template_environment(templates_dir: Path | None = None) -> Environment:
    """The Jinja2 environment: your ``templates_dir`` first, then the built-ins; a template
    changed on disk is read again."""
    return message_environment(templates_dir, auto_reload=True)


def _render(env: Environment, kind: str, part: str, context: Mapping[str, Any]) -> str:
    name = f"{kind}.{part}.j2"
    try:
        return env.get_template(name).render(context)
    except TemplateNotFound as missing:
        raise MessageTemplateError(
            f"no template {missing.name} for moment kind {kind!r}: add {kind}.subject.j2, "
            f"{kind}.txt.j2 and {kind}.html.j2 to your templates folder"
        ) from missing
    except UndefinedError as undefined:
        raise MessageTemplateError(
            f"template {name}: {undefined.message}; the moment's evidence has "
            f"{sorted(context['evidence'])} and links has {sorted(context['links'])}"
        ) from undefined

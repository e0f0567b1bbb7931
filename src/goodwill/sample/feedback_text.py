"""The words of the survey answers that carry text: a theme, then a sentence with typos.

Which answers carry text is decided on the generator's main stream (as it always was);
what they say is drawn from a stream of its own, so the words changed no other table.
A theme's chance follows the customer's real experience at the time of writing (a broken
promise in the last 90 days makes a late-delivery text likely, a misfitting plan a bill
text, a CSAT answer after a ticket a word about the agent) and, for some themes, whether
the customer leaves within six months (``leaver_tilt``: the planted churn effect).
Themes with a fixed share are drawn whatever happened, so they have no effect on churn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.ledger.contract import FEEDBACK_KINDS
from goodwill.sample.clock import DAY, NEVER, month_of
from goodwill.sample.feedback import Feedback, recent
from goodwill.sample.feedback_phrases import CLOSERS, OPENERS, THEMES

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
TEXT_STREAM = 13
CHURN_WINDOW_DAYS = 183  # "within six months of writing"


@dataclass
class FeedbackTexts:
    """Per feedback answer: its theme (index in THEMES, -1: no text), its text ("" if none),
    the chance of each theme it was drawn with, and whether the customer left within
    six months of writing."""

    theme: Ints
    text: list[str]
    chance: Floats  # [answer, theme]; zeros where there is no text
    leaves: Bools


@dataclass(frozen=True)
class Experience:
    """Per customer: when they left (NEVER: still here) and first misfit month; events as
    (customer, time) arrays of broken promises."""

    left_s: Ints
    misfit_month: Ints
    broken: tuple[Ints, Ints]


def draw_texts(seed: int, f: Feedback, experience: Experience) -> FeedbackTexts:
    """The theme and words of every answer with ``f.text >= 0``, from stream TEXT_STREAM."""
    rng = np.random.Generator(np.random.PCG64([seed, TEXT_STREAM]))
    left = experience.left_s[f.customer]
    leaves = (left != NEVER) & (left <= f.at_s + CHURN_WINDOW_DAYS * DAY)
    chance = theme_chances(f, experience, leaves)
    chance[f.text < 0] = 0.0
    cumulative = np.cumsum(chance, axis=1)
    u = rng.random(len(f))
    theme = np.minimum((cumulative < u[:, None]).sum(axis=1), len(THEMES) - 1).astype(np.int64)
    theme[f.text < 0] = -1
    texts = [_sentence(rng, int(k)) if k >= 0 else "" for k in theme]
    return FeedbackTexts(theme, texts, chance, leaves)


def theme_chances(f: Feedback, e: Experience, leaves: Bools) -> Floats:
    """The probability of each theme for each answer (rows sum to 1)."""
    who, at = f.customer, f.at_s
    broken = recent(e.broken, who, at)
    overpaying = month_of(at) >= e.misfit_month[who]
    csat = f.kind == FEEDBACK_KINDS.index("csat")
    unhappy = np.where(csat, f.score <= 2, f.score <= 6)
    fixed = sum(t.fixed_share or 0.0 for t in THEMES)
    weights = np.zeros((len(f), len(THEMES)))
    for k, t in enumerate(THEMES):
        if t.fixed_share is not None:
            continue
        w = np.full(len(f), t.base)
        w *= np.where(broken, t.after_broken_promise, 1.0)
        w *= np.where(overpaying, t.when_overpaying, 1.0)
        w *= np.where(unhappy, t.when_unhappy, 1.0)
        w *= np.where(csat, t.after_ticket, 1.0)
        weights[:, k] = w * np.where(leaves, t.leaver_tilt, 1.0)
    chance = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12) * (1.0 - fixed)
    for k, t in enumerate(THEMES):
        if t.fixed_share is not None:
            chance[:, k] = t.fixed_share
    return chance


def _sentence(rng: np.random.Generator, k: int) -> str:
    """One answer about theme ``k``: opener, core phrase, maybe a detail, closer, then
    mixed case and the odd typo."""
    theme = THEMES[k]
    core = theme.core[rng.integers(len(theme.core))]
    words = OPENERS[rng.integers(len(OPENERS))] + core
    if rng.random() < 0.5:
        words += ", " + theme.detail[rng.integers(len(theme.detail))]
    words += CLOSERS[rng.integers(len(CLOSERS))]
    return _case(rng, _typo(rng, words))


def _typo(rng: np.random.Generator, text: str) -> str:
    """A quarter of answers have one slip: two letters swapped or one doubled."""
    if rng.random() >= 0.25:
        return text
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = long[rng.integers(len(long))]
    w = words[i]
    j = int(rng.integers(1, len(w) - 2))
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j] + w[j:]
    return " ".join(words)


def _case(rng: np.random.Generator, text: str) -> str:
    """Most write in sentence case, some all lower, a few shout or title-case."""
    u = rng.random()
    if u < 0.5:
        return text[:1].upper() + text[1:].replace(" i ", " I ")
    if u < 0.8:
        return text
    if u < 0.9:
        return text.upper()
    return text.title()

"""What the model says about its themes and its input: labels, verbatims, and why not.

Degenerate input is told apart before any model is fitted, in words an operator can act on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from goodwill.analytics.themes.vectorize import english_share

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
MIN_DISTINCT = 10  # fewer different answers than this are read one by one, not modelled


def label_from_terms(terms: Sequence[str], n: int = 3) -> str:
    """A readable label: the top terms, skipping words already inside an earlier pair."""
    chosen: list[str] = []
    for term in terms:
        if any(term in c.split() or c in term.split() for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return " · ".join(chosen) if chosen else "(no words)"


def why_not(n_texts: int, n_words: int, words: Sequence[str]) -> str | None:
    if n_texts == 0:
        return "no answers to read: the ledger has no feedback in this window"
    if n_words == 0:
        return f"{n_texts} answers, none with words: nothing to group"
    if n_words == 1 and n_texts == 1:
        return f"only one answer: read it; themes need at least {MIN_DISTINCT} different answers"
    if n_words == 1:
        return f"all {n_texts} answers with words say the same thing: one text is not a theme"
    if n_words < MIN_DISTINCT:
        return (
            f"only {n_words} different answers with words: read them one by one "
            f"(themes need at least {MIN_DISTINCT})"
        )
    share = english_share(words)
    if share < 0.5:
        return (
            f"only {share:.0%} of the answers look like English: themes are found in English "
            "text only (stop words, word pairs); translate the answers first"
        )
    return None


def verbatims(codes: Ints, score: Floats, assignment: Ints, k: int, n: int = 5) -> tuple[int, ...]:
    """Indexes of up to ``n`` answers of theme k, different words each, best scoring first."""
    members = np.flatnonzero(assignment == k)
    if len(members) == 0:
        return ()
    member_codes = codes[members]
    _, first = np.unique(member_codes, return_index=True)
    candidates = members[first]
    order = np.argsort(-score[codes[candidates], k], kind="stable")[:n]
    return tuple(int(i) for i in candidates[order])

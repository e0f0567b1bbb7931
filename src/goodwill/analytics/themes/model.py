"""Themes in what customers wrote: TF-IDF + NMF, the number chosen by stability.

>>> model = ThemeModel().fit(["my data is slow", "slow data again"] * 20 + ["bill too high"] * 20)
>>> model.ok, len(model.themes_) > 0  # doctest: +SKIP
(True, True)

Degenerate input (no answers, too few, all the same, not English) does not raise: ``ok``
is False and ``reason_`` says why, in words an operator can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from goodwill.analytics.themes.choose import Candidate, choose_k
from goodwill.analytics.themes.describe import MIN_DISTINCT, label_from_terms, verbatims, why_not
from goodwill.analytics.themes.pins import PinnedTheme
from goodwill.analytics.themes.seeds import claims, found_names, pinned_rows
from goodwill.analytics.themes.vectorize import (
    MAX_ANSWER_CHARS,
    distinct,
    make_vectorizer,
    transform_chunks,
)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
FIT_SAMPLE = 20_000  # distinct answers the vocabulary is learnt on
CHOOSE_SAMPLE = 6_000  # of those, the answers the themes are learnt on (11 NMF fits)
MIN_SCORE = 0.05  # an answer scoring below this on every theme is in none


@dataclass(frozen=True)
class FoundTheme:
    """One theme: its label (pinned name or top terms), top terms with weights, size, and
    the indexes (into the texts given to ``fit``) of a few answers that say it best."""

    index: int
    label: str
    pinned: bool
    top_terms: tuple[tuple[str, float], ...]
    answers: int
    verbatims: tuple[int, ...]


class ThemeModel:
    """Finds themes with ``fit(texts) -> self``; ``assignment_`` gives each text's theme."""

    def __init__(
        self, pins: Sequence[PinnedTheme] = (), k_range: range = range(2, 13), top: int = 8
    ) -> None:
        self.pins = tuple(pins)
        self.k_range = k_range
        self.top = top
        self.themes_: tuple[FoundTheme, ...] = ()
        self.assignment_: Ints = np.zeros(0, dtype=np.int64)
        self.k_ = 0
        self.candidates_: dict[int, Candidate] = {}
        self.reason_: str | None = None
        self._labels: dict[int, str] = {}
        self.notes_: list[str] = []

    @property
    def ok(self) -> bool:
        return self.reason_ is None

    def fit(self, texts: Sequence[str]) -> ThemeModel:
        """Learn the themes of ``texts`` (empty strings are answers without words)."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        self.assignment_ = np.full(len(texts), -1, dtype=np.int64)
        codes, uniques = distinct(texts)
        long = sum(1 for t in texts if len(t) > MAX_ANSWER_CHARS)
        if long:
            self.notes_.append(
                f"{long} answer(s) longer than {MAX_ANSWER_CHARS:,} characters: "
                f"the first {MAX_ANSWER_CHARS:,} were read"
            )
        words = [u for u in uniques if u]
        self.reason_ = why_not(len(texts), len(words), words)
        if self.reason_:
            return self
        vectorizer = make_vectorizer(len(words))
        fit_texts = _sample(words, FIT_SAMPLE)
        try:
            x_fit = vectorizer.fit_transform(fit_texts)
        except ValueError:
            self.reason_ = "no words left after dropping common English words: nothing to group"
            return self
        terms = np.array(vectorizer.get_feature_names_out())
        h = self._components(x_fit, terms)
        x_all = transform_chunks(vectorizer, uniques)
        theme_of_unique, score = _assign(x_all, h)
        self._keep_pins(x_all, terms, theme_of_unique, score)
        self.assignment_ = theme_of_unique[codes]
        self.themes_ = self._describe(h, terms, codes, score)
        return self

    def _components(self, x: sparse.csr_matrix, terms: npt.NDArray[np.str_]) -> Floats:
        """The themes' term weights: the pinned themes' rows, then NMF's on the rest."""
        pinned, claimed, missing = pinned_rows(self.pins, x, terms)
        for name in missing:
            self.notes_.append(f"pinned theme {name!r}: no answer uses its seed terms")
        names = found_names(self.pins, missing)
        self._labels = dict(enumerate(names))
        rest = x[~claimed]
        if rest.shape[0] < MIN_DISTINCT or rest.nnz == 0:
            self.k_ = len(names)
            return pinned
        chosen, self.candidates_ = choose_k(_rows_sample(rest, CHOOSE_SAMPLE), self.k_range)
        if chosen is None:
            self.k_ = len(names)
            return pinned
        free = chosen.merged()
        self.k_ = chosen.themes + len(names)
        h: Floats = np.vstack([pinned, free]) if len(names) else free
        return h

    def _keep_pins(
        self, x: sparse.csr_matrix, terms: npt.NDArray[np.str_], theme: Ints, score: Floats
    ) -> None:
        """An answer that uses a pin's seed terms is that pin's (the likeliest of its pins)."""
        pins = [p for p in self.pins if p.name in self._labels.values()]
        if not pins:
            return
        claimed = claims(pins, x, terms)
        pin_score = np.where(claimed, score[:, : len(pins)], -np.inf)
        has = claimed.any(axis=1)
        theme[has] = pin_score[has].argmax(axis=1)

    def _describe(
        self, h: Floats, terms: npt.NDArray[np.str_], codes: Ints, score: Floats
    ) -> tuple[FoundTheme, ...]:
        counts = np.bincount(self.assignment_[self.assignment_ >= 0], minlength=len(h))
        themes = []
        for k in range(len(h)):
            order = np.argsort(-h[k])[: self.top]
            top = tuple((str(terms[i]), round(float(h[k, i]), 4)) for i in order if h[k, i] > 0)
            pinned = self._labels.get(k)
            label = pinned or label_from_terms([t for t, _ in top])
            themes.append(FoundTheme(k, label, pinned is not None, top, int(counts[k]),
                                     verbatims(codes, score, self.assignment_, k)))  # fmt: skip
        return tuple(themes)


def _sample(words: list[str], n: int) -> list[str]:
    if len(words) <= n:
        return words
    pick = np.random.Generator(np.random.PCG64(0)).choice(len(words), n, replace=False)
    return [words[i] for i in np.sort(pick)]


def _rows_sample(x: sparse.csr_matrix, n: int) -> sparse.csr_matrix:
    """At most ``n`` rows of ``x``, drawn with a fixed seed (the same answers give the same themes)."""
    if x.shape[0] <= n:
        return x
    pick = np.random.Generator(np.random.PCG64(1)).choice(x.shape[0], n, replace=False)
    return x[np.sort(pick)]


def _assign(x: sparse.csr_matrix, h: Floats) -> tuple[Ints, Floats]:
    """Each distinct text's theme: the largest projection on the unit theme vectors."""
    unit = h / np.maximum(np.linalg.norm(h, axis=1, keepdims=True), 1e-12)
    score = np.asarray(x @ unit.T, dtype=np.float64)
    if score.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), score
    best = score.argmax(axis=1).astype(np.int64)
    best[score.max(axis=1) < MIN_SCORE] = -1
    return best, score

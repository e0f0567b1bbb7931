"""Pinned themes inside the model: a pinned theme is the answers that use its seed terms,
and every word those answers use.

An answer *uses* a seed term when it has every (non stop) word of it ("slow data" is in
"my data is so slow"). The pinned theme's term weights are the mean TF-IDF row of those
answers, so it also reaches answers that say the same in other words; it is kept as it is
while NMF finds the other themes among the answers no pin claimed. A theme's name is then
the operator's, whatever month of answers it was found in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from goodwill.analytics.themes.pins import PinnedTheme

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def uses_seed(x: sparse.csr_matrix, index: dict[str, int], seed: str) -> Bools:
    """Which rows of ``x`` have every vocabulary word of ``seed`` (none if a word is unknown
    or every word is a stop word)."""
    words = [w for w in seed.split() if w]
    columns = [index.get(w) for w in words]
    known = [c for c in columns if c is not None]
    if not known or len(known) < len(columns):
        return np.zeros(x.shape[0], dtype=np.bool_)
    hit = np.asarray((x[:, known] > 0).sum(axis=1)).ravel()
    result: Bools = hit == len(known)
    return result


def pinned_rows(
    pins: Sequence[PinnedTheme], x: sparse.csr_matrix, terms: npt.NDArray[np.str_]
) -> tuple[Floats, Bools, list[str]]:
    """(one term-weight row per pin found, which rows any pin claimed, names of pins not
    found). A pin with no answer using its seed terms has no row."""
    index = {str(t): i for i, t in enumerate(terms)}
    rows, missing = [], []
    claimed = np.zeros(x.shape[0], dtype=np.bool_)
    found: list[str] = []
    for pin in pins:
        uses = np.zeros(x.shape[0], dtype=np.bool_)
        for seed in pin.seed_terms:
            uses |= uses_seed(x, index, seed)
        if not uses.any():
            missing.append(pin.name)
            continue
        rows.append(np.asarray(x[uses].mean(axis=0)).ravel())
        found.append(pin.name)
        claimed |= uses
    h = np.vstack(rows) if rows else np.zeros((0, len(terms)))
    return h, claimed, missing


def claims(pins: Sequence[PinnedTheme], x: sparse.csr_matrix, terms: npt.NDArray[np.str_]) -> Bools:
    """[row, pin]: whether each row uses one of each pin's seed terms."""
    index = {str(t): i for i, t in enumerate(terms)}
    result = np.zeros((x.shape[0], len(pins)), dtype=np.bool_)
    for p, pin in enumerate(pins):
        for seed in pin.seed_terms:
            result[:, p] |= uses_seed(x, index, seed)
    return result


def found_names(pins: Sequence[PinnedTheme], missing: Sequence[str]) -> list[str]:
    """The names of the pins that have a row, in the order of their rows."""
    return [p.name for p in pins if p.name not in missing]

"""From answers to a TF-IDF matrix: English stop words, words and word pairs, long answers cut.

The vocabulary is learnt on (a sample of) the distinct answers; every answer is then
read with it in chunks, so a million answers need one sparse row each and no more.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

#: An answer longer than this is read up to here (a pasted log is not a longer opinion).
MAX_ANSWER_CHARS = 5_000
CHUNK = 50_000
#: scikit-learn's English stop words, less the ones a care desk cannot do without: its list
#: (from the Glasgow IR group) counts "bill", "call" and "system" as noise.
KEPT_WORDS = frozenset({"bill", "call", "system", "fire", "find", "found", "move", "interest",
                        "amount", "detail", "empty", "full", "top", "front"})  # fmt: skip
STOP_WORDS = sorted(ENGLISH_STOP_WORDS - KEPT_WORDS)


def distinct(texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], list[str]]:
    """(for each answer the index of its distinct text, the distinct texts cut to size)."""
    cut = pd.Series(list(texts), dtype=object).str.slice(0, MAX_ANSWER_CHARS).str.strip()
    codes, uniques = pd.factorize(cut.str.lower(), sort=False)
    return codes.astype(np.int64), [str(u) for u in uniques]


def english_share(texts: Sequence[str]) -> float:
    """The share of texts with at least one English stop word (how English they look)."""
    if not texts:
        return 0.0
    hits = sum(1 for t in texts if any(w in ENGLISH_STOP_WORDS for w in t.split()[:200]))
    return hits / len(texts)


TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
_STOP = frozenset(STOP_WORDS)


def words_and_pairs(text: str) -> list[str]:
    """The words of a (lower-cased) text less stop words, then each pair of neighbours:
    what ``TfidfVectorizer(stop_words=..., ngram_range=(1, 2))`` makes, 1.5x as fast."""
    words = [w for w in TOKEN.findall(text) if w not in _STOP]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def make_vectorizer(n_texts: int) -> TfidfVectorizer:
    """TF-IDF over words and word pairs; rare terms (typos) and near-universal ones dropped.
    Texts come lower-cased from :func:`distinct`."""
    return TfidfVectorizer(
        analyzer=words_and_pairs,
        lowercase=False,
        min_df=2 if n_texts >= 50 else 1,
        max_df=0.5 if n_texts >= 50 else 1.0,
        sublinear_tf=True,
        max_features=20_000,
        dtype=np.float32,
    )


def transform_chunks(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """Every text read with a fitted vectorizer, CHUNK at a time."""
    parts = [vectorizer.transform(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    return sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, 0))

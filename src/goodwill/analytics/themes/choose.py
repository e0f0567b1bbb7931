"""How many themes: the most *different* themes NMF can find, by a stated criterion.

NMF (Frobenius loss) splits a large theme before it finds a small one: at k = 7 on the
sample it cuts "data too slow" in two before "SIM late" appears. So for each candidate k
from the range, NMF finds k parts, and two parts whose term weights have a cosine of at
least ``SAME`` are one theme cut in two (distinct themes have a cosine near 0; a cut one
0.3-0.4). Parts joined that way are merged. The number of themes is the one most k agree
on (the plateau; a tie goes to the larger number): a k too small merges real themes, a k
too large starts to cut out stock phrases as themes of their own, and in between the
count holds. Of the k on the plateau, the smallest (fewest cuts) gives the themes.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.extmath import randomized_svd

SAME = 0.2
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidate:
    """One k: its parts' term weights, which theme each part belongs to, and how alike
    the two closest parts were."""

    k: int
    themes: int
    most_alike: float
    part_theme: tuple[int, ...]
    parts: Floats

    def merged(self) -> Floats:
        """One term-weight row per theme: the sum of its parts."""
        rows = np.zeros((self.themes, self.parts.shape[1]))
        np.add.at(rows, np.array(self.part_theme), self.parts)
        return rows


def fit_nmf(x: sparse.csr_matrix, k: int, svd: Svd | None = None) -> NMF:
    """NMF with k parts from the NNDSVDa start (Boutsidis & Gallopoulos 2008), built from
    ``svd`` (one truncated SVD serves every k) or from a fresh one."""
    svd = svd or truncated_svd(x, k)
    w0, h0 = nndsvda(svd, k, float(x.mean()))
    with warnings.catch_warnings():
        # A capped number of iterations is a choice (the parts no longer move), not a fault.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NMF(k, init="custom", random_state=0, max_iter=300, tol=1e-3)
        model.fit(x, W=w0.astype(x.dtype), H=h0.astype(x.dtype))
        return model


Svd = tuple[Floats, Floats, Floats]


def truncated_svd(x: sparse.csr_matrix, k: int) -> Svd:
    """The top ``k`` singular triplets (randomized, seeded, signs fixed as scikit-learn does)."""
    u, s, vt = randomized_svd(x, k, random_state=0)
    return (
        np.asarray(u, dtype=np.float64),
        np.asarray(s, dtype=np.float64),
        np.asarray(vt, dtype=np.float64),
    )


def nndsvda(svd: Svd, k: int, mean: float) -> tuple[Floats, Floats]:
    """NNDSVD's start for k parts, zeros filled with the data's mean (scikit-learn's
    ``init="nndsvda"``, computed from a shared SVD)."""
    u, s, vt = svd
    w, h = np.zeros((u.shape[0], k)), np.zeros((k, vt.shape[1]))
    w[:, 0], h[0] = np.sqrt(s[0]) * np.abs(u[:, 0]), np.sqrt(s[0]) * np.abs(vt[0])
    for j in range(1, k):
        x, y = u[:, j], vt[j]
        xp, yp, xn, yn = (
            np.maximum(x, 0),
            np.maximum(y, 0),
            np.abs(np.minimum(x, 0)),
            np.abs(np.minimum(y, 0)),
        )
        pos = np.linalg.norm(xp) * np.linalg.norm(yp)
        neg = np.linalg.norm(xn) * np.linalg.norm(yn)
        a, b, sigma = (xp, yp, pos) if pos > neg else (xn, yn, neg)
        scale = np.sqrt(s[j] * sigma)
        w[:, j] = scale * a / max(float(np.linalg.norm(a)), 1e-12)
        h[j] = scale * b / max(float(np.linalg.norm(b)), 1e-12)
    w[w < 1e-6], h[h < 1e-6] = 0.0, 0.0
    w[w == 0], h[h == 0] = mean, mean
    return w, h


def unit_rows(h: npt.ArrayLike) -> Floats:
    """Each row scaled to length 1 (zero rows stay zero)."""
    a = np.asarray(h, dtype=np.float64)
    return a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)


def measure(x: sparse.csr_matrix, k: int, svd: Svd | None = None) -> Candidate:
    """Fit k parts and merge the ones that are one theme cut in two."""
    parts = np.asarray(fit_nmf(x, k, svd).components_, dtype=np.float64)
    keep = parts.sum(axis=1) > 0
    parts = parts[keep] if keep.any() else parts[:1]
    unit = unit_rows(parts)
    alike = unit @ unit.T
    np.fill_diagonal(alike, 0.0)
    themes, label = connected_components(sparse.csr_matrix(alike >= SAME), directed=False)
    return Candidate(k, int(themes), round(float(alike.max(initial=0.0)), 4),
                     tuple(int(t) for t in label), parts)  # fmt: skip


def choose_k(
    x: sparse.csr_matrix, candidates: range
) -> tuple[Candidate | None, dict[int, Candidate]]:
    """The chosen candidate (see the module) and every candidate measured."""
    ks = [k for k in candidates if k < min(x.shape)]
    svd = truncated_svd(x, max(ks)) if ks else None
    measured = {k: measure(x, k, svd) for k in ks}
    if not measured:
        return None, {}
    counts = Counter(c.themes for c in measured.values())
    plateau = max(counts, key=lambda n: (counts[n], n))
    chosen = min((c for c in measured.values() if c.themes == plateau), key=lambda c: c.k)
    return chosen, measured

"""Benchmark: themes over N feedback texts (default 1,000,000) against a plain baseline.

    .venv/bin/python benchmarks/themes_scale.py --texts 1000000 --markdown out.md

The texts are the sample operator's (six known themes, typos, mixed case), each with a
customer's own detail half the time (a town, a day count, a phone), so most are distinct.
In the same run, each in its own process so its peak memory (max RSS) is its own:

- goodwill: :class:`~goodwill.analytics.themes.ThemeModel` — distinct texts only, the
  vocabulary and themes learnt on a 20,000-text sample with the number of themes chosen
  (k = 2..12), then every distinct text read in chunks and assigned;
- baseline: ``TfidfVectorizer`` (same stop words and word pairs) ``.fit_transform`` and
  ``NMF(k=6)`` ``.fit_transform`` over all N texts, told the true number of themes.

Both are judged on the truth: the share of each true theme's texts in its best found theme
(the worst theme is reported).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
TOWNS = ("leeds", "cardiff", "glasgow", "bristol", "norwich", "york", "derby", "hull", "bath",
         "luton", "swansea", "dundee", "exeter", "preston", "bolton", "reading", "slough", "crewe")  # fmt: skip
PHONES = ("iphone", "pixel", "galaxy", "moto", "nokia")


def make_texts(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """``n`` sample-style answers and their true themes."""
    from goodwill.sample.feedback_phrases import THEMES
    from goodwill.sample.feedback_text import _sentence

    rng = np.random.Generator(np.random.PCG64(seed))
    theme = rng.choice(len(THEMES), n, p=[0.3, 0.2, 0.12, 0.08, 0.2, 0.1])
    extra = rng.random(n)
    texts = []
    for k, u in zip(theme, extra, strict=True):
        text = _sentence(rng, int(k))
        if u < 0.2:
            text += f" in {TOWNS[rng.integers(len(TOWNS))]}"
        elif u < 0.35:
            text += f" for {rng.integers(2, 30)} days"
        elif u < 0.5:
            text += f" on my {PHONES[rng.integers(len(PHONES))]}"
        texts.append(text)
    return texts, theme


def worst_recovery(truth: np.ndarray, found: np.ndarray) -> float:
    """The smallest, over true themes, share of its texts in its most common found theme."""
    shares = []
    for k in np.unique(truth):
        mine = found[truth == k]
        mine = mine[mine >= 0]
        shares.append(np.bincount(mine).max() / (truth == k).sum() if len(mine) else 0.0)
    return float(min(shares))


def run_one(method: str, n: int) -> dict[str, float]:
    """One method on n texts, in this process: seconds, themes, worst recovery."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    from goodwill.analytics.themes import ThemeModel
    from goodwill.analytics.themes.vectorize import STOP_WORDS

    texts, truth = make_texts(n)
    started, cpu = time.perf_counter(), time.process_time()  # imports and texts not timed
    if method == "goodwill":
        model = ThemeModel().fit(texts)
        found, k = model.assignment_, model.k_
    else:
        x = TfidfVectorizer(stop_words=STOP_WORDS, ngram_range=(1, 2), min_df=2, max_df=0.5,
                            sublinear_tf=True, dtype=np.float32).fit_transform(texts)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = NMF(6, init="nndsvda", max_iter=300, tol=1e-3, random_state=0).fit_transform(x)
        found, k = w.argmax(axis=1), 6
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    distinct = len({t.lower() for t in texts})
    return {"seconds": seconds, "cpu_seconds": cpu, "themes": k, "worst_recovery": worst_recovery(truth, np.asarray(found)),
            "peak_mb": peak_mb, "distinct": distinct}  # fmt: skip


def measure(method: str, n: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--one", method, "--texts", str(n)],
                         check=True, capture_output=True, text=True, cwd=HERE)  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def table(n: int, ours: dict[str, float], base: dict[str, float]) -> str:
    load = os.getloadavg()[0]
    rows = [
        "| method | texts | distinct | themes | seconds | CPU seconds | peak memory | worst theme recovered |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in (("goodwill ThemeModel (k chosen)", ours), ("TfidfVectorizer + NMF(k=6)", base)):
        rows.append(f"| {name} | {n:,} | {int(r['distinct']):,} | {int(r['themes'])} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
                    f"{r['peak_mb']:,.0f} MB | {r['worst_recovery']:.0%} |")  # fmt: skip
    ratio, cpu_ratio = base["seconds"] / ours["seconds"], base["cpu_seconds"] / ours["cpu_seconds"]
    rows.append(f"\ngoodwill is {ratio:.1f}x as fast as the baseline in wall time and {cpu_ratio:.1f}x in CPU time "
                f"(same run, each in its own process, text generation not timed); "
                f"load average {load:.1f} on {os.cpu_count()} cores while it ran.")  # fmt: skip
    return "\n".join(rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=1_000_000)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--one", choices=("goodwill", "baseline"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.texts)))
        return 0
    ours = measure("goodwill", args.texts)
    base = measure("baseline", args.texts)
    text = table(args.texts, ours, base)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

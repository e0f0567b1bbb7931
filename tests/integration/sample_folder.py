"""A data folder holding the sample operator's ledger, for tests that run detectors on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from goodwill.ledger.ingest import ingest
from goodwill.sample import write_sample
from goodwill.settings import Settings


def sample_data_dir(root: Path, *, customers: int, seed: int, asof: date) -> Path:
    """``root/data``, the ledger of ``customers`` sample customers over 8 months to ``asof``."""
    write_sample(root / "sample", customers=customers, months=8, seed=seed, asof=asof)
    ingest(root / "sample", Settings(data_dir=root / "data"))
    return root / "data"

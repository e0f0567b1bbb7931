"""A realistic synthetic operator to try goodwill on: ``goodwill sample OUT_DIR``.

It writes a UK SIM-only MVNO in the ingest format: one CSV per ledger table (exactly the
contract's columns) and ``truth.json``, which records every generator parameter and the
shares measured on what was generated (e.g. ``overpaying_share``), so that later features
can be judged against a known truth. See docs/sample.md.

>>> from pathlib import Path
>>> summary = write_sample(Path("sample-data"), customers=2_000, seed=7)  # doctest: +SKIP
>>> summary.rows["customers"]  # doctest: +SKIP
2000
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from goodwill.errors import ConfigError
from goodwill.sample.campaign import CampaignParams
from goodwill.sample.campaign_store import CampaignRecord, record_campaign
from goodwill.sample.generator import Sample, generate
from goodwill.sample.params import SampleParams
from goodwill.sample.writer import write_all

__all__ = [
    "CampaignParams",
    "CampaignRecord",
    "Sample",
    "SampleParams",
    "SampleSummary",
    "generate_sample",
    "record_campaign",
    "write_sample",
]


@dataclass(frozen=True)
class SampleSummary:
    """What :func:`write_sample` wrote: where, how many rows per table, and key truths."""

    out_dir: Path
    rows: dict[str, int]
    asof: dt.date
    seed: int
    months: int
    customers: int
    overpaying_share: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate_sample(
    customers: int = 20_000,
    months: int = 12,
    seed: int = 0,
    asof: dt.date | None = None,
    params: SampleParams | None = None,
    campaign: CampaignParams | None = None,
) -> Sample:
    """Simulate the operator in memory (arrays), without writing anything.

    ``campaign`` adds a past plan-advice campaign with a holdout and a known effect
    (:mod:`goodwill.sample.campaign`); None leaves the sample exactly as without it.
    """
    if customers < 1:
        raise ConfigError(f"customers={customers}: a sample needs at least 1 customer")
    if not 1 <= months <= 120:
        raise ConfigError(f"months={months}: choose between 1 and 120 months of usage")
    if campaign is not None:
        campaign.check_fits(months)
    asof = asof or dt.datetime.now(dt.UTC).date()
    return generate(customers, months, seed, asof, params or SampleParams(), campaign)


def write_sample(
    out_dir: Path,
    customers: int = 20_000,
    months: int = 12,
    seed: int = 0,
    asof: dt.date | None = None,
    campaign: CampaignParams | None = None,
) -> SampleSummary:
    """Write the sample operator's CSV files and ``truth.json`` into ``out_dir``.

    ``out_dir`` is created if need be; files of the same names are replaced. Usage covers
    the ``months`` complete calendar months before asof's month (default asof: today, UTC),
    and every time written is before asof. The same arguments always give byte-identical
    files. Raises :class:`~goodwill.errors.ConfigError` (a ValueError) for a bad size.
    With ``campaign``, ``campaign.csv`` lists the advised subscriptions and their arms, and
    truth.json holds the campaign's true effects; :func:`record_campaign` stores it.
    """
    sample = generate_sample(customers, months, seed, asof, campaign=campaign)
    rows, truth = write_all(sample, Path(out_dir))
    return SampleSummary(
        out_dir=Path(out_dir),
        rows=rows,
        asof=sample.clock.asof,
        seed=seed,
        months=months,
        customers=customers,
        overpaying_share=truth["overpaying_share"],
    )

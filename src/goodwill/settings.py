"""One settings object for goodwill, read from ``GOODWILL_*`` environment variables.

Nothing is built at import time: commands make a :class:`Settings` and pass it on.
Every setting is documented in ``docs/configuration.md`` (a test checks it).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where goodwill keeps its data and how it judges what it reads.

    >>> Settings(data_dir=Path("/srv/goodwill")).ledger_dir
    PosixPath('/srv/goodwill/ledger')
    """

    model_config = SettingsConfigDict(env_prefix="GOODWILL_", extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=Path("goodwill-data"),
        description="The data folder: the ledger (Parquet), quarantine and the store (SQLite).",
    )
    max_bad_fraction: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="Ingest stops if more than this fraction of any table's rows are bad.",
    )
    lookback_months: int = Field(
        default=6,
        ge=1,
        le=36,
        description="Months of usage that plan advice looks back over.",
    )
    min_history_months: int = Field(
        default=3,
        ge=1,
        description="A subscription needs this many months of usage in the window to be advised.",
    )
    max_unfit_months: int = Field(
        default=1,
        ge=0,
        description="A recommended plan may fail to fit (capped allowance exceeded) in at most "
        "this many of the months considered.",
    )
    min_saving_minor: int = Field(
        default=100,
        ge=0,
        description="Advice needs a monthly saving of at least this many minor units (100 = £1).",
    )
    min_saving_percent: int = Field(
        default=5,
        ge=0,
        le=100,
        description="Advice needs a monthly saving of at least this percentage of the current cost.",
    )

    @property
    def ledger_dir(self) -> Path:
        return self.data_dir / "ledger"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

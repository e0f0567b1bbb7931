"""One settings object for goodwill, read from ``GOODWILL_*`` environment variables.

Nothing is built at import time: commands make a :class:`Settings` and pass it on.
Every setting is documented in ``docs/configuration.md`` (a test checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
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
    rating_slice_subscriptions: int = Field(
        default=262_144,
        ge=0,
        description="Re-rating reads the subscriptions in batches of at most this many and "
        "rates each batch with the compiled kernel, so its memory stays flat as the ledger "
        "grows (0: all at once).",
    )

    holdout_percent: int = Field(
        default=10,
        ge=0,
        le=50,
        description="Percent of customers held out of each kind of gift, so its effect can be measured.",
    )
    max_messages_per_30_days: int = Field(
        default=2,
        ge=1,
        description="Most messages a customer gets in any 30 days, mandatory notices included.",
    )
    repeat_advice_after_days: int = Field(
        default=90,
        ge=0,
        description="The same advice is not sent again within this many days unless the saving grew.",
    )
    monthly_budgets_minor: dict[str, int] = Field(
        default_factory=lambda: {
            "broken_promise": 50_000,
            "repeated_failures": 30_000,
            "goodwill_gesture": 100_000,
        },
        description="Monthly goodwill budget per kind of credit, in minor units, as JSON in the "
        'environment: {"broken_promise": 50000} is £500 a month.',
    )
    compensation_policy_file: Path | None = Field(
        default=None,
        description="A TOML file with the compensation policy per promise kind (fixed amount, "
        "per day late, grace, cap, lead time); empty means the Ofcom 2019 defaults.",
    )
    sla_first_response_minutes: dict[str, int] = Field(
        default_factory=lambda: {
            "email": 1440,
            "web": 1440,
            "social": 240,
            "chat": 15,
            "phone": 20,
            "store": 60,
        },
        description="First-response target per ticket channel, in minutes, as JSON in the environment.",
    )
    sla_complaint_first_response_minutes: int = Field(
        default=240,
        ge=1,
        description="The tighter first-response target of a complaint, in minutes.",
    )
    repeated_failures_threshold: int = Field(
        default=3,
        ge=2,
        description="Failures (broken promises, slow answers, complaints) that make a customer's case a senior's.",
    )
    repeated_failures_days: int = Field(
        default=60, ge=1, description="The window, in days, in which repeated failures are counted."
    )
    repeated_failures_gesture_minor: int = Field(
        default=2_000,
        ge=0,
        description="The least goodwill credit for a customer let down repeatedly, in minor units; "
        "at least what the merged credits would have been.",
    )
    owner_max_away_days: int = Field(
        default=3,
        ge=0,
        description="A case moves to another agent when its owner is away longer than this.",
    )
    credits_export_dir: Path | None = Field(
        default=None,
        description="Where credit files for the billing system are written; empty means <data_dir>/credits.",
    )
    themes_pins_file: Path | None = Field(
        default=None,
        description="A TOML file of pinned feedback themes (theme = [seed terms]) that "
        "`goodwill themes` and the desk's Where customers fail keep by name; empty: themes "
        "found afresh, labelled by their top words.",
    )
    team_name: str = Field(
        default="The goodwill care team",
        description="Who signs a message when no named person owns the customer's case.",
    )
    templates_dir: Path | None = Field(
        default=None,
        description="A folder of Jinja2 message templates that override the built-in ones.",
    )

    switch_link: str | None = Field(
        default=None,
        description="The one-click link in plan advice, a URL template with {subscription_id}, "
        "{customer_id}, {plan_id} and {mail_from} for your own plan-change page. Empty: the web "
        "app's switch page (a one-time sign-in link) when public_url is set, else a mailto reply.",
    )
    message_link_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description="How long the one-time sign-in link in a care message (switch plan, see a "
        "credit) works.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where customers and staff reach `goodwill serve`; sign-in links start with it.",
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="The key that signs web session cookies; empty means a random one per start "
        "(everyone is signed out on restart). Set it in production.",
    )
    login_link_minutes: int = Field(
        default=15, ge=1, le=1440, description="How long a customer's one-time sign-in link works."
    )
    login_attempts: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Sign-in attempts allowed per email and per client address in each window.",
    )
    login_window_seconds: int = Field(
        default=300,
        ge=1,
        le=86400,
        description="The sign-in rate limit's window, in seconds; counted in the store, so "
        "every `goodwill serve` process shares it.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of the reverse proxies in front of `goodwill serve` whose "
        'X-Forwarded-For is believed, as JSON in the environment: ["10.0.0.5"]. Empty (the '
        "default): the header is ignored and the client is the connection's peer.",
    )
    billing_webhook_url: str | None = Field(
        default=None,
        description="Where plan changes, SIM blocks and replacement orders are POSTed for the "
        "billing system; empty keeps them queued in the outbox until it is set.",
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="Where the analytics run: duckdb (in-process) or spark "
        "(`--engine`; pip install 'goodwill[spark]').",
    )
    duckdb_memory_limit: str | None = Field(
        default=None,
        description="The most memory DuckDB may use for the analytics, e.g. 4GB (DuckDB's "
        "memory_limit; empty: DuckDB's default, 80% of RAM); beyond it, it spills to disk.",
    )
    spark_master: str = Field(
        default="local[*]",
        description="The Spark master with engine spark: local[*], spark://host:7077, yarn, "
        "k8s://https://host:443 (`--spark-master`).",
    )
    spark_conf: dict[str, str] = Field(
        default_factory=dict,
        description='Spark settings with engine spark, as JSON in the environment: {"spark.executor.memory": "8g"}.',
    )
    ledger_url: str | None = Field(
        default=None,
        description="With engine spark, read the ledger from this URL instead of the data "
        "folder: a copy of the ledger folder on object storage or HDFS (s3a://bucket/ledger, "
        "gs://, abfss://, hdfs://), read by Spark's own file systems.",
    )
    store_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store, e.g. postgresql+psycopg://user@host/db; "
        "empty means the SQLite file <data_dir>/goodwill.sqlite.",
    )
    channel: str = Field(
        default="folder",
        description="How messages are delivered: folder (.eml files), smtp, webhook, or an installed channel.",
    )
    outbox_dir: Path | None = Field(
        default=None,
        description="Where the folder channel writes .eml files; empty means <data_dir>/outbox.",
    )
    mail_from: str = Field(default="goodwill@localhost", description="The From address of emails.")
    smtp_host: str = Field(default="localhost", description="The SMTP server's host.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="The SMTP server's port.")
    smtp_starttls: bool = Field(
        default=False, description="Upgrade the SMTP connection with STARTTLS."
    )
    smtp_username: str | None = Field(
        default=None, description="SMTP login name, if the server needs one."
    )
    smtp_password: SecretStr | None = Field(
        default=None, description="SMTP password (never logged)."
    )
    webhook_url: str | None = Field(
        default=None, description="The URL the webhook channel POSTs each message to as JSON."
    )
    max_delivery_attempts: int = Field(
        default=5,
        ge=1,
        description="Attempts before a message is marked failed, with backoff between.",
    )
    web_delivery_interval_seconds: int = Field(
        default=30,
        ge=0,
        le=86400,
        description="`goodwill serve` delivers the outbox in a thread of its own, woken by "
        "each request that queues a message and every this many seconds for retries; 0 "
        "leaves all delivery to `goodwill deliver`.",
    )

    @property
    def ledger_dir(self) -> Path:
        return self.data_dir / "ledger"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

"""The ledger data contract: every table, column, type, rule and foreign key, in one place.

Ingest validates source rows against these declarations, ``docs/ledger.md`` documents
them (a test keeps the two in step), and the analytics read the validated Parquet they
produce. Money is an integer of minor units (pence, cents) next to an ISO 4217 currency;
times are UTC; periods are calendar months written ``YYYY-MM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    """The kinds of value a ledger column holds, with how a source file writes them."""

    TEXT = "text"  # any non-empty UTF-8 string
    ID = "id"  # an identifier: letters, digits and - _ . : / (no spaces), at most 64 chars
    INTEGER = "integer"  # a whole number, e.g. 42
    MONEY = "money"  # a whole number of minor units (pence/cents), e.g. 1000 for £10.00
    RATE = "rate"  # minor units per unit of use, up to 4 decimals, e.g. 25 or 0.5
    BOOLEAN = "boolean"  # true/false (also 1/0, yes/no, t/f)
    TIMESTAMP = "timestamp"  # ISO 8601; an offset is converted to UTC, none means UTC
    DATE = "date"  # ISO 8601 calendar date, YYYY-MM-DD
    PERIOD = "period"  # calendar month, YYYY-MM
    CURRENCY = "currency"  # ISO 4217 code, three capital letters, e.g. GBP
    EMAIL = "email"  # something@somewhere
    LOCALE = "locale"  # BCP 47 language tag such as en-GB
    TOKENS = "tokens"  # a ;-separated list drawn from the column's allowed values


#: How each type is stored in the validated Parquet ledger (DuckDB type names).
STORAGE_TYPE: dict[ColumnType, str] = {
    ColumnType.TEXT: "VARCHAR",
    ColumnType.ID: "VARCHAR",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.MONEY: "BIGINT",
    ColumnType.RATE: "DECIMAL(18,4)",
    ColumnType.BOOLEAN: "BOOLEAN",
    ColumnType.TIMESTAMP: "TIMESTAMPTZ",
    ColumnType.DATE: "DATE",
    ColumnType.PERIOD: "VARCHAR",
    ColumnType.CURRENCY: "VARCHAR",
    ColumnType.EMAIL: "VARCHAR",
    ColumnType.LOCALE: "VARCHAR",
    ColumnType.TOKENS: "VARCHAR",
}


@dataclass(frozen=True)
class ForeignKey:
    """``column`` must name an existing row of ``table`` (by that table's primary key)."""

    column: str
    table: str


@dataclass(frozen=True)
class Column:
    """One column of a ledger table."""

    name: str
    type: ColumnType
    description: str
    required: bool = True
    allowed: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None  # characters; None: the type's own limit

    @property
    def storage_type(self) -> str:
        return STORAGE_TYPE[self.type]

    @property
    def length_limit(self) -> int | None:
        """The most characters a value may have (ids: 64, by their shape)."""
        return self.max_length or MAX_LENGTH.get(self.type)


#: The most characters a value of these types may have, unless a column says otherwise.
#: A value is never cut short: a longer one is quarantined, so nothing is lost unseen.
MAX_LENGTH: dict[ColumnType, int] = {
    ColumnType.TEXT: 500,
    ColumnType.EMAIL: 254,  # RFC 5321's longest path
    ColumnType.LOCALE: 35,
    ColumnType.TOKENS: 200,
}


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row, written as a DuckDB SQL condition that must hold.

    Columns are referred to by name and hold their typed values; a rule is only checked
    when every column it names is valid and not null.
    """

    columns: tuple[str, ...]
    condition: str
    reason: str


@dataclass(frozen=True)
class Table:
    """One table of the ledger."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: tuple[RowRule, ...] = ()
    required: bool = True
    partition_by: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")


#: Message types a customer can consent to; a mandatory notice needs no consent.
CONSENT_TYPES = ("advice", "care", "marketing", "survey")
PROMISE_KINDS = (
    "sim_delivery",
    "device_delivery",
    "repair",
    "engineer_appointment",
    "callback",
    "service_start",
    "refund",
)
TICKET_CHANNELS = ("email", "chat", "phone", "social", "web", "store")
FEEDBACK_KINDS = ("nps", "csat", "ces")
#: What can happen to an open ticket, as goodwill.domain.sla's clocks read it.
TICKET_EVENTS = ("agent_reply", "awaiting_customer", "customer_reply", "resolved", "reopened")

C = Column
T = ColumnType

CUSTOMERS = Table(
    name="customers",
    description="Who pays: one row per billing customer (the payer, which ITIL calls the customer).",
    columns=(
        C("customer_id", T.ID, "The customer's identifier, unique in the table."),
        C("name", T.TEXT, "The name we greet them by, e.g. 'Priya Shah'."),
        C("email", T.EMAIL, "Where messages go; empty when we have no address.", required=False),
        C("joined_at", T.TIMESTAMP, "When they became a customer."),
        C(
            "left_at",
            T.TIMESTAMP,
            "When they stopped being one; empty while active.",
            required=False,
        ),
        C(
            "referred_by",
            T.ID,
            "The customer_id of the member who referred them; empty if nobody did.",
            required=False,
        ),
        C(
            "consents",
            T.TOKENS,
            "Message types they agreed to receive, ;-separated; empty means none "
            "(mandatory notices are sent regardless).",
            required=False,
            allowed=CONSENT_TYPES,
        ),
        C(
            "locale",
            T.LOCALE,
            "Language for messages, e.g. en-GB; empty means en-GB.",
            required=False,
        ),
    ),
    primary_key=("customer_id",),
    foreign_keys=(ForeignKey("referred_by", "customers"),),
    rules=(
        RowRule(("joined_at", "left_at"), "left_at >= joined_at", "left_at is before joined_at"),
        RowRule(
            ("customer_id", "referred_by"),
            "referred_by <> customer_id",
            "a customer cannot refer themselves",
        ),
    ),
)

PLANS = Table(
    name="plans",
    description="The tariff catalogue, legacy plans included (marked not on sale).",
    columns=(
        C("plan_id", T.ID, "The plan's identifier."),
        C("name", T.TEXT, "The name customers know it by, e.g. '10GB SIM only'."),
        C(
            "monthly_fee",
            T.MONEY,
            "The monthly service fee in minor units (1000 = £10.00).",
            minimum=0,
        ),
        C("currency", T.CURRENCY, "ISO 4217 currency of every amount of this plan."),
        C("on_sale", T.BOOLEAN, "Whether new customers can choose it (false for legacy plans)."),
        C(
            "contract_months",
            T.INTEGER,
            "Minimum term in months; 0 for a rolling monthly plan.",
            minimum=0,
            maximum=60,
        ),
        C(
            "device_fee",
            T.MONEY,
            "Monthly handset repayment in minor units on top of the fee; 0 for SIM only.",
            minimum=0,
        ),
    ),
    primary_key=("plan_id",),
)

PLAN_ALLOWANCES = Table(
    name="plan_allowances",
    description="What each plan includes per month, per kind of use, and what it charges beyond that.",
    columns=(
        C("plan_id", T.ID, "The plan."),
        C(
            "kind",
            T.ID,
            "The kind of use, an open set: voice_min, voice_onnet_min, sms, sms_onnet, data_mb, "
            "seats, …",
        ),
        C(
            "included",
            T.INTEGER,
            "Units included per month; empty means unlimited.",
            required=False,
            minimum=0,
        ),
        C(
            "overage_rate",
            T.RATE,
            "Minor units charged per unit beyond the allowance (25 = 25p a minute); "
            "empty means capped: use beyond the allowance is not possible on this plan.",
            required=False,
            minimum=0,
        ),
    ),
    primary_key=("plan_id", "kind"),
    foreign_keys=(ForeignKey("plan_id", "plans"),),
)

DEFAULT_RATES = Table(
    name="default_rates",
    description="The standard out-of-bundle price list: what any plan charges for a kind of use "
    "it does not list in plan_allowances. A kind found in neither is not possible on that plan.",
    columns=(
        C("kind", T.ID, "The kind of use, e.g. intl_min, roaming_mb."),
        C("currency", T.CURRENCY, "The currency of the plans this rate applies to."),
        C("overage_rate", T.RATE, "Minor units per unit of use.", minimum=0),
    ),
    primary_key=("kind", "currency"),
    required=False,
)

SUBSCRIPTIONS = Table(
    name="subscriptions",
    description="A line or service a customer pays for; its user may be someone else (a child's SIM).",
    columns=(
        C("subscription_id", T.ID, "The subscription's identifier."),
        C("customer_id", T.ID, "The paying customer."),
        C(
            "user_name",
            T.TEXT,
            "Who uses it, when not the payer; empty means the payer.",
            required=False,
        ),
        C("plan_id", T.ID, "The plan it is on now."),
        C("started_at", T.TIMESTAMP, "When it started."),
        C("ended_at", T.TIMESTAMP, "When it ended; empty while active.", required=False),
        C(
            "contract_end",
            T.DATE,
            "Last day of the minimum term; empty for a rolling plan.",
            required=False,
        ),
    ),
    primary_key=("subscription_id",),
    foreign_keys=(ForeignKey("customer_id", "customers"), ForeignKey("plan_id", "plans")),
    rules=(
        RowRule(
            ("started_at", "ended_at"), "ended_at >= started_at", "ended_at is before started_at"
        ),
    ),
)

USAGE = Table(
    name="usage",
    description="Monthly use per subscription and kind (raw events are aggregated to these).",
    columns=(
        C("subscription_id", T.ID, "The subscription."),
        C("period", T.PERIOD, "The calendar month, YYYY-MM."),
        C("kind", T.ID, "The kind of use, as in plan_allowances.kind."),
        C(
            "quantity",
            T.INTEGER,
            "Units used in the month: minutes, messages, megabytes, seats.",
            minimum=0,
        ),
    ),
    primary_key=("subscription_id", "period", "kind"),
    foreign_keys=(ForeignKey("subscription_id", "subscriptions"),),
    partition_by="period",
)

BILLS = Table(
    name="bills",
    description="What each customer was actually charged per month (the revenue).",
    columns=(
        C("customer_id", T.ID, "The customer billed."),
        C("period", T.PERIOD, "The month billed, YYYY-MM."),
        C("amount", T.MONEY, "The amount charged in minor units.", minimum=0),
        C("currency", T.CURRENCY, "ISO 4217 currency of the amount."),
    ),
    primary_key=("customer_id", "period"),
    foreign_keys=(ForeignKey("customer_id", "customers"),),
    required=False,
)

PROMISES = Table(
    name="promises",
    description="What we promised a customer and when: deliveries, appointments, repairs, callbacks.",
    columns=(
        C("promise_id", T.ID, "The promise's identifier."),
        C("customer_id", T.ID, "The customer it was made to."),
        C("kind", T.ID, "What was promised.", allowed=PROMISE_KINDS),
        C("made_at", T.TIMESTAMP, "When the promise was made."),
        C("due_at", T.TIMESTAMP, "When it was due."),
        C("kept_at", T.TIMESTAMP, "When it was kept; empty while not (yet) kept.", required=False),
        C(
            "cancelled_at",
            T.TIMESTAMP,
            "When we cancelled it (an engineer visit called off); empty if we did not. "
            "Cancelled with less notice than the compensation policy asks (24 hours for an "
            "engineer visit) it counts as broken.",
            required=False,
        ),
    ),
    primary_key=("promise_id",),
    foreign_keys=(ForeignKey("customer_id", "customers"),),
    rules=(
        RowRule(("made_at", "due_at"), "due_at >= made_at", "due_at is before made_at"),
        RowRule(
            ("made_at", "cancelled_at"),
            "cancelled_at >= made_at",
            "cancelled_at is before made_at",
        ),
    ),
    required=False,
)

TICKETS = Table(
    name="tickets",
    description="Contacts and complaints, with the clock times that matter.",
    columns=(
        C("ticket_id", T.ID, "The ticket's identifier."),
        C("customer_id", T.ID, "The customer who got in touch."),
        C("channel", T.ID, "How they got in touch.", allowed=TICKET_CHANNELS),
        C("opened_at", T.TIMESTAMP, "When the ticket was opened."),
        C(
            "first_response_at",
            T.TIMESTAMP,
            "When a person first answered; empty if nobody has.",
            required=False,
        ),
        C("resolved_at", T.TIMESTAMP, "When it was resolved; empty while open.", required=False),
        C("category", T.TEXT, "What it was about, e.g. billing, network, lost_sim."),
        C("is_complaint", T.BOOLEAN, "Whether the customer made a complaint."),
        C("owner", T.TEXT, "The agent who owns it; empty if unassigned.", required=False),
    ),
    primary_key=("ticket_id",),
    foreign_keys=(ForeignKey("customer_id", "customers"),),
    rules=(
        RowRule(
            ("opened_at", "first_response_at"),
            "first_response_at >= opened_at",
            "first_response_at is before opened_at",
        ),
        RowRule(
            ("opened_at", "resolved_at"),
            "resolved_at >= opened_at",
            "resolved_at is before opened_at",
        ),
    ),
    required=False,
)

TICKET_EVENT_HISTORY = Table(
    name="ticket_events",
    description="What happened to a ticket after it was opened, so service-level clocks can "
    "pause while we wait on the customer. Optional: without it a clock runs from opened_at "
    "to first_response_at or resolved_at.",
    columns=(
        C("ticket_id", T.ID, "The ticket."),
        C("at", T.TIMESTAMP, "When it happened."),
        C(
            "event",
            T.ID,
            "What happened: agent_reply; awaiting_customer (we asked them something: the "
            "clocks pause); customer_reply (they answered: the clocks run again); resolved "
            "(the clocks stop); reopened (the resolution clock runs again).",
            allowed=TICKET_EVENTS,
        ),
    ),
    foreign_keys=(ForeignKey("ticket_id", "tickets"),),
    required=False,
)

FEEDBACK = Table(
    name="feedback",
    description="Survey answers and free text: NPS (0-10), CSAT (1-5), CES (1-7).",
    columns=(
        C("customer_id", T.ID, "Who answered."),
        C("at", T.TIMESTAMP, "When they answered."),
        C("kind", T.ID, "The survey.", allowed=FEEDBACK_KINDS),
        C("score", T.INTEGER, "The score on the survey's scale.", minimum=0, maximum=10),
        C("text", T.TEXT, "What they wrote, if anything.", required=False, max_length=10_000),
    ),
    foreign_keys=(ForeignKey("customer_id", "customers"),),
    rules=(
        RowRule(
            ("kind", "score"), "kind <> 'csat' OR score BETWEEN 1 AND 5", "a csat score is 1 to 5"
        ),
        RowRule(
            ("kind", "score"), "kind <> 'ces' OR score BETWEEN 1 AND 7", "a ces score is 1 to 7"
        ),
    ),
    required=False,
)

#: Every table, parents before the tables that refer to them.
TABLES: tuple[Table, ...] = (
    PLANS,
    PLAN_ALLOWANCES,
    DEFAULT_RATES,
    CUSTOMERS,
    SUBSCRIPTIONS,
    USAGE,
    BILLS,
    PROMISES,
    TICKETS,
    TICKET_EVENT_HISTORY,
    FEEDBACK,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

"""Initial store: runs, moments, actions, outbox, experiments, budgets, contacts.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 06:21:50.017397
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Written out here rather than imported from goodwill.store.models: a migration must keep
# meaning what it meant when it was written, whatever the models become later.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER only
MINOR = sa.BigInteger()  # money in minor units
TIMESTAMP = sa.DateTime(timezone=True)  # UTC

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("limit_minor", MINOR, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.CheckConstraint("limit_minor >= 0", name=op.f("ck_budgets_limit_not_negative")),
        sa.PrimaryKeyConstraint("kind", "period", name=op.f("pk_budgets")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("message_type", sa.String(length=32), nullable=False),
        sa.Column("moment_kind", sa.String(length=64), nullable=True),
        sa.Column("subscription_id", sa.String(length=64), nullable=True),
        sa.Column("dedupe_key", sa.String(length=255), nullable=True),
        sa.Column("saving_minor", MINOR, nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_contacts_dedupe_key")),
    )
    op.create_index(
        op.f("ix_contacts_customer_id_at"), "contacts", ["customer_id", "at"], unique=False
    )
    op.create_table(
        "experiments",
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("holdout_share_percent", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "holdout_share_percent BETWEEN 0 AND 100", name=op.f("ck_experiments_holdout_share")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sa.UniqueConstraint("kind", name=op.f("uq_experiments_kind")),
    )
    op.create_table(
        "runs",
        sa.Column("id", ID, nullable=False),
        sa.Column("asof", sa.Date(), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'failed')", name=op.f("ck_runs_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_table(
        "assignments",
        sa.Column("experiment_id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("arm", sa.String(length=16), nullable=False),
        sa.Column("assigned_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_assignments_experiment_id_experiments"),
        ),
        sa.PrimaryKeyConstraint("experiment_id", "customer_id", name=op.f("pk_assignments")),
    )
    op.create_table(
        "moments",
        sa.Column("id", ID, nullable=False),
        sa.Column("run_id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("subscription_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("detected_for", sa.String(length=10), nullable=False),
        sa.Column("value_to_customer_minor", MINOR, nullable=False),
        sa.Column("cost_to_business_minor", MINOR, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('acted', 'withheld', 'suppressed', 'deferred', 'merged')",
            name=op.f("ck_moments_status"),
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_moments_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moments")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_moments_dedupe_key")),
    )
    op.create_index(op.f("ix_moments_customer_id"), "moments", ["customer_id"], unique=False)
    op.create_index(op.f("ix_moments_run_id"), "moments", ["run_id"], unique=False)
    op.create_table(
        "actions",
        sa.Column("id", ID, nullable=False),
        sa.Column("moment_id", ID, nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", MINOR, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["moment_id"], ["moments.id"], name=op.f("fk_actions_moment_id_moments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    op.create_index(op.f("ix_actions_customer_id"), "actions", ["customer_id"], unique=False)
    op.create_index(op.f("ix_actions_moment_id"), "actions", ["moment_id"], unique=False)
    op.create_table(
        "budget_spend",
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_minor", MINOR, nullable=False),
        sa.Column("action_id", ID, nullable=True),
        sa.Column("spent_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_budget_spend_amount_positive")),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_budget_spend_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["kind", "period"],
            ["budgets.kind", "budgets.period"],
            name=op.f("fk_budget_spend_kind_budgets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_spend")),
    )
    op.create_index(op.f("ix_budget_spend_action_id"), "budget_spend", ["action_id"], unique=False)
    op.create_index(
        op.f("ix_budget_spend_kind_period"), "budget_spend", ["kind", "period"], unique=False
    )
    op.create_table(
        "messages",
        sa.Column("id", ID, nullable=False),
        sa.Column("action_id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("claimed_until", TIMESTAMP, nullable=True),
        sa.Column("claimed_by", sa.String(length=36), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed')", name=op.f("ck_messages_status")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_messages_action_id_actions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_messages_message_id")),
    )
    op.create_index(op.f("ix_messages_action_id"), "messages", ["action_id"], unique=False)
    op.create_index(op.f("ix_messages_customer_id"), "messages", ["customer_id"], unique=False)
    op.create_index(
        op.f("ix_messages_status_next_attempt_at"),
        "messages",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_messages_status_next_attempt_at"), table_name="messages")
    op.drop_index(op.f("ix_messages_customer_id"), table_name="messages")
    op.drop_index(op.f("ix_messages_action_id"), table_name="messages")
    op.drop_table("messages")
    op.drop_index(op.f("ix_budget_spend_kind_period"), table_name="budget_spend")
    op.drop_index(op.f("ix_budget_spend_action_id"), table_name="budget_spend")
    op.drop_table("budget_spend")
    op.drop_index(op.f("ix_actions_moment_id"), table_name="actions")
    op.drop_index(op.f("ix_actions_customer_id"), table_name="actions")
    op.drop_table("actions")
    op.drop_index(op.f("ix_moments_run_id"), table_name="moments")
    op.drop_index(op.f("ix_moments_customer_id"), table_name="moments")
    op.drop_table("moments")
    op.drop_table("assignments")
    op.drop_table("runs")
    op.drop_table("experiments")
    op.drop_index(op.f("ix_contacts_customer_id_at"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_table("budgets")

"""Web app: staff users, sign-in links, self-service jobs, plan changes, SIM blocks,
promises made in goodwill, and goodwill gestures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Written out, as in 0001: a migration keeps meaning what it meant when it was written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MINOR = sa.BigInteger()
TIMESTAMP = sa.DateTime(timezone=True)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("status IN ('started', 'done')", name=op.f("ck_jobs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_customer_id"), "jobs", ["customer_id"])
    op.create_index(op.f("ix_jobs_kind_started_at"), "jobs", ["kind", "started_at"])
    op.create_table(
        "login_tokens",
        sa.Column("id", ID, nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_login_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_login_tokens_customer_id"), "login_tokens", ["customer_id"])
    op.create_table(
        "promises",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("made_at", TIMESTAMP, nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=False),
        sa.Column("kept_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
    )
    op.create_index(op.f("ix_promises_customer_id"), "promises", ["customer_id"])
    op.create_index(op.f("ix_promises_kept_at_due_at"), "promises", ["kept_at", "due_at"])
    op.create_table(
        "staff_users",
        sa.Column("id", ID, nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("monthly_allowance_minor", MINOR, nullable=False),
        sa.Column("agent_id", ID, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("role IN ('agent', 'lead')", name=op.f("ck_staff_users_role")),
        sa.CheckConstraint(
            "monthly_allowance_minor >= 0", name=op.f("ck_staff_users_allowance_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_staff_users_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    op.create_table(
        "gestures",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("staff_user_id", ID, nullable=False),
        sa.Column("amount_minor", MINOR, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("action_id", ID, nullable=True),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('given', 'awaiting_lead', 'held')", name=op.f("ck_gestures_status")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_gestures_amount_positive")),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_gestures_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_users.id"], name=op.f("fk_gestures_decided_by_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_gestures_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gestures")),
    )
    op.create_index(op.f("ix_gestures_customer_id"), "gestures", ["customer_id"])
    op.create_index(op.f("ix_gestures_staff_user_id"), "gestures", ["staff_user_id"])
    op.create_index(op.f("ix_gestures_status_created_at"), "gestures", ["status", "created_at"])
    op.create_table(
        "plan_change_requests",
        sa.Column("id", ID, nullable=False),
        sa.Column("job_id", ID, nullable=False),
        sa.Column("action_id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("subscription_id", sa.String(length=64), nullable=False),
        sa.Column("from_plan_id", sa.String(length=64), nullable=False),
        sa.Column("to_plan_id", sa.String(length=64), nullable=False),
        sa.Column("effective_period", sa.String(length=7), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_plan_change_requests_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_plan_change_requests_job_id_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_change_requests")),
    )
    op.create_index(
        op.f("ix_plan_change_requests_customer_id"), "plan_change_requests", ["customer_id"]
    )
    op.create_index(op.f("ix_plan_change_requests_job_id"), "plan_change_requests", ["job_id"])
    op.create_table(
        "sim_blocks",
        sa.Column("id", ID, nullable=False),
        sa.Column("job_id", ID, nullable=False),
        sa.Column("action_id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("subscription_id", sa.String(length=64), nullable=False),
        sa.Column("blocked_at", TIMESTAMP, nullable=False),
        sa.Column("promise_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_sim_blocks_action_id_actions")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_sim_blocks_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promises.id"], name=op.f("fk_sim_blocks_promise_id_promises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_blocks")),
    )
    op.create_index(op.f("ix_sim_blocks_customer_id"), "sim_blocks", ["customer_id"])
    op.create_index(op.f("ix_sim_blocks_job_id"), "sim_blocks", ["job_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sim_blocks_job_id"), table_name="sim_blocks")
    op.drop_index(op.f("ix_sim_blocks_customer_id"), table_name="sim_blocks")
    op.drop_table("sim_blocks")
    op.drop_index(op.f("ix_plan_change_requests_job_id"), table_name="plan_change_requests")
    op.drop_index(op.f("ix_plan_change_requests_customer_id"), table_name="plan_change_requests")
    op.drop_table("plan_change_requests")
    op.drop_index(op.f("ix_gestures_status_created_at"), table_name="gestures")
    op.drop_index(op.f("ix_gestures_staff_user_id"), table_name="gestures")
    op.drop_index(op.f("ix_gestures_customer_id"), table_name="gestures")
    op.drop_table("gestures")
    op.drop_table("staff_users")
    op.drop_index(op.f("ix_promises_kept_at_due_at"), table_name="promises")
    op.drop_index(op.f("ix_promises_customer_id"), table_name="promises")
    op.drop_table("promises")
    op.drop_index(op.f("ix_login_tokens_customer_id"), table_name="login_tokens")
    op.drop_table("login_tokens")
    op.drop_index(op.f("ix_jobs_kind_started_at"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_customer_id"), table_name="jobs")
    op.drop_table("jobs")

"""Agents, case owners, and credit exports for billing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Written out, as in 0001: a migration keeps meaning what it meant when it was written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MINOR = sa.BigInteger()
TIMESTAMP = sa.DateTime(timezone=True)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("email", name=op.f("uq_agents_email")),
    )
    op.create_table(
        "case_owners",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("agent_id", ID, nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("assigned_at", TIMESTAMP, nullable=False),
        sa.Column("released_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_case_owners_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_owners")),
    )
    op.create_index(
        op.f("ix_case_owners_agent_id_released_at"), "case_owners", ["agent_id", "released_at"]
    )
    op.create_index(
        op.f("ix_case_owners_customer_id_assigned_at"),
        "case_owners",
        ["customer_id", "assigned_at"],
    )
    op.create_index(op.f("ix_case_owners_subject"), "case_owners", ["subject"])
    op.create_table(
        "credit_exports",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("total_minor", MINOR, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("exported_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("credits > 0", name=op.f("ck_credit_exports_credits_positive")),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_credit_exports")),
    )
    op.create_table(
        "credit_export_items",
        sa.Column("action_id", ID, nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_credit_export_items_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["credit_exports.batch_id"],
            name=op.f("fk_credit_export_items_batch_id_credit_exports"),
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_credit_export_items")),
    )
    op.create_index(op.f("ix_credit_export_items_batch_id"), "credit_export_items", ["batch_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_credit_export_items_batch_id"), table_name="credit_export_items")
    op.drop_table("credit_export_items")
    op.drop_table("credit_exports")
    op.drop_index(op.f("ix_case_owners_subject"), table_name="case_owners")
    op.drop_index(op.f("ix_case_owners_customer_id_assigned_at"), table_name="case_owners")
    op.drop_index(op.f("ix_case_owners_agent_id_released_at"), table_name="case_owners")
    op.drop_table("case_owners")
    op.drop_table("agents")

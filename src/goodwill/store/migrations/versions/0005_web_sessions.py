"""Web sessions in the store, so signing out ends a session server-side.

Revision ID: 0005_web_sessions
Revises: 0004_login_attempts
Create Date: 2026-12-02 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Written out, as in 0001: a migration keeps meaning what it meant when it was written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)

revision = "0005_web_sessions"
down_revision = "0004_login_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("staff_id", ID, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "(customer_id IS NULL) <> (staff_id IS NULL)",
            name=op.f("ck_web_sessions_one_customer_or_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_web_sessions_staff_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    for column in ("customer_id", "staff_id", "expires_at"):
        op.create_index(op.f(f"ix_web_sessions_{column}"), "web_sessions", [column])


def downgrade() -> None:
    for column in ("expires_at", "staff_id", "customer_id"):
        op.drop_index(op.f(f"ix_web_sessions_{column}"), table_name="web_sessions")
    op.drop_table("web_sessions")

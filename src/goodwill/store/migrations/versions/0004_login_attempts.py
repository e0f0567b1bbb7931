"""Sign-in attempts in the store, so several web processes share one rate limit.

Revision ID: 0004_login_attempts
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Written out, as in 0001: a migration keeps meaning what it meant when it was written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)

revision = "0004_login_attempts"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", ID, nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        op.f("ix_login_attempts_key_digest_attempted_at"),
        "login_attempts",
        ["key_digest", "attempted_at"],
    )
    op.create_index(op.f("ix_login_attempts_attempted_at"), "login_attempts", ["attempted_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_attempts_attempted_at"), table_name="login_attempts")
    op.drop_index(op.f("ix_login_attempts_key_digest_attempted_at"), table_name="login_attempts")
    op.drop_table("login_attempts")

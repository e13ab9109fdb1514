"""Failed log-in attempts, counted by email and by client address to throttle log-ins.

Revision ID: cb9865570961
Revises: 5c1f0e2a9b7d
Create Date: 2026-12-02 01:04:06.700056+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "cb9865570961"
down_revision: str | Sequence[str] | None = "5c1f0e2a9b7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_email_attempted_at", "login_failures", ["email", "attempted_at"]
    )
    op.create_index(
        "ix_login_failures_address_attempted_at", "login_failures", ["address", "attempted_at"]
    )
    op.create_index(op.f("ix_login_failures_attempted_at"), "login_failures", ["attempted_at"])


def downgrade() -> None:
    # Dropping the table drops its indexes on both databases.
    op.drop_table("login_failures")

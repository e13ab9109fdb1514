"""What-if analysis of a run: a nullable JSON column on match_runs.

Revision ID: 5c95f82e9eb6
Revises: 4e2b9d7c1a60
Create Date: 2026-12-02 01:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "5c95f82e9eb6"
down_revision: str | Sequence[str] | None = "4e2b9d7c1a60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("what_if", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.drop_column("what_if")

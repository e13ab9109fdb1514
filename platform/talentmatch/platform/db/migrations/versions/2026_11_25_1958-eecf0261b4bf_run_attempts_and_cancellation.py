"""Run attempts and cancellation: a claim counter on runs, and CANCELLED among run states.

Revision ID: eecf0261b4bf
Revises: 766dcca30ca8
Create Date: 2026-11-25 19:58:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "eecf0261b4bf"
down_revision: str | Sequence[str] | None = "766dcca30ca8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ("QUEUED", "RUNNING", "SUCCEEDED", "FAILED")
_AFTER = (*_BEFORE, "CANCELLED")


def _states(states: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in states) + ")"


def upgrade() -> None:
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint(batch_op.f("ck_match_runs_run_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_match_runs_run_status"), _states(_AFTER))


def downgrade() -> None:
    # Cancelled runs become failed ones: the older schema has no other finished state for them.
    op.execute(
        "UPDATE match_runs SET status = 'FAILED', error = 'cancelled' WHERE status = 'CANCELLED'"
    )
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_match_runs_run_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_match_runs_run_status"), _states(_BEFORE))
        batch_op.drop_column("attempt")
